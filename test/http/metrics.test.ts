import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MemoryBackend } from '../../src/cache/backends.ts';
import { ResultCache } from '../../src/cache/resultCache.ts';
import { loadSydneyFixture } from '../fixtures/sydneyFixture.ts';
import { bearer, buildTestApp, KEYS, runtimeOf, testClient } from '../helpers/buildTestApp.ts';
import { freePort } from '../helpers/freePort.ts';
import { labelValues, parseExposition, sampleValue, typeOf, type Scrape } from '../helpers/prometheusText.ts';
import { DEAD_DB_PASSWORD, METRICS_TOKEN } from '../helpers/secrets.ts';
import { startSmtpServer, type TestSmtp } from '../helpers/smtpServer.ts';
import { createTestDatabase, type TestDatabase } from '../helpers/testDatabase.ts';

type App = Awaited<ReturnType<typeof buildTestApp>>;
const APRIL = 'from=2024-04-06&to=2024-04-08';
const quiet = { warn: () => {} };

let alphaDb: TestDatabase;
let app: App;
let smtp: TestSmtp;
let deadServer: string;
let scrape: Scrape;
let text: string;

beforeAll(async () => {
  alphaDb = await createTestDatabase('metrics_alpha');
  await loadSydneyFixture(alphaDb.pool, 'public', 'timestamp');
  smtp = await startSmtpServer();
  const deadPort = await freePort(); // nothing listens there: a client whose database is down
  deadServer = `127.0.0.1:${deadPort}`;
  app = await buildTestApp([
    testClient('alpha', 'Australia/Sydney', alphaDb.url),
    testClient('down', 'UTC', `postgres://postgres:${DEAD_DB_PASSWORD}@127.0.0.1:${deadPort}/nowhere`),
  ], {
    admin: KEYS.admin, clients: { alpha: KEYS.alpha }, metricsToken: METRICS_TOKEN,
    cache: new ResultCache(new MemoryBackend(8 * 1024 * 1024), 60_000, quiet), notify: { smtpUrl: smtp.url },
  });
  const get = (url: string) => app.inject({ method: 'GET', url, headers: bearer(KEYS.admin) });
  // Known traffic, one request at a time.
  expect((await get(`/api/alpha/funnel?${APRIL}`)).statusCode).toBe(200); // cache miss
  expect((await get(`/api/alpha/funnel?${APRIL}`)).statusCode).toBe(200); // cache hit
  expect((await get(`/api/alpha/daily?${APRIL}`)).statusCode).toBe(200); // cache miss
  expect((await get(`/api/down/funnel?${APRIL}`)).json().error.code).toBe('DATABASE_UNAVAILABLE'); // miss, computed, failed
  expect((await get(`/api/down/funnel?${APRIL}`)).json().error.code).toBe('DATABASE_UNAVAILABLE'); // failures are not cached
  expect((await get('/api/nobody/funnel')).statusCode).toBe(404);
  expect((await get('/api/alpha/funnel?from=2024-02-30')).statusCode).toBe(400);
  expect((await get('/no/such/route/at/all')).statusCode).toBe(404);
  const runtime = runtimeOf(app);
  expect((await runtime.mailer.send({ to: 'ops@example.com', subject: 'Metrics test', text: 'One email.' })).status).toBe('sent');
  // Rollup state as the refresher writes it: alpha refreshed 90 s ago, and a row of a client the registry no longer has.
  await runtime.platform.pool.query(`INSERT INTO rollups.clients (client_id, layout, watermark, tail_start, built_at, refreshed_at)
    VALUES ('alpha', 'test', now(), now(), now(), now() - interval '90 seconds'), ('gone', 'test', now(), now(), now(), now())`);
  const res = await app.inject({ method: 'GET', url: '/metrics', headers: bearer(METRICS_TOKEN) });
  expect(res.statusCode).toBe(200);
  expect(res.headers['content-type']).toMatch(/^text\/plain; version=0\.0\.4/);
  text = res.body;
  scrape = parseExposition(text);
  expect(scrape.badLines).toEqual([]);
  expect(scrape.families.length).toBeGreaterThan(20);
}, 60_000);

afterAll(async () => {
  await app?.close();
  await alphaDb?.drop();
  await smtp?.close();
});

const requests = (route: string, status: number) =>
  sampleValue(scrape, 'cba_http_request_duration_seconds_count', { method: 'GET', route, status_code: String(status) });

describe('GET /metrics after known traffic', () => {
  it('counts requests by route pattern and status, never by URL', () => {
    expect(requests('/api/:clientId/funnel', 200)).toBe(2);
    expect(requests('/api/:clientId/daily', 200)).toBe(1);
    expect(requests('/api/:clientId/funnel', 503)).toBe(2);
    expect(requests('/api/:clientId/funnel', 404)).toBe(1);
    expect(requests('/api/:clientId/funnel', 400)).toBe(1);
    expect(requests('unmatched', 404)).toBe(1);
    const routes = labelValues(scrape, 'cba_http_request_duration_seconds_count', 'route');
    expect(routes.filter((route) => /alpha|down|nobody|no\/such/.test(route))).toEqual([]);
    expect(typeOf(scrape, 'cba_http_request_duration_seconds')).toBe('HISTOGRAM');
    expect(sampleValue(scrape, 'cba_http_request_duration_seconds_bucket', { route: '/api/:clientId/funnel', status_code: '200', le: '+Inf' })).toBe(2);
  });

  it("counts each client's answers and failures under its id, and only known clients", () => {
    expect(sampleValue(scrape, 'cba_client_answers_total', { client: 'alpha' })).toBe(3);
    expect(sampleValue(scrape, 'cba_client_answers_total', { client: 'down' })).toBe(0);
    expect(sampleValue(scrape, 'cba_client_errors_total', { client: 'down', code: 'DATABASE_UNAVAILABLE' })).toBe(2);
    expect(labelValues(scrape, 'cba_client_answers_total', 'client')).toEqual(['alpha', 'down']);
    expect(labelValues(scrape, 'cba_client_errors_total', 'client')).toEqual(['down']);
    // no histogram carries a client label
    const histograms = scrape.families.filter((f) => f.type === 'HISTOGRAM').map((f) => f.name);
    expect(scrape.samples.filter((s) => histograms.some((h) => s.name.startsWith(h)) && 'client' in s.labels)).toEqual([]);
  });

  it('counts result cache hits and misses', () => {
    expect(sampleValue(scrape, 'cba_cache_lookups_total', { outcome: 'hit' })).toBe(1);
    expect(sampleValue(scrape, 'cba_cache_lookups_total', { outcome: 'miss' })).toBe(4);
  });

  it("reports each client database server's connections against its budget", () => {
    expect(sampleValue(scrape, 'cba_db_connections_max', { server: '127.0.0.1:5432' })).toBe(20);
    expect(sampleValue(scrape, 'cba_db_connections', { server: '127.0.0.1:5432', state: 'in_use' })).toBe(0);
    expect(sampleValue(scrape, 'cba_db_connections', { server: '127.0.0.1:5432', state: 'idle' })).toBeGreaterThanOrEqual(1);
    expect(sampleValue(scrape, 'cba_db_connections', { server: deadServer, state: 'in_use' })).toBe(0);
    expect(sampleValue(scrape, 'cba_db_connections', { server: deadServer, state: 'idle' })).toBe(0);
    expect(sampleValue(scrape, 'cba_db_waiting_requests', { server: deadServer })).toBe(0);
  });

  it('reports the platform database and the rollup lag of known clients only', () => {
    expect(sampleValue(scrape, 'cba_platform_database_up')).toBe(1);
    expect(sampleValue(scrape, 'cba_platform_db_waiting_requests')).toBe(0);
    const lag = sampleValue(scrape, 'cba_rollup_lag_seconds', { client: 'alpha' })!;
    expect(lag).toBeGreaterThanOrEqual(90);
    expect(lag).toBeLessThan(90 + 60);
    expect(labelValues(scrape, 'cba_rollup_lag_seconds', 'client')).toEqual(['alpha']);
  });

  it('counts emails by outcome, and starts webhook counters at zero', () => {
    expect(smtp.messages.map((m) => m.subject)).toEqual(['Metrics test']);
    expect(sampleValue(scrape, 'cba_deliveries_total', { channel: 'email', status: 'sent' })).toBe(1);
    expect(sampleValue(scrape, 'cba_deliveries_total', { channel: 'email', status: 'failed' })).toBe(0);
    expect(sampleValue(scrape, 'cba_deliveries_total', { channel: 'webhook', status: 'sent' })).toBe(0);
    expect(sampleValue(scrape, 'cba_deliveries_total', { channel: 'webhook', status: 'failed' })).toBe(0);
  });

  it("exports the job queue's metrics and prom-client's process metrics", () => {
    expect(typeOf(scrape, 'cba_job_queue_jobs')).toBe('GAUGE');
    expect(typeOf(scrape, 'cba_job_failures_total')).toBe('COUNTER');
    expect(sampleValue(scrape, 'process_resident_memory_bytes')).toBeGreaterThan(0);
  });

  it('never shows a secret: no database URL, password or token', () => {
    expect(text).not.toContain(DEAD_DB_PASSWORD);
    expect(text).not.toContain(METRICS_TOKEN);
    expect(text).not.toContain('postgres://');
  });
});

describe('who may read /metrics', () => {
  const read = (headers: Record<string, string> = {}) => app.inject({ method: 'GET', url: '/metrics', headers });

  it('answers 401 without a credential, or with a wrong token', async () => {
    const none = await read();
    expect(none.statusCode).toBe(401);
    expect(none.headers['www-authenticate']).toBe('Bearer');
    expect(none.json().error.code).toBe('UNAUTHORIZED');
    expect((await read(bearer('metrics-token-but-not-the-right-one'))).statusCode).toBe(401);
  });

  it('answers 403 to a credential that is not an admin, 200 to the admin key', async () => {
    expect((await read(bearer(KEYS.alpha))).statusCode).toBe(403);
    const admin = await read(bearer(KEYS.admin));
    expect(admin.statusCode).toBe(200);
    expect(admin.body).toContain('# TYPE cba_client_answers_total counter');
  });

  it('stays closed on an open platform, where everyone else is the demo admin', async () => {
    const open = await buildTestApp([testClient('alpha', 'Australia/Sydney', alphaDb.url)]);
    try {
      expect((await open.inject({ method: 'GET', url: '/clients' })).statusCode).toBe(200); // open indeed
      expect((await open.inject({ method: 'GET', url: '/metrics' })).statusCode).toBe(401);
    } finally {
      await open.close();
    }
  });

  it('keeps apps apart: each runtime has its own registry', async () => {
    const other = await buildTestApp([testClient('alpha', 'Australia/Sydney', alphaDb.url)], { metricsToken: METRICS_TOKEN });
    try {
      const fresh = parseExposition((await other.inject({ method: 'GET', url: '/metrics', headers: bearer(METRICS_TOKEN) })).body);
      expect(sampleValue(fresh, 'cba_client_answers_total', { client: 'alpha' })).toBe(0);
      expect(sampleValue(scrape, 'cba_client_answers_total', { client: 'alpha' })).toBe(3);
    } finally {
      await other.close();
    }
  });
});
