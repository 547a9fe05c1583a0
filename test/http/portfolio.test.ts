import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { asPlatformDatabase, createTestDatabase, type TestDatabase } from '../helpers/testDatabase.ts';
import { bearer, buildTestApp, KEYS, runtimeOf, testClient } from '../helpers/buildTestApp.ts';
import { loadPortfolioClient, PORTFOLIO_NOW, SILENT_UNTIL } from '../fixtures/portfolioFixture.ts';

/** `GET /api/portfolio` on hand-countable traffic (test/fixtures/portfolioFixture.ts), at the test clock. */
type App = Awaited<ReturnType<typeof buildTestApp>>;
let db: TestDatabase;
let platform: TestDatabase;
let raw: App;
let rolled: App;

const CLIENTS = () => [
  testClient('steady', 'Europe/London', db.url, 'steady'),
  testClient('silent', 'Europe/London', db.url, 'silent'),
  testClient('down', 'Europe/London', 'postgres://postgres@127.0.0.1:9/nowhere'),
];

beforeAll(async () => {
  [db, platform] = await Promise.all([createTestDatabase('portfolio'), createTestDatabase('portfolio_platform')]);
  await loadPortfolioClient(db.pool, 'steady', PORTFOLIO_NOW);
  await loadPortfolioClient(db.pool, 'silent', SILENT_UNTIL);
  raw = await buildTestApp(CLIENTS(), { admin: KEYS.admin, clients: { steady: KEYS.alpha } });
  rolled = await buildTestApp(CLIENTS(), { admin: KEYS.admin, platform: await asPlatformDatabase(platform) });
  await runtimeOf(rolled).rollups!.refresher.refreshAll();
  await runtimeOf(rolled).platform.pool.query(
    `INSERT INTO notify.alerts (client_id, rule, state, since, title, evaluated_at) VALUES
       ('silent', 'noData', 'firing', '2024-04-07T03:00:00Z', 'No data from Client silent', now()),
       ('steady', 'kpiDrop', 'ok', '2024-04-07T03:00:00Z', 'resolved long ago', now())`,
  );
}, 120_000);
afterAll(async () => {
  await raw?.close();
  await rolled?.close();
  await Promise.all([db?.drop(), platform?.drop()]);
});

const get = async (app: App, url: string, key = KEYS.admin) => app.inject({ method: 'GET', url, headers: bearer(key) });
const body = async (app: App, url: string, key = KEYS.admin) => {
  const res = await get(app, url, key);
  expect(res.statusCode, res.body).toBe(200);
  return res.json();
};
const change = (current: number | null, previous: number | null, rate = false) => expect.objectContaining({
  current, previous, change: current === null || previous === null ? null : expect.closeTo(current - previous, 12), ...(rate ? {} : { kind: 'count' }),
});

describe('GET /api/portfolio', () => {
  it('answers the last 7 local days against the 7 before, per client, from known traffic', async () => {
    const { clients } = await body(raw, '/api/portfolio');
    const steady = clients.find((c: { clientId: string }) => c.clientId === 'steady');
    expect(steady).toMatchObject({ state: 'ok', from: '2024-04-02T00:00:00.000+01:00', to: '2024-04-09T00:00:00.000+01:00', timezone: 'Europe/London' });
    expect(steady.kpis).toEqual({
      sessions: change(294, 334),
      widgetOpenRate: change(147 / 294, 334 / 334, true),
      humanRequestRate: change(147 / 147, 167 / 334, true),
      acceptRate: change(144 / 147, 166 / 167, true),
      leads: change(5, 3),
      unansweredHandoffs: change(3, 1),
    });
    expect(steady.trend).toEqual([...['02', '03', '04', '05', '06', '07'].map((d) => ({ date: `2024-04-${d}`, sessions: 48 })), { date: '2024-04-08', sessions: 6 }]);
    expect(steady.freshness).toEqual({
      lastSessionAt: '2024-04-08T01:15:00.000000Z', quietHours: 0.75, usualSinceLast: 1.5, baselineWeeks: 8, status: 'ok', summary: 'last session 45 min ago',
    });
  });

  it('flags the client that went quiet against its usual traffic for those hours', async () => {
    const { clients } = await body(raw, '/api/portfolio');
    const silent = clients.find((c: { clientId: string }) => c.clientId === 'silent');
    expect(silent.kpis.sessions).toEqual(change(242, 334));
    expect(silent.freshness).toEqual({
      lastSessionAt: '2024-04-06T23:15:00.000000Z', quietHours: 26.75, usualSinceLast: 53.5, baselineWeeks: 8, status: 'silent',
      summary: 'quiet for 27 h, usually 54 sessions in that time',
    });
  });

  it('lets a client whose database is down answer for itself, every other client unaffected', async () => {
    const { clients } = await body(raw, '/api/portfolio');
    expect(clients.map((c: { clientId: string; state: string }) => [c.clientId, c.state])).toEqual([['steady', 'ok'], ['silent', 'ok'], ['down', 'unavailable']]);
    expect(clients[2].error).toEqual({ code: 'DATABASE_UNAVAILABLE', message: "This client's database is unreachable" });
  });

  it('answers the same from the rollups as from raw SQL, with each client\'s open alerts', async () => {
    const strip = (b: { clients: { alerts: unknown }[] }) => b.clients.map(({ alerts: _a, ...row }) => row);
    const [fromRaw, fromRollups] = [await body(raw, '/api/portfolio?range=30d'), await body(rolled, '/api/portfolio?range=30d')];
    expect(strip(fromRollups)).toEqual(strip(fromRaw));
    expect(fromRollups.clients.map((c: { alerts: unknown }) => c.alerts)).toEqual([
      [], [{ rule: 'noData', state: 'firing', since: '2024-04-07T03:00:00.000Z', title: 'No data from Client silent' }], [],
    ]);
  });

  it('takes from/to as each client\'s local dates', async () => {
    const { clients } = await body(raw, '/api/portfolio?from=2024-04-03&to=2024-04-03&clients=steady');
    expect(clients).toHaveLength(1);
    expect(clients[0].kpis.sessions).toEqual(change(48, 48));
    expect(clients[0].kpis.unansweredHandoffs).toEqual(change(3, 0));
  });

  it('shows a client member only its own client, and any other as not found', async () => {
    const { clients } = await body(raw, '/api/portfolio', KEYS.alpha);
    expect(clients.map((c: { clientId: string }) => c.clientId)).toEqual(['steady']);
    expect((await get(raw, '/api/portfolio?clients=silent', KEYS.alpha)).statusCode).toBe(404);
    expect((await get(raw, '/api/portfolio?clients=nope')).statusCode).toBe(404);
    expect((await raw.inject({ method: 'GET', url: '/api/portfolio' })).statusCode).toBe(401);
  });

  it.each([
    ['range=7x', 'range: expected a number of days, 1d to 366d'],
    ['range=7d&from=2024-04-01', 'range: use either range or from/to'],
    ['from=2024-02-30', 'from: "2024-02-30" is not a valid date'],
  ])('answers 400 naming the field for %s', async (query, message) => {
    const res = await get(raw, `/api/portfolio?${query}`);
    expect([res.statusCode, res.json().error.message]).toEqual([400, message]);
  });
});
