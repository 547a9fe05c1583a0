import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdirSync, writeFileSync } from 'node:fs';
import { createTestDatabase, type TestDatabase } from '../helpers/testDatabase.ts';
import { startTempPostgres, type TempPostgres } from '../helpers/tempPostgres.ts';
import { loadSydneyFixture } from '../fixtures/sydneyFixture.ts';
import { buildTestApp, testClient } from '../helpers/buildTestApp.ts';
import { loadLoop, percentile } from '../helpers/loadLoop.ts';
import { connectClient } from '../../src/db/pool.ts';

/**
 * One client's database on a second PostgreSQL server of its own, which the test stops, slows down and restarts
 * while both clients are under load. The healthy client must not notice; the broken one must fail fast and recover.
 */
type App = Awaited<ReturnType<typeof buildTestApp>>;
const APRIL = 'from=2024-04-06&to=2024-04-08';
const TIMEOUTS = { connectTimeoutMs: 1000, statementTimeoutMs: 1000 };

/** Figures for the README's reliability section, written to the git-ignored test-artifacts/ folder. */
const figures: Record<string, number> = {};
/** The heap still in use after a full collection (vitest runs the tests with --expose-gc). */
function heapAfterGc(): number {
  const gc = (globalThis as { gc?: () => void }).gc;
  if (!gc) throw new Error('run the tests with --expose-gc (vitest.config.ts does)');
  gc();
  return process.memoryUsage().heapUsed;
}
const ms = (values: number[], p: number) => Math.round(percentile(values, p) * 10) / 10;

let healthyDb: TestDatabase;
let flaky: TempPostgres;
let app: App;
let base: string;

beforeAll(async () => {
  healthyDb = await createTestDatabase('faults_healthy');
  await loadSydneyFixture(healthyDb.pool, 'public', 'timestamp');
  flaky = await startTempPostgres();
  const admin = await connectClient({ connectionString: flaky.url });
  await loadSydneyFixture(admin, 'public', 'timestamp');
  await admin.end();
  app = await buildTestApp([testClient('healthy', 'Australia/Sydney', healthyDb.url), testClient('flaky', 'Australia/Sydney', flaky.url)], { db: TIMEOUTS });
  base = await app.listen({ port: 0, host: '127.0.0.1' });
}, 60_000);

afterAll(async () => {
  mkdirSync('test-artifacts', { recursive: true });
  writeFileSync('test-artifacts/fault-figures.json', `${JSON.stringify(figures, null, 2)}\n`);
  await app?.close();
  flaky?.destroy();
  await healthyDb?.drop();
});

const load = (client: string, durationMs: number) =>
  loadLoop(`${base}/api/${client}/funnel?${APRIL}`, { durationMs, concurrency: 4, maxRequests: 2000 });

async function onFlaky(sql: string) {
  const c = await connectClient({ connectionString: flaky.url });
  try {
    await c.query(sql);
  } finally {
    await c.end();
  }
}

describe('a client database that goes down, crawls and comes back', () => {
  let baselineP50 = 0;
  let heapBefore = 0; // taken once the app is warm: loading modules and the first pools is not growth
  let rssBefore = 0;

  it('serves both clients with 200s while both databases are up', async () => {
    const [healthy, flakyLoad] = await Promise.all([load('healthy', 1500), load('flaky', 1500)]);
    expect([...healthy.statuses.keys()]).toEqual([200]);
    expect([...flakyLoad.statuses.keys()]).toEqual([200]);
    baselineP50 = percentile(healthy.latenciesMs, 50);
    heapBefore = heapAfterGc();
    rssBefore = process.memoryUsage().rss;
    Object.assign(figures, { baselineP50: ms(healthy.latenciesMs, 50), baselineP95: ms(healthy.latenciesMs, 95), baselineRequests: healthy.latenciesMs.length });
  });

  it('answers fast 503s for the stopped database while the other client keeps getting only 200s', async () => {
    const loads = Promise.all([load('healthy', 3000), load('flaky', 3000)]);
    await new Promise((r) => setTimeout(r, 500));
    flaky.stop(); // mid-load
    const [healthy, broken] = await loads;
    Object.assign(figures, {
      downHealthyP50: ms(healthy.latenciesMs, 50), downHealthyP95: ms(healthy.latenciesMs, 95), downHealthyRequests: healthy.latenciesMs.length,
      downBrokenMax: ms(broken.latenciesMs, 100), downBroken503: broken.statuses.get(503) ?? 0,
    });
    expect([...healthy.statuses.keys()]).toEqual([200]);
    expect(broken.statuses.get(503)).toBeGreaterThan(0);
    expect([...broken.statuses.keys()].every((s) => s === 200 || s === 503)).toBe(true);
    expect(broken.bodies.filter((b) => b.includes('DATABASE_UNAVAILABLE')).length).toBeGreaterThan(0);
    // bounded by the connect timeout, never a hang
    expect(Math.max(...broken.latenciesMs)).toBeLessThan(TIMEOUTS.connectTimeoutMs + 1500);
    // the healthy client stays close to its baseline (generous: two cores run the server, the loads and PostgreSQL)
    expect(percentile(healthy.latenciesMs, 50)).toBeLessThan(Math.max(baselineP50 * 5, 50));
  });

  it('recovers without a restart when the database comes back', async () => {
    flaky.start();
    const res = await fetch(`${base}/api/flaky/funnel?${APRIL}`);
    expect(res.status).toBe(200);
    expect((await res.json()).sessions).toBe(9);
  });

  it('answers fast 504s while the database crawls, then recovers', async () => {
    await onFlaky(`ALTER TABLE "UserEvents" RENAME TO "UserEventsData";
      CREATE FUNCTION crawl() RETURNS boolean LANGUAGE sql AS 'SELECT pg_sleep(5) IS NOT NULL';
      CREATE VIEW "UserEvents" AS SELECT * FROM "UserEventsData" WHERE crawl()`);
    const [healthy, slow] = await Promise.all([load('healthy', 3000), load('flaky', 3000)]);
    Object.assign(figures, {
      slowHealthyP50: ms(healthy.latenciesMs, 50), slowHealthyP95: ms(healthy.latenciesMs, 95),
      slowBrokenMax: ms(slow.latenciesMs, 100), slowBroken504: slow.statuses.get(504) ?? 0,
    });
    expect([...healthy.statuses.keys()]).toEqual([200]);
    expect([...slow.statuses.keys()].every((s) => s === 504 || s === 503)).toBe(true);
    expect(slow.bodies.some((b) => b.includes('QUERY_TIMEOUT'))).toBe(true);
    expect(Math.max(...slow.latenciesMs)).toBeLessThan(TIMEOUTS.statementTimeoutMs + TIMEOUTS.connectTimeoutMs + 2000);
    await onFlaky(`DROP VIEW "UserEvents"; DROP FUNCTION crawl(); ALTER TABLE "UserEventsData" RENAME TO "UserEvents"`);
    const res = await fetch(`${base}/api/flaky/funnel?${APRIL}`);
    expect(res.status).toBe(200);
  });

  it('keeps memory bounded through it all: no heap growth left after a full collection', () => {
    figures.rssGrowthMb = Math.round((process.memoryUsage().rss - rssBefore) / 1048576);
    figures.heapGrowthMb = Math.round((heapAfterGc() - heapBefore) / 1048576);
    expect(heapAfterGc() - heapBefore).toBeLessThan(32 * 1024 * 1024);
  });
});
