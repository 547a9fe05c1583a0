import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ClientDatabases } from '../../src/tenants/clientDatabases.ts';
import { tableRef } from '../../src/db/identifiers.ts';
import { migratePlatform } from '../../src/platform/migrations.ts';
import { refreshRollups } from '../../src/rollups/refreshRollups.ts';
import { RollupReader } from '../../src/rollups/rollupReader.ts';
import { startRollupRefresher } from '../../src/rollups/rollupRefresher.ts';
import { capturedLogger } from '../helpers/logCapture.ts';
import { createTestDatabase, type TestDatabase } from '../helpers/testDatabase.ts';
import { createUserEvents, queryOf, rawAnswers, rolledAnswers, sourceOf, upsertSessions } from './support.ts';
import { ClientRegistry } from '../../src/tenants/clientRegistry.ts';
import { testClient, testConfig } from '../helpers/buildTestApp.ts';

let client: TestDatabase;
let platform: TestDatabase;
let reader: RollupReader;

/** Two months of sessions every 7 minutes, with steps and actions present or not by the minute. */
async function fillTwoMonths(schema: string) {
  await createUserEvents(client.pool, schema, 'timestamp');
  await client.pool.query(`INSERT INTO ${tableRef(schema, 'UserEvents')}
    SELECT 's' || g, CASE WHEN g % 5 <> 0 THEN t END, CASE WHEN g % 3 <> 0 THEN t + interval '20 seconds' END,
           CASE WHEN g % 4 = 0 THEN t + interval '1 minute' END, CASE WHEN g % 8 = 0 THEN t + interval '2 minutes' END,
           CASE WHEN g % 12 = 0 THEN t + interval '2 minutes' END, NULL, t, timestamp '2024-05-01' + g * interval '1 millisecond'
      FROM generate_series(1, 12000) AS g, LATERAL (SELECT timestamp '2024-03-01' + g * interval '7 minutes' AS t) AS x`);
}

beforeAll(async () => {
  [client, platform] = await Promise.all([createTestDatabase('rollup_reader'), createTestDatabase('rollup_reader_platform')]);
  await migratePlatform(platform.pool);
  reader = new RollupReader(platform.pool, () => client.pool);
  await fillTwoMonths('months');
  await refreshRollups(client.pool, platform.pool, 'months', await sourceOf(client.pool, 'months'));
});

afterAll(async () => {
  await client?.drop();
  await platform?.drop();
});

describe('RollupReader', () => {
  it('answers a long range like the raw SQL, in a zone with a :45 offset and on ranges cut mid-bucket', async () => {
    const source = await sourceOf(client.pool, 'months');
    for (const [range, tz] of [
      [{ from: '2024-03-01', to: '2024-04-30' }, 'Asia/Kathmandu'],
      [{ from: '2024-03-03T10:07:13.5+05:45', to: '2024-04-07T02:52:00-02:30' }, 'America/St_Johns'],
      [{ from: '2024-04-06', to: '2024-04-07' }, 'Australia/Lord_Howe'],
    ] as const) {
      const q = queryOf(range, tz);
      expect(await rolledAnswers(reader, 'months', source, q)).toStrictEqual(await rawAnswers(client.pool, source, q));
    }
  });

  it('answers a year in Lord Howe like the raw SQL: +11:00 at both ends, +10:30 between, so UTC hours straddle local hours for half of it', async () => {
    await createUserEvents(client.pool, 'howe', 'timestamp');
    await client.pool.query(`INSERT INTO ${tableRef('howe', 'UserEvents')}
      SELECT 'h' || g, t, CASE WHEN g % 3 <> 0 THEN t END, CASE WHEN g % 4 = 0 THEN t END, NULL, NULL, NULL, t, timestamp '2025-01-01'
        FROM generate_series(1, 5400) AS g, LATERAL (SELECT timestamp '2023-12-30' + g * interval '97 minutes' AS t) AS x`);
    const source = await sourceOf(client.pool, 'howe');
    await refreshRollups(client.pool, platform.pool, 'howe', source);
    const q = queryOf({ from: '2024-01-01', to: '2024-12-31' }, 'Australia/Lord_Howe');
    const rolled = await rolledAnswers(reader, 'howe', source, q);
    expect(rolled.daily).not.toBeNull();
    expect(rolled).toStrictEqual(await rawAnswers(client.pool, source, q));
  });

  it('declines other funnel definitions, except for the heatmap, which counts sessions only', async () => {
    const source = await sourceOf(client.pool, 'months');
    for (const funnel of [{ mode: 'ordered', windowSeconds: null }, { mode: 'any', windowSeconds: 1800 }] as const) {
      const q = queryOf({ from: '2024-03-01', to: '2024-03-31' }, 'UTC', funnel);
      const answers = await rolledAnswers(reader, 'months', source, q);
      expect([answers.counts, answers.daily, answers.hourly]).toEqual([null, null, null]);
      expect(answers.heatmap).toStrictEqual((await rawAnswers(client.pool, source, q)).heatmap);
    }
  });

  it('declines a client without rollups, and a table it cannot build from', async () => {
    const source = await sourceOf(client.pool, 'months');
    const q = queryOf({ from: '2024-03-01', to: '2024-03-31' }, 'UTC');
    expect(await reader.counts('nobody', source, q)).toBeNull();
    const columns = new Map(source.tables.UserEvents!.columns);
    columns.delete('updatedAt');
    expect(await reader.daily('months', { ...source, tables: { UserEvents: { ...source.tables.UserEvents!, columns } } }, q)).toBeNull();
    expect(await reader.hourly('months', { ...source, tables: {} }, q)).toBeNull();
  });

  it('declines local-time answers where a bucket straddles a local hour (old local mean time), but still counts', async () => {
    await createUserEvents(client.pool, 'amsterdam', 'timestamptz');
    await upsertSessions(client.pool, 'amsterdam', ['1930-06-01T10:05:00Z', '1930-06-01T10:40:00Z', '1930-06-02T23:50:00Z'].map((at, i) => (
      { id: `a${i}`, pageLoaded: at, createdAt: at, updatedAt: '2024-01-01T00:00:00Z' })));
    const source = await sourceOf(client.pool, 'amsterdam');
    await refreshRollups(client.pool, platform.pool, 'amsterdam', source);
    const q = queryOf({ from: '1930-05-31', to: '1930-06-03' }, 'Europe/Amsterdam'); // then UTC+00:19:32
    expect(await reader.daily('amsterdam', source, q)).toBeNull();
    expect(await reader.heatmap('amsterdam', source, q)).toBeNull();
    expect(await reader.counts('amsterdam', source, q)).toStrictEqual((await rawAnswers(client.pool, source, q)).counts);
  });

  it('reads the fresh tail raw, so sessions written after the refresh count at once; older changes wait for the next refresh', async () => {
    const source = await sourceOf(client.pool, 'months');
    const { rows: [state] } = await platform.pool.query<{ tail: string }>(
      `SELECT to_char(tail_start AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"') AS tail FROM rollups.clients WHERE client_id = 'months'`);
    expect(state?.tail).toBe('2024-04-30T23:45:00Z'); // last updatedAt (2024-05-01 00:00:12) − 5 minutes, floored
    const at = '2024-04-30T23:59:00.000Z';
    const late = '2024-03-10T12:00:00.000Z';
    await upsertSessions(client.pool, 'months', [
      { id: 'fresh', pageLoaded: at, widgetOpened: at, createdAt: at, updatedAt: '2024-05-01T00:00:30.000Z' },
      { id: 'late', pageLoaded: late, createdAt: late, updatedAt: '2024-05-01T00:00:31.000Z' },
    ]);
    const tailDay = queryOf({ from: '2024-04-30', to: '2024-04-30' }, 'UTC');
    expect(await rolledAnswers(reader, 'months', source, tailDay)).toStrictEqual(await rawAnswers(client.pool, source, tailDay));
    const lateDay = queryOf({ from: '2024-03-10', to: '2024-03-10' }, 'UTC');
    const raw = (await rawAnswers(client.pool, source, lateDay)).counts;
    expect((await reader.counts('months', source, lateDay))?.sessions).toBe(raw.sessions - 1);
    await refreshRollups(client.pool, platform.pool, 'months', source);
    expect(await reader.counts('months', source, lateDay)).toStrictEqual(raw);
  });

  it('keeps every client current from a periodic refresher that logs what it did, never a database URL', async () => {
    const log = capturedLogger();
    const registry = new ClientRegistry();
    registry.replace('file', [testClient('months', 'UTC', client.url, 'months'), testClient('gone', 'UTC', null)]);
    const databases = new ClientDatabases(registry, testConfig([]).db, log);
    const refresher = startRollupRefresher({ clientIds: () => ['months', 'gone'], databases, platform: platform.pool, intervalMs: 0, log });
    try {
      await refresher.refreshAll(); // the first pass builds from the registry's view of the database
      await upsertSessions(client.pool, 'months', [{ id: 'next', pageLoaded: '2024-03-02T00:00:00Z', createdAt: '2024-03-02T00:00:00Z', updatedAt: '2024-05-01T00:01:00Z' }]);
      const reports = await refresher.refreshAll();
      expect(reports).toMatchObject([{ clientId: 'months', mode: 'incremental', sessionsChanged: 1, bucketsTouched: 1 }]);
    } finally {
      await refresher.stop();
      await databases.close();
    }
  });
});
