import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tableRef } from '../../src/db/identifiers.ts';
import { coveringRanges } from '../../src/rollups/recomputeBuckets.ts';
import { lockKey } from '../../src/rollups/schema.ts';
import { migratePlatform } from '../../src/platform/migrations.ts';
import { rebuildRollups } from '../../src/rollups/rebuildRollups.ts';
import { refreshRollups, type RefreshProgress } from '../../src/rollups/refreshRollups.ts';
import { RollupReader } from '../../src/rollups/rollupReader.ts';
import { createTestDatabase, type TestDatabase } from '../helpers/testDatabase.ts';
import { loadSydneyFixture } from '../fixtures/sydneyFixture.ts';
import { bucketRows, createUserEvents, queryOf, rawAnswers, rolledAnswers, sourceOf, upsertSessions, type TestSession } from './support.ts';

let client: TestDatabase;
let platform: TestDatabase;
let reader: RollupReader;

beforeAll(async () => {
  [client, platform] = await Promise.all([createTestDatabase('rollup_client'), createTestDatabase('rollup_platform')]);
  await migratePlatform(platform.pool);
  await migratePlatform(platform.pool); // idempotent
  reader = new RollupReader(platform.pool, () => client.pool);
});

afterAll(async () => {
  await client?.drop();
  await platform?.drop();
});

const session = (id: string, at: string, extra: Partial<TestSession> = {}): TestSession =>
  ({ id, pageLoaded: at, createdAt: at, updatedAt: '2024-05-01T00:00:00.000Z', ...extra });

async function expectExact(clientId: string, schema: string, ranges: { from: string; to: string }[], tz: string) {
  const source = await sourceOf(client.pool, schema);
  for (const range of ranges) {
    const q = queryOf(range, tz);
    expect(await rolledAnswers(reader, clientId, source, q)).toStrictEqual(await rawAnswers(client.pool, source, q));
  }
}

describe('refreshRollups', () => {
  it.each(['timestamp', 'timestamptz'] as const)('builds on the first run and answers like the raw SQL (%s columns)', async (kind) => {
    const schema = `sydney_${kind}`;
    await loadSydneyFixture(client.pool, schema, kind, false);
    const report = await refreshRollups(client.pool, platform.pool, schema, await sourceOf(client.pool, schema));
    expect(report).toMatchObject({ mode: 'full', rowsRead: 18, sessionsChanged: 18 });
    expect(report.bucketsTouched).toBeGreaterThan(10);
    await expectExact(schema, schema, [
      { from: '2024-04-06', to: '2024-04-08' },
      { from: '2024-04-05T13:07:00+00:00', to: '2024-04-08T13:59:59.999Z' },
      { from: '2024-10-05', to: '2024-10-07' },
      { from: '2024-04-01', to: '2024-10-31' },
    ], 'Australia/Sydney');
    await expectExact(schema, schema, [{ from: '2024-04-01', to: '2024-10-31' }], 'Asia/Kathmandu');
  });

  it('is idempotent: a second run with nothing new rewrites no bucket', async () => {
    const before = await bucketRows(platform.pool, 'sydney_timestamp');
    const source = await sourceOf(client.pool, 'sydney_timestamp');
    const report = await refreshRollups(client.pool, platform.pool, 'sydney_timestamp', source, { overlapSeconds: 10 * 86_400 * 365 });
    expect(report).toMatchObject({ mode: 'incremental', rowsRead: 18, sessionsChanged: 0, bucketsTouched: 0 });
    expect(await bucketRows(platform.pool, 'sydney_timestamp')).toEqual(before);
  });

  it('touches only the buckets a change affects, and moves a session whose anchor moves', async () => {
    await createUserEvents(client.pool, 'moves', 'timestamptz');
    await upsertSessions(client.pool, 'moves', [
      session('a', '2024-04-06T10:00:00.000Z'),
      session('b', '2024-04-06T11:00:00.000Z'),
      session('c', '2024-04-06T12:00:00.000Z', { pageLoaded: null }),
    ]);
    const source = await sourceOf(client.pool, 'moves');
    await refreshRollups(client.pool, platform.pool, 'moves', source);
    const before = await bucketRows(platform.pool, 'moves');

    await upsertSessions(client.pool, 'moves', [session('a', '2024-04-06T10:00:00.000Z', { widgetOpened: '2024-04-06T10:01:00.000Z', updatedAt: '2024-05-01T00:01:00.000Z' })]);
    const gained = await refreshRollups(client.pool, platform.pool, 'moves', source);
    expect(gained).toMatchObject({ mode: 'incremental', sessionsChanged: 1, bucketsTouched: 1 });
    const afterGain = await bucketRows(platform.pool, 'moves');
    expect(afterGain.map((r) => r.xmin === before.find((b) => b.bucket === r.bucket)?.xmin)).toEqual([false, true, true]);

    // pageLoaded recorded later moves c from its createdAt bucket (12:00) to 11:50.
    await upsertSessions(client.pool, 'moves', [session('c', '2024-04-06T11:50:00.000Z', { createdAt: '2024-04-06T12:00:00.000Z', updatedAt: '2024-05-01T00:02:00.000Z' })]);
    const moved = await refreshRollups(client.pool, platform.pool, 'moves', source);
    expect(moved).toMatchObject({ sessionsChanged: 1, bucketsTouched: 2 });
    expect((await bucketRows(platform.pool, 'moves')).map((r) => [r.bucket, r.sessions])).toEqual([
      ['2024-04-06 10:00', 1], ['2024-04-06 11:00', 1], ['2024-04-06 11:45', 1],
    ]);
    await expectExact('moves', 'moves', [{ from: '2024-04-06', to: '2024-04-06' }], 'UTC');
  });

  it('does not lose a row that commits late with an updatedAt equal to (or just under) the watermark', async () => {
    const source = await sourceOf(client.pool, 'moves');
    const { watermark } = await refreshRollups(client.pool, platform.pool, 'moves', source);
    expect(watermark).toBe('2024-05-01T00:02:00.000000Z');
    await upsertSessions(client.pool, 'moves', [
      session('equal', '2024-04-06T09:00:00.000Z', { updatedAt: '2024-05-01T00:02:00.000Z' }),
      session('just-under', '2024-04-06T09:20:00.000Z', { updatedAt: '2024-05-01T00:01:30.000Z' }),
    ]);
    expect(await refreshRollups(client.pool, platform.pool, 'moves', source)).toMatchObject({ sessionsChanged: 2, bucketsTouched: 2 });
    await expectExact('moves', 'moves', [{ from: '2024-04-06', to: '2024-04-06' }], 'UTC');
  });

  it('keeps deleted rows until rebuildRollups, which makes it exact again', async () => {
    const source = await sourceOf(client.pool, 'moves');
    await client.pool.query(`DELETE FROM ${tableRef('moves', 'UserEvents')} WHERE "sessionId" = 'b'`);
    await refreshRollups(client.pool, platform.pool, 'moves', source);
    const q = queryOf({ from: '2024-04-06', to: '2024-04-06' }, 'UTC');
    expect((await reader.counts('moves', source, q))?.sessions).toBe(5); // b is still counted
    expect(await rebuildRollups(client.pool, platform.pool, 'moves', source)).toMatchObject({ mode: 'full', rowsRead: 4 });
    expect(await reader.counts('moves', source, q)).toStrictEqual((await rawAnswers(client.pool, source, q)).counts);
  });

  it('keeps no watermark after building an empty table, so rows stamped before the database clock are still found', async () => {
    await createUserEvents(client.pool, 'empty', 'timestamp');
    const source = await sourceOf(client.pool, 'empty');
    expect(await refreshRollups(client.pool, platform.pool, 'empty', source)).toMatchObject({ mode: 'full', rowsRead: 0, watermark: null });
    await upsertSessions(client.pool, 'empty', [session('old', '2024-04-06T09:00:00.000Z', { updatedAt: '2024-04-06T09:00:00.000Z' })]);
    expect(await refreshRollups(client.pool, platform.pool, 'empty', source)).toMatchObject({ sessionsChanged: 1, watermark: '2024-04-06T09:00:00.000000Z' });
    await expectExact('empty', 'empty', [{ from: '2024-04-06', to: '2024-04-06' }], 'UTC');
  });

  it('covers affected buckets with at most 20 ranges, splitting at the widest gaps', () => {
    expect(coveringRanges([0, 900, 1800, 9000])).toEqual([[0, 2700], [9000, 9900]]);
    const scattered = Array.from({ length: 300 }, (_, i) => i * 3600 + (i % 7 === 0 ? 86_400 * 30 : 0)).sort((a, b) => a - b);
    expect(coveringRanges([0, 86_400 * 365])).toEqual([[0, 900], [86_400 * 365, 86_400 * 365 + 900]]); // a late row stays narrow
    const ranges = coveringRanges(scattered);
    expect(ranges.length).toBe(20);
    expect(scattered.every((b) => ranges.some(([lo, hi]) => b >= lo && b + 900 <= hi))).toBe(true);
  });

  it('recomputes more scattered buckets than one statement has ranges for, rewriting only those', async () => {
    await createUserEvents(client.pool, 'scattered', 'timestamptz');
    const at = (i: number) => new Date(Date.UTC(2024, 0, 1) + i * 1_800_000).toISOString(); // every other bucket
    await upsertSessions(client.pool, 'scattered', Array.from({ length: 400 }, (_, i) => session(`s${i}`, at(i))));
    const source = await sourceOf(client.pool, 'scattered');
    await refreshRollups(client.pool, platform.pool, 'scattered', source);
    const before = await bucketRows(platform.pool, 'scattered');
    const changed = Array.from({ length: 150 }, (_, k) => 2 * k + 1);
    await upsertSessions(client.pool, 'scattered', changed.map((i) => session(`s${i}`, at(i), { widgetOpened: at(i), updatedAt: '2024-05-01T00:01:00.000Z' })));
    expect(await refreshRollups(client.pool, platform.pool, 'scattered', source)).toMatchObject({ sessionsChanged: 150, bucketsTouched: 150 });
    const after = await bucketRows(platform.pool, 'scattered');
    expect(after.filter((row, i) => row.xmin !== before[i]!.xmin).map((row) => row.bucket)).toEqual(changed.map((i) => at(i).slice(0, 16).replace('T', ' ')));
    await expectExact('scattered', 'scattered', [{ from: '2024-01-01', to: '2024-01-09' }], 'Asia/Kolkata');
  });

  it('lets only one refresher work on a client at a time; the other skips at once', async () => {
    await createUserEvents(client.pool, 'busy', 'timestamp');
    await client.pool.query(`INSERT INTO ${tableRef('busy', 'UserEvents')} ("sessionId", "pageLoaded", "createdAt", "updatedAt")
      SELECT 's' || g, t, t, t FROM generate_series(1, 20000) AS g, LATERAL (SELECT timestamp '2024-01-01' + g * interval '1 minute' AS t) AS x`);
    const source = await sourceOf(client.pool, 'busy');
    const modes = await Promise.all([1, 2].map(() => refreshRollups(client.pool, platform.pool, 'busy', source).then((r) => r.mode)));
    expect(modes.sort()).toEqual(['full', 'skipped']);

    const holder = await platform.pool.connect();
    try {
      await holder.query('BEGIN');
      await holder.query('SELECT pg_advisory_xact_lock($1::int, $2::int)', lockKey('busy'));
      expect((await refreshRollups(client.pool, platform.pool, 'busy', source)).mode).toBe('skipped');
    } finally {
      await holder.query('ROLLBACK');
      holder.release();
    }
    expect((await refreshRollups(client.pool, platform.pool, 'busy', source)).mode).toBe('incremental');
  });

  it('reports progress per batch during a full build', async () => {
    const progress: RefreshProgress[] = [];
    const source = await sourceOf(client.pool, 'busy');
    const report = await rebuildRollups(client.pool, platform.pool, 'busy', source, { batchSize: 6000, onProgress: (p) => progress.push(p) });
    expect(report.rowsRead).toBe(20000);
    expect(progress.map((p) => p.rowsRead)).toEqual([6000, 12000, 18000, 20000]);
    expect(progress.every((p) => p.mode === 'full' && p.clientId === 'busy')).toBe(true);
  });

  it('rebuilds when the table layout changes, and the reader declines the old rollup meanwhile', async () => {
    const source = await sourceOf(client.pool, 'busy');
    const q = queryOf({ from: '2024-01-01', to: '2024-01-31' }, 'UTC');
    const altered = { ...source, tables: { UserEvents: { ...source.tables.UserEvents!, columns: new Map(source.tables.UserEvents!.columns).set('pageLoaded', 'timestamptz' as const) } } };
    expect(await reader.counts('busy', altered, q)).toBeNull();
    await client.pool.query(`ALTER TABLE ${tableRef('busy', 'UserEvents')} ALTER COLUMN "pageLoaded" TYPE timestamptz USING "pageLoaded" AT TIME ZONE 'UTC'`);
    const now = await sourceOf(client.pool, 'busy');
    expect((await refreshRollups(client.pool, platform.pool, 'busy', now)).mode).toBe('full');
    expect(await reader.counts('busy', now, q)).toStrictEqual((await rawAnswers(client.pool, now, q)).counts);
  });
});
