import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { WebSocket, WebSocketServer } from 'ws';
import { buildTestApp, KEYS, testClient } from '../helpers/buildTestApp.ts';
import { SESSION_COOKIE } from '../../src/http/session.ts';

type App = Awaited<ReturnType<typeof buildTestApp>>;
interface Seen { method?: string; url?: string; headers: http.IncomingHttpHeaders }

/** A stand-in for Grafana that records what reaches it, over HTTP and websockets. */
const seen: Seen[] = [];
const upstream = http.createServer((req, res) => {
  seen.push({ method: req.method, url: req.url, headers: req.headers });
  res.setHeader('content-type', 'application/json');
  res.end(JSON.stringify({ ok: true }));
});
const wss = new WebSocketServer({ server: upstream });
wss.on('connection', (socket, req) => {
  seen.push({ url: req.url, headers: req.headers });
  socket.on('message', (data) => socket.send(`echo:${data}`));
});

let app: App;
let base: string;
const clients = [{ ...testClient('alpha', 'UTC', null), grafanaOrgId: 2 }, { ...testClient('beta', 'UTC', null), grafanaOrgId: 3 }];
const keys = { admin: KEYS.admin, clients: { alpha: KEYS.alpha, beta: KEYS.beta } };

beforeAll(async () => {
  await new Promise<void>((resolve) => upstream.listen(0, '127.0.0.1', resolve));
  app = await buildTestApp(clients, { ...keys, grafanaUrl: `http://127.0.0.1:${(upstream.address() as AddressInfo).port}` });
  base = await app.listen({ port: 0, host: '127.0.0.1' });
});
afterAll(async () => {
  await app?.close();
  wss.close();
  await new Promise((resolve) => upstream.close(resolve));
});

async function signIn(key: string, next = '/'): Promise<{ status: number; location: string | null; cookie: string | null; setCookie: string }> {
  const res = await fetch(`${base}/login`, {
    method: 'POST',
    redirect: 'manual',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ key, next }),
  });
  const setCookie = res.headers.get('set-cookie') ?? '';
  const value = new RegExp(`${SESSION_COOKIE}=([^;]+)`).exec(setCookie)?.[1];
  return { status: res.status, location: res.headers.get('location'), cookie: value ? `${SESSION_COOKIE}=${value}` : null, setCookie };
}

const get = (path: string, headers: Record<string, string> = {}) => fetch(`${base}${path}`, { redirect: 'manual', headers });

describe('sign-in', () => {
  it('shows a sign-in form', async () => {
    const res = await get('/login?next=/alpha/grafana');
    expect(res.status).toBe(200);
    expect(await res.text()).toContain('<input type="hidden" name="next" value="/alpha/grafana">');
  });

  it('sets a signed, httpOnly, SameSite session cookie for a valid key and goes to next', async () => {
    const result = await signIn(KEYS.alpha, '/alpha/grafana');
    expect(result.status).toBe(303);
    expect(result.location).toBe('/alpha/grafana');
    expect(result.setCookie).toMatch(/HttpOnly/i);
    expect(result.setCookie).toMatch(/SameSite=Lax/i);
    expect(result.setCookie).not.toContain(KEYS.alpha);
  });

  it('refuses a wrong key without a cookie and never redirects off-site', async () => {
    const wrong = await signIn('not-a-key-0123456789');
    expect([wrong.status, wrong.cookie]).toEqual([401, null]);
    expect((await signIn(KEYS.alpha, '//evil.example/x')).location).toBe('/');
    expect((await signIn(KEYS.alpha, '/\\evil.example')).location).toBe('/');
  });

  it('lists only the signed-in client on the home page', async () => {
    expect((await get('/')).headers.get('location')).toBe('/login');
    const { cookie } = await signIn(KEYS.alpha);
    const home = await (await get('/', { cookie: cookie! })).text();
    expect(home).toContain('href="/alpha/grafana"');
    expect(home).not.toContain('beta');
  });

  it('ends the session when the key it signed in with is rotated', async () => {
    const { cookie } = await signIn(KEYS.alpha);
    const rotated = await buildTestApp(clients, { admin: KEYS.admin, clients: { alpha: 'alpha-rotated-0123456789', beta: KEYS.beta } });
    try {
      expect((await rotated.inject({ method: 'GET', url: '/clients', headers: { cookie: cookie! } })).statusCode).toBe(401);
    } finally {
      await rotated.close();
    }
  });

  it('lets a session read its own client through the API and nobody else', async () => {
    const { cookie } = await signIn(KEYS.alpha);
    expect((await get('/clients', { cookie: cookie! })).status).toBe(200);
    expect(await (await get('/clients', { cookie: cookie! })).json()).toMatchObject([{ id: 'alpha' }]);
    expect((await get('/api/beta/test', { cookie: cookie! })).status).toBe(404);
  });

  it('rejects a forged or tampered session cookie', async () => {
    const { cookie } = await signIn(KEYS.alpha);
    const forged = `${SESSION_COOKIE}=${Buffer.from(JSON.stringify({ p: { role: 'operator' }, exp: Date.now() + 1e6, k: 'x' })).toString('base64url')}.AAAA`;
    expect((await get('/clients', { cookie: forged })).status).toBe(401);
    expect((await get('/clients', { cookie: cookie!.replace(/.$/, (c) => (c === 'A' ? 'B' : 'A')) })).status).toBe(401);
  });

  it('rejects an expired session even with a valid signature', async () => {
    const body = Buffer.from(JSON.stringify({ p: { role: 'client', clientId: 'alpha' }, exp: Date.now() - 1000, k: 'x' })).toString('base64url');
    expect((await get('/clients', { cookie: `${SESSION_COOKIE}=${app.signCookie(body)}` })).status).toBe(401);
  });
});

describe('/{clientId}/grafana', () => {
  it('sends a browser without a session to sign in first', async () => {
    const res = await get('/alpha/grafana', { accept: 'text/html' });
    expect(res.status).toBe(302);
    expect(res.headers.get('location')).toBe('/login?next=%2Falpha%2Fgrafana');
  });

  it("redirects to the client's dashboard in its own organization", async () => {
    const { cookie } = await signIn(KEYS.alpha);
    const res = await get('/alpha/grafana', { cookie: cookie! });
    expect(res.status).toBe(302);
    expect(res.headers.get('location')).toBe('/grafana/d/chatbot-alpha/user-events-analytics?orgId=2');
  });

  it("answers 404 for another client's Grafana and lets the operator into any", async () => {
    const alpha = await signIn(KEYS.alpha);
    expect((await get('/beta/grafana', { cookie: alpha.cookie! })).status).toBe(404);
    const admin = await signIn(KEYS.admin);
    expect((await get('/beta/grafana', { cookie: admin.cookie! })).headers.get('location')).toContain('orgId=3');
  });
});

describe('/grafana/* proxy', () => {
  const spoofed = {
    'x-webauth-user': 'admin',
    'x-webauth-role': 'Admin',
    'x-webauth-email': 'boss@example.com',
    'x-grafana-org-id': '3',
    authorization: 'Basic YWRtaW46YWRtaW4=',
  };

  it('passes only the session user to Grafana, whatever the browser sends', async () => {
    const { cookie } = await signIn(KEYS.alpha);
    seen.length = 0;
    const res = await get('/grafana/api/user?orgId=2', { ...spoofed, cookie: `${cookie}; grafana_session=stolen; grafana_session_expiry=1; theme=dark` });
    expect(res.status).toBe(200);
    expect(seen).toHaveLength(1);
    const { url, headers } = seen[0]!;
    expect(url).toBe('/grafana/api/user?orgId=2');
    expect(headers['x-webauth-user']).toBe('client-alpha');
    for (const name of ['x-webauth-role', 'x-webauth-email', 'x-grafana-org-id', 'authorization']) expect(headers[name]).toBeUndefined();
    expect(headers.cookie).toBe('theme=dark');
  });

  it('proxies the operator as the Grafana admin user', async () => {
    const { cookie } = await signIn(KEYS.admin);
    seen.length = 0;
    await get('/grafana/api/user', { cookie: cookie! });
    expect(seen[0]!.headers['x-webauth-user']).toBe('admin');
  });

  it('lets nothing through without a session', async () => {
    seen.length = 0;
    expect((await get('/grafana/api/user', spoofed)).status).toBe(401);
    expect((await get('/grafana/', { accept: 'text/html' })).status).toBe(302);
    expect(seen).toHaveLength(0);
  });

  it('passes Grafana Live websocket upgrades with the session user and no spoofed header', async () => {
    const { cookie } = await signIn(KEYS.beta);
    seen.length = 0;
    const socket = new WebSocket(`${base.replace('http', 'ws')}/grafana/api/live/ws`, { headers: { ...spoofed, cookie: `${cookie}; grafana_session=stolen` } });
    const reply = await new Promise<string>((resolve, reject) => {
      socket.on('open', () => socket.send('ping'));
      socket.on('message', (data) => resolve(String(data)));
      socket.on('error', reject);
    });
    socket.close();
    expect(reply).toBe('echo:ping');
    const { url, headers } = seen[0]!;
    expect(url).toBe('/grafana/api/live/ws');
    expect(headers['x-webauth-user']).toBe('client-beta');
    for (const name of ['x-webauth-role', 'x-grafana-org-id', 'authorization']) expect(headers[name]).toBeUndefined();
    expect(headers.cookie ?? '').not.toMatch(/grafana_session|ca_session/);
  });

  it('refuses a websocket upgrade without a session', async () => {
    seen.length = 0;
    const socket = new WebSocket(`${base.replace('http', 'ws')}/grafana/api/live/ws`, { headers: spoofed });
    const outcome = await new Promise<string>((resolve) => {
      socket.on('open', () => resolve('open'));
      socket.on('unexpected-response', (_req, res) => resolve(`status ${res.statusCode}`));
      socket.on('error', () => resolve('error'));
    });
    expect(outcome).toBe('status 401');
    expect(seen).toHaveLength(0);
  });
});

describe('without GRAFANA_URL', () => {
  it('answers a clear 503 page on every Grafana path', async () => {
    const bare = await buildTestApp(clients, keys);
    try {
      const headers = { authorization: `Bearer ${KEYS.admin}` };
      for (const url of ['/grafana/', '/grafana/api/health', '/alpha/grafana']) {
        const res = await bare.inject({ method: 'GET', url, headers });
        expect(res.statusCode).toBe(503);
        expect(res.body).toContain('GRAFANA_URL is not set');
      }
    } finally {
      await bare.close();
    }
  });
});
