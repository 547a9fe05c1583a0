import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bearer, buildTestApp, KEYS, testClient } from '../helpers/buildTestApp.ts';
import { SAME_ORIGIN } from '../helpers/sessionCookies.ts';

type App = Awaited<ReturnType<typeof buildTestApp>>;
let app: App;
const clients = [testClient('alpha', 'UTC', null), testClient('beta', 'UTC', null)];

beforeAll(async () => {
  app = await buildTestApp(clients, {
    admin: KEYS.admin, clients: { alpha: KEYS.alpha, beta: KEYS.beta },
    limits: { requestsPerMinute: 5, loginAttemptsPerMinute: 3, corsOrigins: ['https://admin.example.com'] },
  });
});
afterAll(async () => {
  await app?.close();
});

const get = (url: string, headers: Record<string, string> = {}, remoteAddress = '10.0.0.1') =>
  app.inject({ method: 'GET', url, headers, remoteAddress });

describe('rate limits', () => {
  it('limits each credential on its own and answers 429 with Retry-After in the error shape', async () => {
    for (let i = 0; i < 5; i++) expect((await get('/clients', bearer(KEYS.alpha))).statusCode).toBe(200);
    const limited = await get('/clients', bearer(KEYS.alpha));
    expect(limited.statusCode).toBe(429);
    expect(Number(limited.headers['retry-after'])).toBeGreaterThan(0);
    expect(limited.json().error.code).toBe('RATE_LIMITED');
    // another credential from the same address still has its own budget
    expect((await get('/clients', bearer(KEYS.beta))).statusCode).toBe(200);
  });

  it('counts wrong keys against the IP, so guessing many keys does not escape the limit', async () => {
    const statuses: number[] = [];
    for (let i = 0; i < 7; i++) statuses.push((await get('/clients', bearer(`guess-${i}-0123456789abcdef`), '10.0.0.2')).statusCode);
    expect(statuses).toEqual([401, 401, 401, 401, 401, 429, 429]);
    expect((await get('/clients', bearer(`guess-x-0123456789abcdef`), '10.0.0.3')).statusCode).toBe(401);
  });

  it('never limits the health check', async () => {
    for (let i = 0; i < 10; i++) expect((await get('/health', {}, '10.0.0.4')).statusCode).toBe(200);
  });

  it('throttles sign-in attempts per IP', async () => {
    const attempt = (remoteAddress: string) => app.inject({
      method: 'POST', url: '/login', remoteAddress,
      headers: { 'content-type': 'application/x-www-form-urlencoded', ...SAME_ORIGIN }, payload: 'key=wrong-key-0123456789&next=/',
    });
    const statuses: number[] = [];
    for (let i = 0; i < 4; i++) statuses.push((await attempt('10.0.0.5')).statusCode);
    expect(statuses).toEqual([401, 401, 401, 429]);
    expect((await attempt('10.0.0.6')).statusCode).toBe(401);
  });
});

describe('request limits and headers', () => {
  it('refuses a very long URL with 414 in the error shape', async () => {
    const res = await get(`/api/alpha/funnel?from=${'x'.repeat(5000)}`, bearer(KEYS.admin), '10.0.1.1');
    expect(res.statusCode).toBe(414);
    expect(res.json().error.code).toBe('URI_TOO_LONG');
  });

  it('refuses a body over 64 KiB with 413 in the error shape', async () => {
    const res = await app.inject({
      method: 'POST', url: '/login', remoteAddress: '10.0.1.2',
      headers: { 'content-type': 'application/x-www-form-urlencoded', ...SAME_ORIGIN }, payload: `key=${'k'.repeat(70_000)}`,
    });
    expect(res.statusCode).toBe(413);
    expect(res.json().error).toMatchObject({ code: expect.any(String), message: expect.any(String) });
  });

  it('sends security headers', async () => {
    const res = await get('/health', {}, '10.0.1.3');
    expect(res.headers['x-content-type-options']).toBe('nosniff');
    expect(res.headers['x-frame-options']).toBe('SAMEORIGIN');
    expect(res.headers['referrer-policy']).toBe('no-referrer');
  });

  it('allows only configured origins to read answers across origins', async () => {
    const allowed = await get('/health', { origin: 'https://admin.example.com' }, '10.0.1.4');
    expect(allowed.headers['access-control-allow-origin']).toBe('https://admin.example.com');
    const other = await get('/health', { origin: 'https://evil.example' }, '10.0.1.4');
    expect(other.headers['access-control-allow-origin']).toBeUndefined();
  });
});
