import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort } from '../helpers/freePort.ts';
import { DEAD_DB_PASSWORD } from '../helpers/secrets.ts';
import { createTestDatabase, type TestDatabase } from '../helpers/testDatabase.ts';
import { loadSydneyFixture } from '../fixtures/sydneyFixture.ts';
import { bearer, buildTestApp, KEYS, testClient } from '../helpers/buildTestApp.ts';

type App = Awaited<ReturnType<typeof buildTestApp>>;
const APRIL = 'from=2024-04-06&to=2024-04-08';
const ENDPOINTS = ['funnel', 'daily', 'hourly', 'heatmap', 'metrics', 'sessions', 'leads', 'test'];

let alphaDb: TestDatabase;
let betaDb: TestDatabase;
let app: App;
let deadUrl: string;

beforeAll(async () => {
  alphaDb = await createTestDatabase('api_alpha');
  betaDb = await createTestDatabase('api_beta');
  await loadSydneyFixture(alphaDb.pool, 'public', 'timestamp');
  // beta: three sessions of its own, London time, timestamptz columns
  await betaDb.pool.query(`CREATE TABLE "UserEvents" ("sessionId" TEXT PRIMARY KEY, "pageLoaded" TIMESTAMPTZ, "widgetOpened" TIMESTAMPTZ,
    "requestedHuman" TIMESTAMPTZ, "pressedAccept" TIMESTAMPTZ, "pressedCallback" TIMESTAMPTZ, "pressedContinue" TIMESTAMPTZ,
    "createdAt" TIMESTAMPTZ NOT NULL, "updatedAt" TIMESTAMPTZ NOT NULL)`);
  await betaDb.pool.query(`INSERT INTO "UserEvents" VALUES
    ('beta-1', '2024-04-07T09:00:00Z', '2024-04-07T09:01:00Z', NULL, NULL, NULL, NULL, '2024-04-07T09:00:00Z', '2024-04-07T09:01:00Z'),
    ('beta-2', '2024-04-07T10:00:00Z', NULL, NULL, NULL, NULL, NULL, '2024-04-07T10:00:00Z', '2024-04-07T10:00:00Z'),
    ('beta-3', '2024-04-07T11:00:00Z', NULL, NULL, NULL, NULL, NULL, '2024-04-07T11:00:00Z', '2024-04-07T11:00:00Z')`);
  // nothing listens on that port: the "database is down" case, on a real socket
  deadUrl = `postgres://postgres:${DEAD_DB_PASSWORD}@127.0.0.1:${await freePort()}/nowhere`;
  app = await buildTestApp(
    [
      testClient('alpha', 'Australia/Sydney', alphaDb.url),
      testClient('beta', 'Europe/London', betaDb.url),
      testClient('down', 'UTC', deadUrl),
      testClient('unset', 'UTC', null),
    ],
    { admin: KEYS.admin, clients: { alpha: KEYS.alpha, beta: KEYS.beta } },
  );
}, 60_000);

afterAll(async () => {
  await app?.close();
  await alphaDb?.drop();
  await betaDb?.drop();
});

const get = (url: string, key: string | null = KEYS.admin) => app.inject({ method: 'GET', url, headers: key ? bearer(key) : {} });

describe('endpoints', () => {
  it('answers the funnel with resolved bounds in the client time zone', async () => {
    const res = await get(`/api/alpha/funnel?${APRIL}`, KEYS.alpha);
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({
      clientId: 'alpha', timezone: 'Australia/Sydney',
      from: '2024-04-06T00:00:00.000+11:00', to: '2024-04-09T00:00:00.000+10:00', sessions: 9,
    });
    expect(res.json().steps.map((s: { count: number }) => s.count)).toEqual([8, 5, 4]);
  });

  it('defaults to the last 30 local days including today', async () => {
    const res = await get('/api/alpha/daily');
    expect(res.json().days).toHaveLength(30);
    expect(res.json().days.at(-1).date).toBe('2024-04-08');
    expect(res.json().days.reduce((n: number, d: { sessions: number }) => n + d.sessions, 0)).toBe(11);
  });

  it('returns 24 hours with the peak hour, and 168 heatmap cells', async () => {
    const hourly = (await get(`/api/alpha/hourly?${APRIL}`)).json();
    expect(hourly.hours).toHaveLength(24);
    expect(hourly.peakHour).toBe(2);
    const heatmap = (await get(`/api/alpha/heatmap?${APRIL}`)).json();
    expect(heatmap.cells).toHaveLength(168);
    expect(heatmap.cells.reduce((n: number, c: { sessions: number }) => n + c.sessions, 0)).toBe(9);
  });

  it('serves metrics, sessions and leads with exact numbers', async () => {
    const metrics = (await get(`/api/alpha/metrics?${APRIL}`)).json();
    expect(metrics.duration).toEqual({ sessions: 6, medianSeconds: 150, p90Seconds: 360, meanSeconds: 195, approximate: false });
    expect(metrics.peakHours).toEqual([2, 23, 0]);
    const sessions = (await get(`/api/alpha/sessions?${APRIL}&limit=2`)).json();
    expect(sessions.sessions.map((s: { sessionId: string }) => s.sessionId)).toEqual(['s04', 's11']);
    const next = (await get(`/api/alpha/sessions?${APRIL}&limit=2&cursor=${sessions.nextCursor}`)).json();
    expect(next.sessions.map((s: { sessionId: string }) => s.sessionId)).toEqual(['s07', 's10']);
    const leads = (await get(`/api/alpha/leads?${APRIL}`)).json();
    expect(leads).toMatchObject({ available: true, total: 3, withEmail: 2, withPhone: 2 });
  });

  it('reports leads as unavailable, still 200, when the table is missing', async () => {
    const res = await get(`/api/beta/leads?${APRIL}`);
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({ available: false, reason: 'The client database has no "Leads" table' });
  });

  it('tests the connection and lists the tables that exist', async () => {
    const res = await get('/api/beta/test');
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({ ok: true, tables: { UserEvents: true, Leads: false, ChatLog: false, AgentConnection: false } });
    expect(res.json().serverVersion).toMatch(/^\d+/);
  });

  it('serves health without credentials and an OpenAPI document built from the route schemas', async () => {
    expect((await get('/health', null)).json()).toEqual({ status: 'ok' });
    const doc = (await get('/openapi.json', null)).json();
    expect(doc.openapi).toMatch(/^3\./);
    expect(Object.keys(doc.paths)).toEqual(expect.arrayContaining(ENDPOINTS.map((e) => `/api/{clientId}/${e}`)));
    expect(doc.paths['/api/{clientId}/sessions'].get.parameters.map((p: { name: string }) => p.name)).toEqual(
      expect.arrayContaining(['from', 'to', 'tz', 'limit', 'cursor', 'clientId']),
    );
    expect((await get('/docs', null)).statusCode).toBeLessThan(400);
  });
});

describe('a client whose database is down', () => {
  it('answers 503 for itself while other clients keep answering 200', async () => {
    const [down, alpha] = await Promise.all([get(`/api/down/funnel?${APRIL}`), get(`/api/alpha/funnel?${APRIL}`)]);
    expect(down.statusCode).toBe(503);
    expect(down.json()).toEqual({ error: { code: 'DATABASE_UNAVAILABLE', message: "This client's database is unreachable" } });
    expect(alpha.statusCode).toBe(200);
  });

  it('reports a failed connection test without revealing the URL', async () => {
    const res = await get('/api/down/test');
    expect(res.statusCode).toBe(503);
    expect(res.json()).toEqual({ ok: false, error: "This client's database is unreachable" });
    expect(res.body).not.toContain(DEAD_DB_PASSWORD);
    expect(res.body).not.toContain('127.0.0.1');
  });

  it('answers 503 for a client with no database configured', async () => {
    const res = await get('/api/unset/funnel');
    expect(res.statusCode).toBe(503);
    expect(res.json().error.code).toBe('DATABASE_NOT_CONFIGURED');
  });
});

describe('bad input', () => {
  const cases: [string, string][] = [
    ['from=2024-13-01', 'from'],
    ['from=2024-02-30', 'from'],
    ['from=yesterday', 'from'],
    ['to=2024-04-06T10:00:00', 'to'],
    ['from=2024-04-08&to=2024-04-06', 'from'],
    ['from=2020-01-01&to=2024-01-01', 'to'],
    ['tz=Mars/Olympus', 'tz'],
    ["tz=UTC'; DROP TABLE \"UserEvents\"; --", 'tz'],
    ['from=2024-04-06&from=2024-04-07', 'from'],
    [`from=${'9'.repeat(100)}`, 'from'],
  ];
  it.each(cases)('rejects %s with a 400 naming %s', async (query, field) => {
    const res = await get(`/api/alpha/funnel?${query}`);
    expect(res.statusCode).toBe(400);
    expect(res.json().error.code).toBe('INVALID_PARAMETER');
    expect(res.json().error.message.startsWith(`${field}:`)).toBe(true);
  });

  it.each([['limit=0', 'limit'], ['limit=abc', 'limit'], ['limit=501', 'limit'], ['cursor=not-a-cursor', 'cursor'], ['cursor=WyJ4IiwxXQ', 'cursor']])(
    'rejects sessions %s with a 400 naming %s',
    async (query, field) => {
      const res = await get(`/api/alpha/sessions?${query}`);
      expect(res.statusCode).toBe(400);
      expect(res.json().error.message.startsWith(`${field}:`)).toBe(true);
    },
  );

  it.each([
    '/api/alpha/funnel?from=2024-04-06T25:00:00Z',
    '/api/alpha/funnel?from=2024-04-06T10:00:00%2B25:00',
    '/api/alpha/daily?tz=%00',
    '/api/alpha/daily?tz=../../etc/passwd',
    '/api/%ZZ/funnel',
    `/api/${'a'.repeat(100)}/funnel`,
    '/api/alpha/sessions?limit=1e3',
    '/api/alpha/sessions?cursor=%F0%28%8C%28',
  ])('answers %s with a 4xx in the error shape, never a 500', async (url) => {
    const res = await get(url);
    expect(res.statusCode).toBeGreaterThanOrEqual(400);
    expect(res.statusCode).toBeLessThan(500);
    expect(res.json()).toEqual({ error: { code: expect.any(String), message: expect.any(String) } });
  });

  it('treats empty parameters as not given', async () => {
    expect((await get('/api/alpha/daily?from=&to=&tz=')).json().days).toHaveLength(30);
  });

  it('validates parameters before touching the database', async () => {
    expect((await get('/api/down/funnel?from=nope')).statusCode).toBe(400);
  });

  it('answers 404 for an unknown client and an unknown route', async () => {
    expect((await get('/api/nobody/funnel')).statusCode).toBe(404);
    expect((await get('/api/ALPHA/funnel')).statusCode).toBe(404);
    expect((await get('/api/alpha/nothing')).json().error.code).toBe('NOT_FOUND');
  });

  it('still has the data after an injection attempt in every parameter', async () => {
    const evil = encodeURIComponent(`'); DELETE FROM "UserEvents"; --`);
    for (const p of ['from', 'to', 'tz', 'cursor']) await get(`/api/alpha/sessions?${p}=${evil}`);
    expect((await get(`/api/alpha/funnel?${APRIL}`)).json().sessions).toBe(9);
  });
});

describe('authentication and permissions', () => {
  it('rejects a missing or wrong key with 401', async () => {
    const missing = await get('/api/alpha/funnel', null);
    expect(missing.statusCode).toBe(401);
    expect(missing.headers['www-authenticate']).toBe('Bearer');
    expect((await get('/api/alpha/funnel', 'wrong-key-0123456789')).statusCode).toBe(401);
    expect((await get('/clients', null)).statusCode).toBe(401);
  });

  it('lists only the clients a key may see, without database URLs', async () => {
    const all = await get('/clients', KEYS.admin);
    expect(all.json().map((c: { id: string }) => c.id)).toEqual(['alpha', 'beta', 'down', 'unset']);
    expect(all.body).not.toMatch(/postgres:|dbUrl|database/);
    expect(all.body).not.toContain(DEAD_DB_PASSWORD);
    expect((await get('/clients', KEYS.alpha)).json().map((c: { id: string }) => c.id)).toEqual(['alpha']);
  });

  it.each(ENDPOINTS)("hides another client's %s behind a 404 and never mixes data", async (endpoint) => {
    const foreign = await get(`/api/beta/${endpoint}?${APRIL}`, KEYS.alpha);
    expect(foreign.statusCode).toBe(404);
    expect(foreign.body).not.toContain('beta-');
    const own = await get(`/api/beta/${endpoint}?${APRIL}`, KEYS.beta);
    expect(own.statusCode).toBe(200);
    expect(own.body).not.toMatch(/"s\d\d"|Australia/);
    const admin = await get(`/api/alpha/${endpoint}?${APRIL}`, KEYS.admin);
    expect(admin.statusCode).toBe(200);
    expect(admin.body).not.toContain('beta-');
  });

  it("keeps the other client's numbers separate", async () => {
    expect((await get(`/api/beta/funnel?${APRIL}`, KEYS.beta)).json().sessions).toBe(3);
    expect((await get(`/api/alpha/funnel?${APRIL}`, KEYS.alpha)).json().sessions).toBe(9);
  });
});

describe('with no key configured', () => {
  it('is open to requests without credentials', async () => {
    const open = await buildTestApp([testClient('beta', 'Europe/London', betaDb.url)]);
    try {
      expect((await open.inject({ method: 'GET', url: `/api/beta/funnel?${APRIL}` })).json().sessions).toBe(3);
    } finally {
      await open.close();
    }
  });
});
