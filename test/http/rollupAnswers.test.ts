import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { asPlatformDatabase, createTestDatabase, type TestDatabase } from '../helpers/testDatabase.ts';
import { bearer, buildTestApp, KEYS, runtimeOf, testClient } from '../helpers/buildTestApp.ts';
import { createClientTables, insertDemoData } from '../../src/demo/insertDemoData.ts';
import { generateDemoData } from '../../src/demo/generateDemoData.ts';
import { upsertSessions } from '../rollups/support.ts';

/** The same requests through an app reading rollups and one reading raw SQL give the same answers. */
type App = Awaited<ReturnType<typeof buildTestApp>>;
let client: TestDatabase;
let platform: TestDatabase;
let raw: App;
let rolled: App;

beforeAll(async () => {
  client = await createTestDatabase('rollup_answers_client');
  platform = await createTestDatabase('rollup_answers_platform');
  await createClientTables(client.pool, 'public');
  const data = generateDemoData({ id: 'shop', timezone: 'Asia/Kolkata' }, { days: 40, sessionsPerDay: 80, now: new Date('2024-04-08T02:00:00Z') });
  await insertDemoData(client.pool, 'public', data);
  const shop = testClient('shop', 'Asia/Kolkata', client.url);
  raw = await buildTestApp([shop], { admin: KEYS.admin });
  rolled = await buildTestApp([shop], { admin: KEYS.admin, platform: await asPlatformDatabase(platform) });
  const [report] = await runtimeOf(rolled).rollups!.refresher.refreshAll();
  expect(report).toMatchObject({ clientId: 'shop', mode: 'full' });
}, 90_000);
afterAll(async () => {
  await raw?.close();
  await rolled?.close();
  await client?.drop();
  await platform?.drop();
});

const answer = async (app: App, url: string) => {
  const res = await app.inject({ method: 'GET', url, headers: bearer(KEYS.admin) });
  expect(res.statusCode, res.body).toBe(200);
  const { generatedAt: _ignored, ...body } = res.json();
  return body;
};

describe('rollups behind the API', () => {
  it('really answers from the rollups (the reader does not fall back)', async () => {
    const { reader } = runtimeOf(rolled).rollups!;
    const source = await runtimeOf(rolled).databases.source('shop');
    const { metricQuery } = await import('../../src/analytics/query.ts');
    const { resolveRange } = await import('../../src/analytics/range.ts');
    const q = metricQuery(resolveRange({ from: '2024-03-01', to: '2024-04-07' }, 'Asia/Kolkata'));
    expect(await reader.counts('shop', source, q)).not.toBeNull();
  });

  it.each([
    '/api/shop/funnel?from=2024-03-01&to=2024-04-07',
    '/api/shop/daily?from=2024-03-01&to=2024-04-07',
    '/api/shop/hourly?from=2024-03-01&to=2024-04-07&tz=America/St_Johns',
    '/api/shop/heatmap?from=2024-03-10T05:07:00Z&to=2024-04-02T11:52:30Z',
    '/api/shop/funnel?from=2024-03-01&to=2024-04-07&compare=previous',
    '/api/shop/funnel?from=2024-03-01&to=2024-04-07&mode=ordered',
    '/api/shop/leads?from=2024-03-01&to=2024-04-07',
    '/api/shop/lead-sources?from=2024-03-01&to=2024-04-07',
  ])('answers %s exactly as the raw SQL does', async (url) => {
    expect(await answer(rolled, url)).toEqual(await answer(raw, url));
  });

  it('answers /metrics from rollups like the raw SQL, its duration quantiles within the sketch\'s 1 % and marked approximate', async () => {
    const url = '/api/shop/metrics?from=2024-03-01&to=2024-04-07&compare=previous';
    const [exact, approx] = [await answer(raw, url), await answer(rolled, url)];
    expect(exact.duration.approximate).toBe(false);
    expect(approx.duration.approximate).toBe(true);
    type Duration = Record<'medianSeconds' | 'p90Seconds', number>;
    const within = (a: Duration, b: Duration) => {
      for (const key of ['medianSeconds', 'p90Seconds'] as const) expect(Math.abs(a[key] - b[key]), key).toBeLessThanOrEqual(0.01 * b[key] + 0.001);
    };
    within(approx.duration, exact.duration);
    within(approx.comparison.duration, exact.comparison.duration);
    // Everything else is identical, the mean included; so are the changes of every figure but the two quantiles.
    const rest = (body: Record<string, any>) => ({
      ...body,
      duration: { ...body.duration, medianSeconds: 0, p90Seconds: 0, approximate: null },
      comparison: { ...body.comparison, duration: { ...body.comparison.duration, medianSeconds: 0, p90Seconds: 0, approximate: null } },
      changes: body.changes.filter((c: { metric: string }) => !/^duration\.(median|p90)Seconds$/.test(c.metric)),
    });
    expect(rest(approx)).toEqual(rest(exact));
    expect(approx.changes).toHaveLength(exact.changes.length);
  });

  it('counts /metrics and /leads sessions from the rollups, not from the raw rows', async () => {
    // A session that committed late with an old updatedAt: raw SQL sees it at once, the rollups only after a refresh.
    await upsertSessions(client.pool, 'public', [{ id: 'late-one', pageLoaded: '2024-03-05T06:00:00Z', createdAt: '2024-03-05T06:00:00Z', updatedAt: '2024-03-05T06:00:00Z' }]);
    const url = (path: string) => `/api/shop/${path}?from=2024-03-01&to=2024-03-31`;
    const [rawMetrics, rolledMetrics] = [await answer(raw, url('metrics')), await answer(rolled, url('metrics'))];
    expect(rolledMetrics.sessions).toBe(rawMetrics.sessions - 1);
    expect((await answer(rolled, url('leads'))).sessions).toBe((await answer(raw, url('leads'))).sessions - 1);
    await runtimeOf(rolled).rollups!.refresher.refreshAll(); // the watermark is newer: an incremental pass does not see it
    expect((await answer(rolled, url('metrics'))).sessions).toBe(rawMetrics.sessions - 1);
  });
});
