import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startEmbeddedPostgres, type EmbeddedPostgres } from '../../src/db/embedded/startEmbeddedPostgres.ts';
import { loadDemoClients } from '../../src/demo/loadDemo.ts';
import { openPlatformDatabase, type PlatformDatabase } from '../../src/platform/platformDatabase.ts';
import { refreshRollups } from '../../src/rollups/refreshRollups.ts';
import { RollupReader } from '../../src/rollups/rollupReader.ts';
import { queryOf, rawAnswers, rolledAnswers, sourceOf } from './support.ts';
import { createPool } from '../../src/db/pool.ts';

/** Demo mode: the clients' data in one embedded PGlite, the rollups in another (started by openPlatformDatabase). */
let demo: EmbeddedPostgres;
let clientPool: pg.Pool;
let platform: PlatformDatabase;
const now = new Date('2024-04-20T03:30:00.000Z');

beforeAll(async () => {
  [demo, platform] = await Promise.all([startEmbeddedPostgres(), openPlatformDatabase({ url: null, migrate: true, waitSeconds: 0 })]);
  clientPool = createPool({ connectionString: demo.url, max: 4 });
  await loadDemoClients(clientPool, [{ id: 'maple', timezone: 'Australia/Sydney', schema: 'maple' }], { days: 21, now });
}, 120_000);

afterAll(async () => {
  await clientPool?.end();
  await Promise.all([demo?.stop(), platform?.close()]);
}, 30_000);

describe('rollups on an embedded PGlite platform database', () => {
  it('starts its own embedded database and migrates it', async () => {
    expect(platform.embedded).toBe(true);
    const { rows } = await platform.pool.query<{ n: number }>(`SELECT count(*) AS n FROM information_schema.tables WHERE table_schema = 'rollups'`);
    expect(rows[0]?.n).toBe(4); // clients, buckets, sessions, duration_days
  });

  it('builds from the demo data and answers like the raw SQL across the DST change', async () => {
    const source = await sourceOf(clientPool, 'maple');
    const report = await refreshRollups(clientPool, platform.pool, 'maple', source);
    expect(report.mode).toBe('full');
    expect(report.rowsRead).toBeGreaterThan(1000);
    const reader = new RollupReader(platform.pool, () => clientPool);
    for (const range of [{ from: '2024-04-01', to: '2024-04-20' }, { from: '2024-04-06T09:10:00+10:00', to: '2024-04-08T17:35:00Z' }]) {
      const q = queryOf(range, 'Australia/Sydney');
      expect(await rolledAnswers(reader, 'maple', source, q)).toStrictEqual(await rawAnswers(clientPool, source, q));
    }
  });

  it('runs two refreshers one after the other: PGlite runs one transaction at a time, so the second waits and finds nothing', async () => {
    const source = await sourceOf(clientPool, 'maple');
    const reports = await Promise.all([1, 2].map(() => refreshRollups(clientPool, platform.pool, 'maple', source, { rebuild: true })));
    expect(reports.map((r) => r.mode)).toEqual(['full', 'full']);
    const again = await Promise.all([1, 2].map(() => refreshRollups(clientPool, platform.pool, 'maple', source)));
    expect(again.map((r) => [r.mode, r.bucketsTouched])).toEqual([['incremental', 0], ['incremental', 0]]);
  });
});
