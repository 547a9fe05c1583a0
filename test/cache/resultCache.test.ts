import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '../helpers/testDatabase.ts';
import { loadSydneyFixture } from '../fixtures/sydneyFixture.ts';
import { countExecutions } from '../helpers/executionCounter.ts';
import { bearer, buildTestApp, KEYS, testClient } from '../helpers/buildTestApp.ts';
import { MemoryBackend, RedisBackend } from '../../src/cache/backends.ts';
import { ResultCache } from '../../src/cache/resultCache.ts';

/** The database counts how often the funnel's SQL really runs (see countExecutions). */
type App = Awaited<ReturnType<typeof buildTestApp>>;
const APRIL = 'from=2024-04-06&to=2024-04-08';
const quiet = { warn() {} };
let database: TestDatabase;
const apps: App[] = [];
let executions: () => Promise<number>;

beforeAll(async () => {
  database = await createTestDatabase('result_cache');
  await loadSydneyFixture(database.pool, 'public', 'timestamp');
  executions = await countExecutions(database, 0.2);
}, 60_000);
afterAll(async () => {
  for (const app of apps) await app.close();
  await database?.drop();
});

async function appWith(cache: ResultCache) {
  const app = await buildTestApp([testClient('alpha', 'Australia/Sydney', database.url)], { admin: KEYS.admin, db: { poolMax: 5 }, cache });
  apps.push(app);
  return app;
}
const funnel = (app: App, query = APRIL, headers: Record<string, string> = {}) =>
  app.inject({ method: 'GET', url: `/api/alpha/funnel?${query}`, headers: { ...bearer(KEYS.admin), ...headers } });

describe('result cache', () => {
  it('runs the query once for 100 concurrent identical requests', async () => {
    const app = await appWith(new ResultCache(new MemoryBackend(1 << 20), 60_000, quiet));
    const before = await executions();
    const answers = await Promise.all(Array.from({ length: 100 }, () => funnel(app)));
    expect(answers.every((a) => a.statusCode === 200 && a.json().sessions === 9)).toBe(true);
    expect(new Set(answers.map((a) => a.json().generatedAt)).size).toBe(1);
    expect((await executions()) - before).toBe(1);
  });

  it('keys on the normalised parameters: the same range spelled differently is one entry', async () => {
    const app = await appWith(new ResultCache(new MemoryBackend(1 << 20), 60_000, quiet));
    await funnel(app);
    const before = await executions();
    await funnel(app, 'from=2024-04-06T00:00:00%2B11:00&to=2024-04-09T00:00:00%2B10:00');
    await funnel(app, `${APRIL}&tz=Australia/Sydney`);
    expect((await executions()) - before).toBe(0);
    await funnel(app, `${APRIL}&mode=ordered`);
    expect((await executions()) - before).toBe(1);
  });

  it('tells the reader how fresh an answer is, with ETag, Cache-Control and 304', async () => {
    const app = await appWith(new ResultCache(new MemoryBackend(1 << 20), 60_000, quiet));
    const first = await funnel(app);
    expect(first.headers['cache-control']).toMatch(/^private, max-age=(59|60)$/);
    expect(Date.parse(first.json().generatedAt)).not.toBeNaN();
    const again = await funnel(app, APRIL, { 'if-none-match': String(first.headers.etag) });
    expect(again.statusCode).toBe(304);
    const csv = await funnel(app, `${APRIL}&format=csv`);
    expect(csv.headers.etag).not.toBe(first.headers.etag);
  });

  it('computes again once the TTL has passed', async () => {
    const app = await appWith(new ResultCache(new MemoryBackend(1 << 20), 300, quiet));
    const first = (await funnel(app)).json().generatedAt;
    await new Promise((r) => setTimeout(r, 400));
    expect((await funnel(app)).json().generatedAt).not.toBe(first);
  });

  it('stays within its memory bound by evicting old answers', async () => {
    const backend = new MemoryBackend(2000);
    for (let i = 0; i < 50; i++) await backend.set(`k${i}`, 'x'.repeat(200), 60_000);
    const kept = (await Promise.all(Array.from({ length: 50 }, (_, i) => backend.get(`k${i}`)))).filter(Boolean).length;
    expect(kept).toBeLessThanOrEqual(10);
    expect(await backend.get('k49')).not.toBeNull();
  });

  it('is shared by two API instances through Redis', async () => {
    const prefix = `test:${Date.now()}:`;
    const one = await appWith(new ResultCache(new RedisBackend('redis://127.0.0.1:6379'), 60_000, quiet, prefix));
    const two = await appWith(new ResultCache(new RedisBackend('redis://127.0.0.1:6379'), 60_000, quiet, prefix));
    const before = await executions();
    const a = (await funnel(one)).json();
    const b = (await funnel(two)).json();
    expect(b.generatedAt).toBe(a.generatedAt);
    expect((await executions()) - before).toBe(1);
  });

  it('still answers when Redis is unreachable', async () => {
    const app = await appWith(new ResultCache(new RedisBackend('redis://127.0.0.1:1'), 60_000, quiet));
    const res = await funnel(app);
    expect(res.statusCode).toBe(200);
    expect(res.json().sessions).toBe(9);
  });
});
