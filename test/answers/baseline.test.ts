import { DateTime } from 'luxon';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AnswerDeps } from '../../src/answers/answerMetric.ts';
import { sessionBaseline } from '../../src/answers/baseline.ts';
import { metricQuery } from '../../src/analytics/query.ts';
import { rangeBetween } from '../../src/analytics/range.ts';
import { asPlatformDatabase, createTestDatabase, type TestDatabase } from '../helpers/testDatabase.ts';
import { buildTestApp, KEYS, runtimeOf, testClient } from '../helpers/buildTestApp.ts';
import { createUserEvents, upsertSessions, type TestSession } from '../rollups/support.ts';

/**
 * Known traffic in Europe/London: every real hour holds (local hour + 1) sessions, from 2024-02-05 to 2024-04-09
 * (across the March change, when 01:00 does not exist) and from 2024-10-01 to 2024-11-05 (across the October change,
 * when 01:00 happens twice). A baseline by local weekday-hour therefore expects exactly h + 1 per hour h.
 */
const ZONE = 'Europe/London';
type App = Awaited<ReturnType<typeof buildTestApp>>;
let clientDb: TestDatabase;
let emptyDb: TestDatabase;
let platformDb: TestDatabase;
let app: App;

function traffic(fromLocal: string, toLocal: string): TestSession[] {
  const rows: TestSession[] = [];
  const end = DateTime.fromISO(toLocal, { zone: ZONE }).toMillis();
  for (let t = DateTime.fromISO(fromLocal, { zone: ZONE }).toMillis(); t < end; t += 3_600_000) {
    const n = DateTime.fromMillis(t, { zone: ZONE }).hour + 1;
    for (let i = 0; i < n; i++) {
      const at = new Date(t + i * 60_000).toISOString();
      rows.push({ id: `s${t}-${i}`, pageLoaded: at, createdAt: at, updatedAt: at });
    }
  }
  return rows;
}

beforeAll(async () => {
  [clientDb, emptyDb, platformDb] = await Promise.all([createTestDatabase('baseline_client'), createTestDatabase('baseline_empty'), createTestDatabase('baseline_platform')]);
  await createUserEvents(clientDb.pool, 'public', 'timestamp');
  await createUserEvents(emptyDb.pool, 'public', 'timestamp');
  const rows = [...traffic('2024-02-05T00:00', '2024-04-09T00:00'), ...traffic('2024-10-01T00:00', '2024-11-05T00:00')];
  for (let i = 0; i < rows.length; i += 3000) await upsertSessions(clientDb.pool, 'public', rows.slice(i, i + 3000));
  app = await buildTestApp([testClient('london', ZONE, clientDb.url), testClient('empty', ZONE, emptyDb.url)], {
    admin: KEYS.admin, platform: await asPlatformDatabase(platformDb),
  });
  await runtimeOf(app).rollups!.refresher.refreshAll();
}, 120_000);
afterAll(async () => {
  await app?.close();
  await Promise.all([clientDb?.drop(), emptyDb?.drop(), platformDb?.drop()]);
});

const depsOf = (rollups: boolean): AnswerDeps => {
  const runtime = runtimeOf(app);
  return { databases: runtime.databases, cache: null, rollups: rollups ? runtime.rollups!.reader : null, now: () => new Date(), log: { warn: () => {} } };
};
const client = (id: string) => runtimeOf(app).registry.get(id)!;
const local = (iso: string) => DateTime.fromISO(iso, { zone: ZONE }).toJSDate();

describe.each([['raw SQL', false], ['rollups', true]] as const)('the session baseline from %s', (_label, rollups) => {
  it('expects each local hour\'s own traffic across the March change, prorating partial hours', async () => {
    const baseline = await sessionBaseline(depsOf(rollups), client('london'), local('2024-04-08T12:20'));
    expect(baseline.weeks).toBe(8);
    // Weeks 1..8 back from Monday 8 April reach into GMT (February); local hours line up, UTC hours would not.
    expect(baseline.expected(local('2024-04-08T09:00'), local('2024-04-08T10:00'))).toBeCloseTo(10, 9);
    expect(baseline.expected(local('2024-04-08T09:30'), local('2024-04-08T10:15'))).toBeCloseTo(0.5 * 10 + 0.25 * 11, 9);
    expect(baseline.expected(local('2024-04-08T00:00'), local('2024-04-09T00:00'))).toBeCloseTo(300, 9);
  });

  it('skips the week whose local hour did not exist (31 March, 01:00) rather than counting it as silent', async () => {
    const baseline = await sessionBaseline(depsOf(rollups), client('london'), local('2024-04-08T12:20'));
    expect(baseline.expected(local('2024-04-07T01:00'), local('2024-04-07T02:00'))).toBeCloseTo(2, 9);
  });

  it('expects a repeated hour twice on the October change day, and halves it as history a week later', async () => {
    const onTheDay = await sessionBaseline(depsOf(rollups), client('london'), new Date('2024-10-27T12:00:00Z'));
    // 00:00 BST to 03:00 GMT is four real hours: local 0, 1, 1, 2.
    expect(onTheDay.expected(local('2024-10-27T00:00'), new Date('2024-10-27T03:00:00Z'))).toBeCloseTo(1 + 2 + 2 + 3, 9);
    // Data from 1 October: the weeks back to 29 September 12:00 have some; the four before them none.
    expect(onTheDay.weeks).toBe(4);
    const weekLater = await sessionBaseline(depsOf(rollups), client('london'), new Date('2024-11-03T12:00:00Z'));
    expect(weekLater.expected(local('2024-11-03T01:00'), local('2024-11-03T02:00'))).toBeCloseTo(2, 9);
  });

  it('has no weeks and expects nothing for a client without history', async () => {
    const baseline = await sessionBaseline(depsOf(rollups), client('empty'), local('2024-04-08T12:20'));
    expect(baseline.weeks).toBe(0);
    expect(baseline.expected(local('2024-04-08T00:00'), local('2024-04-09T00:00'))).toBe(0);
  });

  it('counts only the weeks asked for', async () => {
    const baseline = await sessionBaseline(depsOf(rollups), client('london'), local('2024-04-08T12:20'), 4);
    expect(baseline.weeks).toBe(4);
    expect(baseline.expected(local('2024-04-08T23:00'), local('2024-04-09T00:00'))).toBeCloseTo(24, 9);
  });
});

it('reads the history from the rollups (the reader does not decline)', async () => {
  const runtime = runtimeOf(app);
  const source = await runtime.databases.source('london');
  const q = metricQuery(rangeBetween(ZONE, DateTime.fromISO('2024-02-05T12:00', { zone: ZONE }), DateTime.fromISO('2024-04-08T12:00', { zone: ZONE }), false));
  const rows = await runtime.rollups!.reader.dateHours('london', source, q);
  expect(rows).not.toBeNull();
  expect(rows!.find((r) => r.date === '2024-03-31' && r.hour === 1)).toBeUndefined();
  expect(rows!.find((r) => r.date === '2024-03-31' && r.hour === 2)).toEqual({ date: '2024-03-31', hour: 2, sessions: 3 });
});
