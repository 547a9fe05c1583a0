import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { getDuration, type SessionDuration } from '../../src/analytics/getDuration.ts';
import type { ClientSource } from '../../src/tenants/clientSource.ts';
import { migratePlatform } from '../../src/platform/migrations.ts';
import { durationFromBins, RELATIVE_ERROR } from '../../src/rollups/durationSketch.ts';
import { refreshRollups } from '../../src/rollups/refreshRollups.ts';
import { RollupReader } from '../../src/rollups/rollupReader.ts';
import { createTestDatabase, type TestDatabase } from '../helpers/testDatabase.ts';
import { scenario, scenarioQueries, toSession, type RangeQuery } from './arbitraries.ts';
import { createUserEvents, sourceOf, upsertSessions } from './support.ts';

/**
 * Session durations from rollups against `getDuration` on the raw rows, on the exactness property's random data,
 * changes, ranges and zones: the same sessions, the mean exact, median and p90 within the sketch's stated bound.
 */
const SEED = Number(process.env.ROLLUP_PROPERTY_SEED ?? 20240407);
const RUNS = Number(process.env.ROLLUP_PROPERTY_RUNS ?? 15);
/** The answer is rounded to the millisecond on both sides. */
const ROUNDING = 0.001;

let client: TestDatabase;
let platform: TestDatabase;
let reader: RollupReader;
let run = 0;

beforeAll(async () => {
  [client, platform] = await Promise.all([createTestDatabase('rollup_durations'), createTestDatabase('rollup_durations_platform')]);
  await migratePlatform(platform.pool);
  reader = new RollupReader(platform.pool, () => client.pool);
});

afterAll(async () => {
  await client?.drop();
  await platform?.drop();
});

function expectWithinBound(rolled: SessionDuration, raw: SessionDuration, label: string) {
  expect(rolled.approximate, label).toBe(true);
  expect(rolled.sessions, label).toBe(raw.sessions);
  if (raw.sessions === 0) return expect(rolled.medianSeconds, label).toBeNull();
  expect(Math.abs(rolled.meanSeconds! - raw.meanSeconds!), `${label} mean`).toBeLessThanOrEqual(ROUNDING);
  for (const key of ['medianSeconds', 'p90Seconds'] as const) {
    expect(Math.abs(rolled[key]! - raw[key]!), `${label} ${key}: ${rolled[key]} vs ${raw[key]}`)
      .toBeLessThanOrEqual(RELATIVE_ERROR * raw[key]! + ROUNDING);
  }
}

/** Every query compared; the whole window (which holds whole days) must be answered from rollups, not declined. */
async function expectDurations(clientId: string, source: ClientSource, start: number, queries: RangeQuery[], stage: string) {
  let rolledCount = 0;
  for (const { q, whole } of scenarioQueries(start, queries)) {
    const raw = await getDuration(client.pool, source, q);
    const rolled = await reader.durations(clientId, source, q);
    const label = `${stage} ${q.range.timezone} ${q.range.from.toISO()} .. ${q.range.to.toISO()}`;
    if (whole) expect(rolled, `${label}: the reader declined the whole window`).not.toBeNull();
    if (rolled) {
      expectWithinBound(rolled, raw, label);
      rolledCount++;
    }
  }
  return rolledCount;
}

describe('session durations from rollups', () => {
  it('are within the stated bound of the raw SQL on random data, changes, ranges and time zones', async () => {
    let answered = 0;
    await fc.assert(fc.asyncProperty(scenario, async (s) => {
      const clientId = `d${++run}`;
      await createUserEvents(client.pool, clientId, s.kind);
      let now = s.window + s.clockStart;
      const clock = () => new Date((now += 1000)).toISOString();
      const rows = new Map(s.sessions.map((shape, i) => [`s${i}`, toSession(`s${i}`, s.window, shape, clock())]));
      await upsertSessions(client.pool, clientId, [...rows.values()]);
      const source = await sourceOf(client.pool, clientId);
      const refresh = () => refreshRollups(client.pool, platform.pool, clientId, source, { overlapSeconds: 300 });
      await refresh();
      answered += await expectDurations(clientId, source, s.window, s.queries, 'built');

      // Every session gains a later step (durations grow, flags often stay), then an incremental refresh.
      const later = [...rows.values()].map((row) => ({
        ...row, updatedAt: clock(), pressedContinue: new Date(Date.parse(row.pageLoaded ?? row.createdAt) + 1234_567).toISOString(),
      }));
      await upsertSessions(client.pool, clientId, later);
      expect((await refresh()).mode).toBe('incremental');
      answered += await expectDurations(clientId, source, s.window, s.queries, 'refreshed');
    }), { seed: SEED, numRuns: RUNS });
    expect(answered).toBeGreaterThanOrEqual(RUNS * 2);
  }, 600_000);

  it('interpolates between ranks as percentile_cont does, so two far-apart durations keep their median', () => {
    const bin = (s: number) => Math.ceil(Math.log(s) / Math.log((1 + RELATIVE_ERROR) / (1 - RELATIVE_ERROR)));
    const answer = durationFromBins([{ bin: bin(10), sessions: 1, seconds: 10 }, { bin: bin(100), sessions: 1, seconds: 100 }]);
    expect(answer.sessions).toBe(2);
    expect(answer.meanSeconds).toBe(55);
    expect(Math.abs(answer.medianSeconds! - 55)).toBeLessThanOrEqual(55 * RELATIVE_ERROR);
    expect(Math.abs(answer.p90Seconds! - 91)).toBeLessThanOrEqual(91 * RELATIVE_ERROR);
  });
});
