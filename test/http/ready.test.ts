import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type pg from 'pg';
import { createPool } from '../../src/db/pool.ts';
import { migratePlatform } from '../../src/platform/migrations.ts';
import { checkReadiness } from '../../src/platform/readiness.ts';
import { buildTestApp, testClient } from '../helpers/buildTestApp.ts';
import { startTempPostgres, type TempPostgres } from '../helpers/tempPostgres.ts';
import { createTestDatabase } from '../helpers/testDatabase.ts';

type App = Awaited<ReturnType<typeof buildTestApp>>;
const READY = { status: 'ready', checks: { platformDatabase: 'ok', migrations: 'ok', registry: 'ok' } };

let server: TempPostgres;
let pool: pg.Pool;
let app: App;

/** /ready until it gives `status` (a restarted server takes a moment to accept connections again). */
async function readyUntil(status: number) {
  for (let attempt = 0; ; attempt++) {
    const res = await app.inject({ method: 'GET', url: '/ready' });
    if (res.statusCode === status || attempt >= 40) return res;
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}

beforeAll(async () => {
  // The platform database on a server of this test's own, so it can be stopped and started again.
  server = await startTempPostgres();
  pool = createPool({ connectionString: server.url, max: 10, connectionTimeoutMillis: 1000 });
  const { current, latest } = await migratePlatform(pool);
  app = await buildTestApp([testClient('alpha', 'UTC', null)], {
    admin: 'admin-key-for-the-ready-test',
    platform: { pool, embedded: false, status: { current, latest }, close: async () => {} },
  });
}, 90_000);

afterAll(async () => {
  await app?.close();
  await pool?.end();
  server?.destroy();
});

describe('GET /ready', () => {
  it('answers 200 without a credential while the platform database answers, is migrated and the registry is loaded', async () => {
    const res = await app.inject({ method: 'GET', url: '/ready' });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual(READY);
  });

  it('answers 503 naming the platform database while it is unreachable, and 200 once it is back; /health stays 200', async () => {
    server.stop();
    const down = await app.inject({ method: 'GET', url: '/ready' });
    expect(down.statusCode).toBe(503);
    expect(down.json()).toEqual({ status: 'not-ready', checks: { platformDatabase: 'unreachable', migrations: 'unknown', registry: 'ok' } });
    expect(down.body).not.toContain(String(server.port)); // what is wrong, never where
    expect((await app.inject({ method: 'GET', url: '/health' })).statusCode).toBe(200);
    server.start();
    const back = await readyUntil(200);
    expect(back.statusCode).toBe(200);
    expect(back.json()).toEqual(READY);
  });
});

describe('checkReadiness', () => {
  it('says the migrations are behind on a database that answers but was never migrated, or lacks the newest one', async () => {
    const db = await createTestDatabase('ready_unmigrated');
    try {
      const fresh = await checkReadiness({ platform: db.pool, latestMigration: 1, registryLoaded: () => true });
      expect(fresh).toEqual({ ready: false, checks: { platformDatabase: 'ok', migrations: 'behind', registry: 'ok' } });
      const { latest } = await migratePlatform(db.pool);
      const newer = await checkReadiness({ platform: db.pool, latestMigration: latest + 1, registryLoaded: () => false });
      expect(newer).toEqual({ ready: false, checks: { platformDatabase: 'ok', migrations: 'behind', registry: 'not-loaded' } });
      expect((await checkReadiness({ platform: db.pool, latestMigration: latest, registryLoaded: () => true })).ready).toBe(true);
    } finally {
      await db.drop();
    }
  });
});
