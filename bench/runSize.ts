import { isDeepStrictEqual } from 'node:util';
import pg from 'pg';
import { describeSource } from '../src/tenants/clientSource.ts';
import { pgTypes } from '../src/db/pgTypes.ts';
import { answerSessions, bareQuery, benchCases, type BenchCase } from './cases.ts';
import { applyChurn, revertChurn } from './churn.ts';
import { BENCH_TIMEZONE, ensureDataset, withClient } from './data.ts';
import { ApiClient } from './http.ts';
import { isFlat, loadTest, type LoadResult } from './load.ts';
import { fmtBytes, fmtInt, fmtMs, say } from './log.ts';
import { interleaved, stats, totalRatio, type Stats } from './measure.ts';
import { databaseUrl, type BenchOptions, type SizeSpec } from './options.ts';
import { openRollupRefresh, type RollupRefresh } from './rollups.ts';
import type { CaseResult, SizeResult } from './results.ts';
import { startApiServer, type ApiServer, type ConfigName } from './server.ts';
import { createPool } from '../src/db/pool.ts';
import { createToken } from '../src/access/tokens.ts';

const PLATFORM_DATABASE = 'bench_platform';
/** The endpoint hammered by the load tests: what the dashboard asks first. */
const LOAD_CASE = 'funnel 30 d';

type Body = Record<string, unknown>;
const withoutGeneratedAt = ({ generatedAt: _, ...body }: Body) => body;
const line = (label: string, s: Stats, floor?: Stats) =>
  `${label} p50 ${fmtMs(s.p50)} p95 ${fmtMs(s.p95)} p99 ${fmtMs(s.p99)}`
  + (floor ? ` (${(s.p50 / floor.p50).toFixed(2)}× bare p50)` : '') + ` n=${s.n}`;

/** Rounds of /health and the cache hit, alternating, for the hit's share of /health. */
const HIT_ROUNDS = 3;

/** Data, then each API configuration in its own process, then the rollup refresh after churn. */
export async function runSize(options: BenchOptions, size: SizeSpec, workDir: string): Promise<SizeResult> {
  const dataset = await ensureDataset(size, options.adminUrl, options.fresh);
  const pool = createPool({ connectionString: dataset.url, max: 5, types: pgTypes, application_name: 'chatbot-analytics-bench' });
  const platformUrl = databaseUrl(options.adminUrl, PLATFORM_DATABASE);
  const plan = { samples: options.samples, minSamples: options.minSamples, budgetMs: options.seriesBudgetMs };
  try {
    const source = await describeSource(pool, 'public');
    const cases = benchCases(size.clientId, BENCH_TIMEZONE, new Date());
    const bare = cases.map((c) => bareQuery(c, source));
    const results: CaseResult[] = cases.map((c) => ({
      name: c.name, endpoint: c.endpoint, days: c.days, path: c.path, sessions: 0, rangeMs: c.rangeMs(),
      bare: stats([0]), api: {}, cachedMissMs: null, uncachedRatio: 0, mismatches: [],
    }));
    const reference: Body[] = [];
    const result: SizeResult = {
      dataset, cases: results, servers: [], load: {}, healthLoad: null, hitShares: [], tokenLoad: null, memoryLoad: null, cacheDetected: false,
      rollups: { unavailable: null, initialBuild: null, churn: null },
    };
    const server = (config: ConfigName, work: (api: ApiClient, s: ApiServer) => Promise<void>) =>
      withServer(result, { config, size, databaseUrl: dataset.url, platformUrl, workDir }, work);
    const loadCase = cases.find((x) => x.name === LOAD_CASE)!;
    const hit = (api: ApiClient, label = loadCase.name, seconds = options.loadSeconds): LoadSpec =>
      ({ label, path: loadCase.path, authorization: api.authorization, seconds });
    const load = async (config: ConfigName, api: ApiClient, s: ApiServer) => {
      result.load[config] = await runLoad(options, s, hit(api), pool);
    };
    // The cache hit judged against /health of the same process: HIT_ROUNDS rounds of /health then the hit, and the
    // round with the median share stands for the size (one 10 s pair swings by ±15 %); then with an API token; then
    // the memory check: the same hit for `memorySeconds`.
    const cachedLoads = async (api: ApiClient, s: ApiServer) => {
      const rounds: { health: LoadResult; hit: LoadResult; share: number }[] = [];
      for (let round = 1; round <= HIT_ROUNDS; round++) {
        const health = await runLoad(options, s, { ...hit(api, `/health (round ${round})`), path: '/health' }, pool);
        const cached = await runLoad(options, s, hit(api, `${loadCase.name} (round ${round})`), pool);
        rounds.push({ health, hit: cached, share: cached.requestsPerSecond / health.requestsPerSecond });
      }
      const median = [...rounds].sort((a, b) => a.share - b.share)[Math.floor(rounds.length / 2)]!;
      result.healthLoad = median.health;
      result.load.cached = median.hit;
      result.hitShares = rounds.map((r) => r.share);
      const token = await serviceToken(platformUrl, size.clientId);
      result.tokenLoad = await runLoad(options, s, { ...hit(api, `${loadCase.name} (API token)`), authorization: `Bearer ${token}` }, pool);
      result.memoryLoad = await runLoad(options, s, hit(api, `${loadCase.name} (memory check)`, options.memorySeconds), pool);
    };

    say(`\n-- ${size.label}: bare SQL and the API uncached (CACHE=off ROLLUPS=off), interleaved`);
    // Every configuration opens (and migrates) PLATFORM_DB_URL at start, even with ROLLUPS=off: it must exist already.
    await recreateDatabase(options.adminUrl, PLATFORM_DATABASE);
    await server('uncached', async (api, s) => {
      for (const [i, c] of cases.entries()) {
        const sessions = await bare[i]!(pool);
        const first = await api.json(c.path);
        const answered = answerSessions(c.endpoint, first.json);
        if (answered !== sessions) results[i]!.mismatches.push(`API answered ${answered} sessions, the bare SQL ${sessions}`);
        reference[i] = withoutGeneratedAt(first.json);
        const [bareMs, apiMs] = await interleaved(plan, [() => bare[i]!(pool), () => api.json(c.path)]);
        Object.assign(results[i]!, { sessions, bare: stats(bareMs!), uncachedRatio: totalRatio(apiMs!, bareMs!) });
        results[i]!.api.uncached = stats(apiMs!);
        say(`  ${c.name.padEnd(12)} ${fmtInt(sessions).padStart(10)} sessions | ${line('bare', results[i]!.bare)} | ${line('uncached', results[i]!.api.uncached!, results[i]!.bare)}`
          + `; total ${results[i]!.uncachedRatio.toFixed(2)}× bare`);
      }
      await load('uncached', api, s);
    });

    say(`\n-- ${size.label}: the API with rollups (CACHE=off ROLLUPS=on)`);
    await recreateDatabase(options.adminUrl, PLATFORM_DATABASE);
    const refresher = await openRollupRefresh(dataset.url, platformUrl, size.clientId);
    if ('unavailable' in refresher) {
      result.rollups.unavailable = refresher.unavailable;
      say(`  initial rollup build: n/a (${refresher.unavailable})`);
    } else {
      result.rollups.initialBuild = await refresher.refresh('initial build');
      say(`  initial rollup build: ${fmtMs(result.rollups.initialBuild.ms)} (${fmtInt(result.rollups.initialBuild.report.rowsRead)} rows read)`);
    }
    try {
      await server('rollups', async (api) => {
        for (const [i, c] of cases.entries()) await sequential(plan, api, c, 'rollups', results[i]!, reference[i]!);
      });
      say(`\n-- ${size.label}: the API cached (CACHE default, ROLLUPS=off)`);
      await server('cached', async (api, s) => {
        for (const [i, c] of cases.entries()) {
          const { servedFromCache } = await sequential(plan, api, c, 'cached', results[i]!, reference[i]!);
          if (!servedFromCache) results[i]!.mismatches.push('cached: repeated calls were not served from the cache (new generatedAt)');
          result.cacheDetected ||= servedFromCache;
        }
        say(`  answers served from the cache (same generatedAt): ${result.cacheDetected ? 'yes' : 'NO — answers are computed every time'}`);
        await cachedLoads(api, s);
      });
      result.rollups.churn = await churnAndRefresh(dataset.url, 'unavailable' in refresher ? null : refresher);
    } finally {
      if (!('unavailable' in refresher)) await refresher.close();
    }
    return result;
  } finally {
    await pool.end();
  }
}

/** Warm-up call (kept as the cache miss / answer check), then `plan.samples` sequential calls. */
async function sequential(
  plan: { samples: number; minSamples: number; budgetMs: number },
  api: ApiClient,
  c: BenchCase,
  config: 'rollups' | 'cached',
  result: CaseResult,
  reference: Body,
) {
  const first = await api.json(c.path);
  const problem = answerDifference(withoutGeneratedAt(first.json), reference);
  if (problem) result.mismatches.push(`${config}: the answer differs from uncached (${problem})`);
  if (config === 'cached') result.cachedMissMs = first.ms;
  let last = first;
  const [samples] = await interleaved(plan, [async () => (last = await api.json(c.path))]);
  result.api[config] = stats(samples!);
  say(`  ${c.name.padEnd(12)} ${config === 'cached' ? `miss ${fmtMs(first.ms)} | hits ` : ''}${line(config, result.api[config]!, result.bare)}`);
  // A cached answer keeps the `generatedAt` of the computation it came from.
  return { servedFromCache: first.json.generatedAt !== undefined && last.json.generatedAt === first.json.generatedAt };
}

type Duration = { sessions: number; medianSeconds: number | null; p90Seconds: number | null; meanSeconds: number | null; approximate?: boolean };

/**
 * Null when the answer equals the uncached one; a duration answered from the rollups' sketch (`approximate`) may
 * differ in its median and p90 within the stated 1 % (and a millisecond of rounding), nothing else.
 */
function answerDifference(answer: Body, reference: Body): string | null {
  const got = answer.duration as Duration | undefined;
  const want = reference.duration as Duration | undefined;
  if (!got?.approximate || !want) return isDeepStrictEqual(answer, reference) ? null : 'not identical';
  const rest = (body: Body) => ({ ...body, duration: { ...(body.duration as Duration), medianSeconds: 0, p90Seconds: 0, approximate: false } });
  if (!isDeepStrictEqual(rest(answer), rest(reference))) return 'not identical apart from the duration quantiles';
  for (const key of ['medianSeconds', 'p90Seconds'] as const) {
    const [a, b] = [got[key], want[key]];
    if ((a === null) !== (b === null) || (a !== null && b !== null && Math.abs(a - b) > 0.01 * b + 0.001)) return `duration ${key} ${a} vs exact ${b}: beyond 1 %`;
  }
  return null;
}

async function withServer(
  result: SizeResult,
  options: Parameters<typeof startApiServer>[0],
  work: (api: ApiClient, server: ApiServer) => Promise<void>,
): Promise<void> {
  const server = await startApiServer(options);
  say(`  ${options.config} API (pid ${server.pid}) ready in ${fmtMs(server.readyMs)}`);
  const api = new ApiClient(server.baseUrl, server.token);
  try {
    // Connects the pool and reads the table layout, so no measured call (nor the cache miss) pays for them.
    await api.json(`/api/${options.size.clientId}/funnel?from=2000-01-01&to=2000-01-01`);
    await work(api, server);
    const { peakBytes } = server.memory();
    result.servers.push({ config: options.config, readyMs: server.readyMs, peakBytes });
    say(`  ${options.config} API peak memory (VmHWM): ${fmtBytes(peakBytes)}`);
  } finally {
    api.close();
    await server.stop();
  }
}

interface LoadSpec {
  label: string;
  path: string;
  authorization: string;
  seconds: number;
}

async function runLoad(options: BenchOptions, server: ApiServer, spec: LoadSpec, pool: pg.Pool): Promise<LoadResult> {
  const { loadConnections: connections } = options;
  const { path, authorization, seconds } = spec;
  await loadTest(server.baseUrl, path, authorization, server.pid, connections, 1); // warm-up (JIT, cache)
  await waitForIdleDatabase(pool);
  const r = await loadTest(server.baseUrl, path, authorization, server.pid, connections, seconds);
  await waitForIdleDatabase(pool);
  say(`  load ${server.config} ${spec.label}, ${connections} connections × ${seconds} s: ${fmtInt(r.requestsPerSecond)} req/s,`
    + ` p50 ${fmtMs(r.p50)} p97.5 ${fmtMs(r.p97_5)} p99 ${fmtMs(r.p99)} max ${fmtMs(r.max)},`
    + ` errors ${r.errors} non-2xx ${r.non2xx}; RSS ${fmtBytes(r.rssEarlyBytes)} → ${fmtBytes(r.rssLateBytes)} (${isFlat(r) ? 'flat' : 'GROWING'}), VmHWM ${fmtBytes(r.peakBytes)}`);
  return r;
}

/** A service token of the client in the API's platform database, for the cache hit with a token. */
async function serviceToken(platformUrl: string, clientId: string): Promise<string> {
  const platform = createPool({ connectionString: platformUrl, max: 1, application_name: 'chatbot-analytics-bench' });
  try {
    return (await createToken(platform, { kind: 'service', clientId, name: 'bench', expiresAt: null, createdBy: null })).secret;
  } finally {
    await platform.end();
  }
}

/** Requests abandoned at the end of a load test keep their queries running: wait until the API's queries finish. */
async function waitForIdleDatabase(pool: pg.Pool): Promise<void> {
  for (;;) {
    const { rows } = await pool.query<{ n: number }>(`SELECT count(*) AS n FROM pg_stat_activity
      WHERE datname = current_database() AND application_name = 'chatbot-analytics' AND state = 'active'`);
    if (rows[0]!.n === 0) return;
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

async function churnAndRefresh(url: string, refresher: RollupRefresh | null): Promise<SizeResult['rollups']['churn']> {
  return withClient(url, async (db) => {
    say(`\n-- rollup refresh after 10 k new and 10 k updated sessions`);
    try {
      const { insertMs, updateMs } = await applyChurn(db, new Date());
      say(`  insert 10 k sessions: ${fmtMs(insertMs)}; update 10 k sessions: ${fmtMs(updateMs)}`);
      const refresh = refresher ? await refresher.refresh('refresh') : null;
      say(`  refresh: ${refresh ? `${fmtMs(refresh.ms)} (${refresh.report.mode}, ${fmtInt(refresh.report.rowsRead)} rows read)` : 'n/a'}`);
      return { insertMs, updateMs, refresh };
    } finally {
      await revertChurn(db);
      await db.query('VACUUM ANALYZE "UserEvents"'); // the next run starts from the same table, not a bloated one
    }
  });
}

async function recreateDatabase(adminUrl: string, name: string): Promise<void> {
  await withClient(adminUrl, async (admin) => {
    await admin.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
    await admin.query(`CREATE DATABASE "${name}"`);
  });
}
