import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ClientSource } from '../../src/tenants/clientSource.ts';
import { migratePlatform } from '../../src/platform/migrations.ts';
import { refreshRollups, type RefreshReport } from '../../src/rollups/refreshRollups.ts';
import { RollupReader } from '../../src/rollups/rollupReader.ts';
import { createTestDatabase, type TestDatabase } from '../helpers/testDatabase.ts';
import { scenario, scenarioQueries, toSession, type Change, type RangeQuery } from './arbitraries.ts';
import { createUserEvents, rawAnswers, rolledAnswers, sourceOf, upsertSessions, type TestSession } from './support.ts';

/**
 * The proof that rollups are exact: on random sessions, random incremental changes, random ranges and random time
 * zones, the reader's answers equal getCounts / getDaily / getHourly / getHeatmap on the raw rows — after the full
 * build, after an incremental refresh, and with fresh sessions written after it (the raw tail).
 */
const OVERLAP_SECONDS = 300;
/** Fixed by default; `ROLLUP_PROPERTY_SEED` / `ROLLUP_PROPERTY_RUNS` explore further without changing the test. */
const SEED = Number(process.env.ROLLUP_PROPERTY_SEED ?? 20240407);
const RUNS = Number(process.env.ROLLUP_PROPERTY_RUNS ?? 30);

let client: TestDatabase;
let platform: TestDatabase;
let reader: RollupReader;
let run = 0;
let STAGE = '';

beforeAll(async () => {
  [client, platform] = await Promise.all([createTestDatabase('rollup_exact'), createTestDatabase('rollup_exact_platform')]);
  await migratePlatform(platform.pool);
  reader = new RollupReader(platform.pool, () => client.pool);
});

afterAll(async () => {
  await client?.drop();
  await platform?.drop();
});

/** Every query's four answers, from rollups and raw, must be identical; the reader may not decline (default funnel). */
async function expectIdentical(clientId: string, source: ClientSource, start: number, queries: RangeQuery[]) {
  let compared = 0;
  for (const { q } of scenarioQueries(start, queries)) {
    const rolled = await rolledAnswers(reader, clientId, source, q);
    expect(rolled, `${STAGE} ${q.range.timezone} ${q.range.from.toISO()} .. ${q.range.to.toISO()}`).toStrictEqual(await rawAnswers(client.pool, source, q));
    compared++;
  }
  return compared;
}

/** Applies the changes to the current rows, each stamped as the change says. */
function applyChanges(rows: Map<string, TestSession>, changes: Change[], start: number, watermark: string, clock: () => string): TestSession[] {
  const changed = new Map<string, TestSession>();
  const ids = () => [...rows.keys()];
  changes.forEach((c, i) => {
    const updatedAt = c.stamp.kind === 'advance' ? clock()
      : new Date(Date.parse(watermark) - (c.stamp.kind === 'under' ? c.stamp.ms : 0)).toISOString();
    let row: TestSession | undefined;
    if (c.kind === 'new' || c.kind === 'late') row = toSession(`c${i}`, start, c.shape, updatedAt);
    else {
      const existing = ids().length > 0 ? rows.get(ids()[c.pick % ids().length]!) : undefined;
      if (!existing) return;
      row = { ...existing, updatedAt };
      if (c.kind === 'gain') row[c.column] = new Date(Date.parse(row.pageLoaded ?? row.createdAt) + c.delay).toISOString();
      if (c.kind === 'clear') row[c.column] = null;
      if (c.kind === 'pageLoaded') row.pageLoaded = new Date(Date.parse(row.createdAt) + c.delay).toISOString();
    }
    rows.set(row.id, row);
    changed.set(row.id, row);
  });
  return [...changed.values()];
}

describe('rollups are exact', () => {
  it('equal the raw SQL on random data, changes, ranges and time zones', async () => {
    let compared = 0;
    const modes: string[] = [];
    await fc.assert(fc.asyncProperty(scenario, async (s) => {
      const clientId = `p${++run}`;
      await createUserEvents(client.pool, clientId, s.kind);
      let now = s.window + s.clockStart;
      const clock = () => new Date((now += 1000)).toISOString();

      const rows = new Map(s.sessions.map((shape, i) => [`s${i}`, toSession(`s${i}`, s.window, shape, clock())]));
      await upsertSessions(client.pool, clientId, [...rows.values()]);
      const source = await sourceOf(client.pool, clientId);
      const refresh = () => refreshRollups(client.pool, platform.pool, clientId, source, { overlapSeconds: OVERLAP_SECONDS });
      const built: RefreshReport = await refresh();
      modes.push(built.mode);
      STAGE = 'built'; compared += await expectIdentical(clientId, source, s.window, s.queries);

      await upsertSessions(client.pool, clientId, applyChanges(rows, s.changes, s.window, built.watermark!, clock));
      const refreshed = await refresh();
      modes.push(refreshed.mode);
      STAGE = 'refreshed'; compared += await expectIdentical(clientId, source, s.window, s.queries);

      // Written after the refresh at or after the fresh tail's start: counted at once, without another refresh.
      const tail = Date.parse(refreshed.tailStart!);
      await upsertSessions(client.pool, clientId, s.fresh.map((f, i) => toSession(`f${i}`, tail, f.shape, clock())));
      STAGE = 'fresh'; compared += await expectIdentical(clientId, source, s.window, s.queries);
    }), { seed: SEED, numRuns: RUNS });
    expect(modes.filter((m) => m === 'full')).toHaveLength(RUNS);
    expect(modes.filter((m) => m === 'incremental')).toHaveLength(RUNS);
    expect(compared).toBeGreaterThan(RUNS * 6); // the whole window, and most random ranges, are valid ones
  }, 600_000);
});
