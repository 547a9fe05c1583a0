import type { ClientConfig } from '../src/config/clients.ts';
import { countsSql } from '../src/analytics/getCounts.ts';
import { boundValues, metricQuery, runQuery } from '../src/analytics/query.ts';
import { resolveRange } from '../src/analytics/range.ts';
import { BOUND_PARAMS, DEFAULT_FUNNEL } from '../src/analytics/sql.ts';
import { quoteIdent } from '../src/db/identifiers.ts';
import { connectClient, createPool } from '../src/db/pool.ts';
import { layoutSource } from '../src/tenants/clientSource.ts';
import { ClientDatabases } from '../src/tenants/clientDatabases.ts';
import { ClientRegistry } from '../src/tenants/clientRegistry.ts';
import { withClient } from './data.ts';
import { ApiClient } from './http.ts';
import { fmtBytes, fmtInt, fmtMs, say } from './log.ts';
import {
  applyManyChurn, CHURN_NEW, CHURN_UPDATED, clientIdOf, ensureManyDataset, revertManyChurn, timezoneOf,
} from './manyData.ts';
import { stats } from './measure.ts';
import { databaseUrl, type BenchOptions, type ManyClientsSpec } from './options.ts';
import type { ManyClientsResult, ManyRefreshResult, ConnectionPeak } from './results.ts';
import { spawnApi } from './server.ts';

/** The platform database of this case, created for the run and dropped after it (rollups are rebuilt every run). */
const PLATFORM_DATABASE = 'bench_many_platform';
/** What the API names its client connections (src/tenants/clientDatabases.ts) and its platform pool. */
const CLIENT_APP = 'chatbot-analytics';
const PLATFORM_APP = 'chatbot-analytics-platform';

/**
 * 1,000 clients as schemas of one database on one PostgreSQL server: a real API process started with all of them
 * (time to ready, RSS), every client's first (uncached) and warm (cached) 30-day funnel with bounded concurrency
 * while `pg_stat_activity` is sampled, then one in-process rollup refresh round over every client after churn.
 */
export async function runManyClients(options: BenchOptions, spec: ManyClientsSpec, workDir: string): Promise<ManyClientsResult> {
  const dataset = await ensureManyDataset(options.adminUrl, spec.clients, options.fresh);
  const platformUrl = databaseUrl(options.adminUrl, PLATFORM_DATABASE);
  await recreateDatabase(options.adminUrl, PLATFORM_DATABASE);
  try {
    const api = await measureApi(options, spec, dataset.url, platformUrl, workDir);
    const refresh = await measureRefresh(options, spec, dataset.url, platformUrl);
    return { spec, dataset, api, refresh };
  } finally {
    await withClient(options.adminUrl, (admin) => admin.query(`DROP DATABASE IF EXISTS ${quoteIdent(PLATFORM_DATABASE)} WITH (FORCE)`));
  }
}

const clientIds = (n: number) => Array.from({ length: n }, (_, i) => clientIdOf(i));

/** The API process with every client: time to ready, RSS, first and warm answers, connections on the server. */
async function measureApi(options: BenchOptions, spec: ManyClientsSpec, dbUrl: string, platformUrl: string, workDir: string): Promise<ManyClientsResult['api']> {
  say(`\n-- ${spec.label}: the API with ${fmtInt(spec.clients)} clients (DB_MAX_CONNECTIONS_PER_SERVER=${spec.budget}, ROLLUP_REFRESH_SECONDS=0)`);
  const ids = clientIds(spec.clients);
  const registry: Record<string, unknown> = {};
  const env: Record<string, string> = {
    PLATFORM_DB_URL: platformUrl,
    DB_MAX_CONNECTIONS_PER_SERVER: String(spec.budget),
    ROLLUP_REFRESH_SECONDS: '0',
    // The warm pass must find every first answer still cached, however long the first pass took.
    CACHE_TTL_SECONDS: '3600',
    DB_ACQUIRE_TIMEOUT_MS: '60000',
  };
  ids.forEach((id, i) => {
    const variable = `${id.toUpperCase()}_DB_URL`;
    // One variable per client, as the README says a client is added; the URL stays out of the registry file.
    registry[id] = { id, name: `Client ${i}`, dbUrl: `\${${variable}}`, timezone: timezoneOf(i) };
    const url = new URL(dbUrl);
    url.searchParams.set('schema', id);
    env[variable] = url.toString();
  });

  const server = await spawnApi({ name: 'many', workDir, registry, env });
  const afterStart = server.memory();
  say(`  ready in ${fmtMs(server.readyMs)} (spawn to /health 200); RSS ${fmtBytes(afterStart.rssBytes)}`);
  const api = new ApiClient(server.baseUrl, server.token, spec.concurrency);
  try {
    const sampler = sampleConnections(options.adminUrl, dbUrl, platformUrl);
    const first = await pass(api, ids, spec.concurrency, 'first (uncached)');
    const warm = await pass(api, ids, spec.concurrency, 'warm (cached)');
    const connections = await sampler.stop();
    const afterAnswers = server.memory();
    say(`  connections on the server during the load: client ${connections.maxClient} (budget ${spec.budget}), platform pool ${connections.maxPlatform},`
      + ` all backends ${connections.maxAll}; ${fmtInt(connections.samples)} samples${connections.failures.length ? `, ${connections.failures.length} failed` : ''}`);
    say(`  RSS after answering every client twice: ${fmtBytes(afterAnswers.rssBytes)} (peak ${fmtBytes(afterAnswers.peakBytes)})`);

    const mismatches: string[] = [];
    let cacheHits = 0;
    for (const [i, id] of ids.entries()) {
      const a = first.answers[i]!;
      const b = warm.answers[i]!;
      if (a.status !== 200) mismatches.push(`${id}: first answer ${a.status}`);
      if (b.status !== 200) mismatches.push(`${id}: warm answer ${b.status}`);
      if (a.body?.clientId !== id) mismatches.push(`${id}: answered for ${String(a.body?.clientId)}`);
      if (a.body && b.body && a.body.generatedAt !== undefined && a.body.generatedAt === b.body.generatedAt) cacheHits++;
    }
    mismatches.push(...await checkSessions(dbUrl, ids, first.answers));
    say(`  answers: ${fmtInt(ids.length - new Set(mismatches.map((m) => m.split(':')[0])).size)} / ${fmtInt(ids.length)} clients right`
      + ` (session counts equal the bare SQL's); warm answers from the cache: ${fmtInt(cacheHits)}`);
    for (const m of mismatches.slice(0, 10)) say(`    ${m}`);
    return {
      readyMs: server.readyMs,
      rssAfterStartBytes: afterStart.rssBytes,
      rssAfterAnswersBytes: afterAnswers.rssBytes,
      peakBytes: afterAnswers.peakBytes,
      first: first.stats,
      warm: warm.stats,
      firstWallMs: first.wallMs,
      warmWallMs: warm.wallMs,
      cacheHits,
      mismatches,
      connections,
    };
  } finally {
    api.close();
    await server.stop();
  }
}

type Answer = { status: number; ms: number; body: Record<string, unknown> | null };

/** Every client's 30-day funnel (the default range), `concurrency` requests in flight. */
async function pass(api: ApiClient, ids: string[], concurrency: number, label: string) {
  const answers: Answer[] = new Array(ids.length);
  let next = 0;
  const started = performance.now();
  await Promise.all(Array.from({ length: concurrency }, async () => {
    for (;;) {
      const i = next++;
      if (i >= ids.length) return;
      const response = await api.get(`/api/${ids[i]}/funnel`);
      let body: Record<string, unknown> | null = null;
      try {
        body = JSON.parse(response.body) as Record<string, unknown>;
      } catch {
        // reported as a wrong answer below
      }
      answers[i] = { status: response.status, ms: response.ms, body };
    }
  }));
  const wallMs = performance.now() - started;
  const s = stats(answers.map((a) => a.ms));
  say(`  ${label.padEnd(17)} ${fmtInt(ids.length)} clients, ${concurrency} in flight: p50 ${fmtMs(s.p50)} p95 ${fmtMs(s.p95)} max ${fmtMs(s.max)};`
    + ` ${fmtMs(wallMs)} in all (${fmtInt((ids.length / wallMs) * 1000)} clients/s)`);
  return { answers, stats: s, wallMs };
}

/** Each client's answered session count against the bare SQL (`countsSql`) over the same default range. */
async function checkSessions(dbUrl: string, ids: string[], answers: Answer[]): Promise<string[]> {
  const pool = createPool({ connectionString: dbUrl, max: 2, application_name: 'chatbot-analytics-bench' });
  const wrong: string[] = [];
  try {
    const now = new Date();
    let next = 0;
    await Promise.all([0, 1].map(async () => {
      for (;;) {
        const i = next++;
        if (i >= ids.length) return;
        const q = metricQuery(resolveRange({}, timezoneOf(i), now), DEFAULT_FUNNEL);
        const [row] = await runQuery<{ sessions: number }>(pool, countsSql(layoutSource(ids[i]!, 'timestamp'), BOUND_PARAMS, DEFAULT_FUNNEL), boundValues(q));
        const answered = answers[i]!.body?.sessions;
        if (answers[i]!.status === 200 && answered !== row!.sessions) wrong.push(`${ids[i]}: answered ${String(answered)} sessions, the bare SQL ${row!.sessions}`);
      }
    }));
  } finally {
    await pool.end();
  }
  return wrong;
}

/**
 * One refresher in this process over every client, as the API runs it (a registry, `ClientDatabases` under the same
 * per-server budget, a migrated platform database): an initial build of every client's rollup, then
 * `CHURN_NEW` + `CHURN_UPDATED` changed sessions per client, then one timed `refreshAll()` round.
 */
async function measureRefresh(options: BenchOptions, spec: ManyClientsSpec, dbUrl: string, platformUrl: string): Promise<ManyRefreshResult> {
  say(`\n-- ${spec.label}: one rollup refresh round over ${fmtInt(spec.clients)} clients (in-process refresher, budget ${spec.budget})`);
  const [{ openPlatformDatabase }, { startRollupRefresher }] = await Promise.all([
    import('../src/platform/platformDatabase.ts'),
    import('../src/rollups/index.ts'),
  ]);
  const ids = clientIds(spec.clients);
  const registry = new ClientRegistry();
  registry.replace('file', ids.map((id, i): ClientConfig => ({
    id, name: `Client ${i}`, database: { url: dbUrl, schema: id }, grafanaOrgId: null, domain: null, timezone: timezoneOf(i),
    timestampType: 'timestamp', branding: { primaryColor: '#2563eb', logoUrl: null }, apiKey: null, grafanaDatabaseUrl: null,
  })));
  const failures: string[] = [];
  const log = { info() {}, warn: (_details: object, message: string) => void failures.push(message) };
  const databases = new ClientDatabases(registry, {
    poolMax: 3, maxConnectionsPerServer: spec.budget, acquireTimeoutMs: 60_000,
    connectTimeoutMs: 3000, statementTimeoutMs: 300_000, idleTimeoutMs: 10_000,
  }, log);
  const platform = await openPlatformDatabase({ url: platformUrl, migrate: true, waitSeconds: 0 });
  const refresher = startRollupRefresher({ clientIds: () => ids, databases, platform: platform.pool, intervalMs: 0, log });
  try {
    let started = performance.now();
    const built = await refresher.refreshAll();
    const initialMs = performance.now() - started;
    const initialRows = built.reduce((n, r) => n + r.rowsRead, 0);
    say(`  initial build: ${fmtMs(initialMs)} (${fmtInt(built.length)} clients built, ${fmtInt(initialRows)} rows read${failures.length ? `, ${failures.length} failures` : ''})`);
    const initialFailures = failures.splice(0);

    const churn = await withClient(dbUrl, (db) => applyManyChurn(db, spec.clients, new Date()));
    say(`  churn: ${fmtInt(churn.rows)} sessions written (${CHURN_NEW} new + ${CHURN_UPDATED} updated per client) in ${fmtMs(churn.ms)}`);
    try {
      const sampler = sampleConnections(options.adminUrl, dbUrl, platformUrl);
      started = performance.now();
      const reports = await refresher.refreshAll();
      const roundMs = performance.now() - started;
      const connections = await sampler.stop();
      const sum = (f: (r: (typeof reports)[number]) => number) => reports.reduce((n, r) => n + f(r), 0);
      const perClient = stats(reports.map((r) => r.ms));
      const result: ManyRefreshResult = {
        // Measured, not configured: the clients' refresh times summed over the round's wall time.
        overlap: reports.reduce((n, r) => n + r.ms, 0) / roundMs,
        initialMs,
        initialRows,
        initialClients: built.length,
        initialFailures: initialFailures.length,
        churnRows: churn.rows,
        churnMs: churn.ms,
        roundMs,
        clients: reports.length,
        modes: Object.fromEntries([...new Set(reports.map((r) => r.mode))].map((m) => [m, reports.filter((r) => r.mode === m).length])),
        rowsRead: sum((r) => r.rowsRead),
        sessionsChanged: sum((r) => r.sessionsChanged),
        bucketsTouched: sum((r) => r.bucketsTouched),
        perClient,
        failures: failures.length,
        failureExamples: [...new Set(failures)].slice(0, 3),
        connections,
      };
      say(`  refresh round: ${fmtMs(roundMs)} for ${fmtInt(reports.length)} clients (${Object.entries(result.modes).map(([m, n]) => `${n} ${m}`).join(', ')}),`
        + ` ${fmtInt(result.rowsRead)} rows read, ${fmtInt(result.sessionsChanged)} sessions changed, ${fmtInt(result.bucketsTouched)} buckets recomputed;`
        + ` per client p50 ${fmtMs(perClient.p50)} p95 ${fmtMs(perClient.p95)} max ${fmtMs(perClient.max)} (clients in progress at once: ${result.overlap.toFixed(2)} on average)`
        + `${failures.length ? `; ${failures.length} failures` : ''}`);
      say(`  connections on the server during the round: client ${connections.maxClient} (budget ${spec.budget}), platform pool ${connections.maxPlatform}, all backends ${connections.maxAll}`);
      return result;
    } finally {
      await withClient(dbUrl, async (db) => {
        await revertManyChurn(db, spec.clients);
        await db.query('VACUUM ANALYZE'); // the next run starts from the same tables, not bloated ones
      });
    }
  } finally {
    await refresher.stop();
    await databases.close();
    await platform.close();
  }
}

/**
 * Counts connections on the server every ~50 ms, each time on a fresh connection (so a sample never borrows one of
 * the platform's): the platform's client connections (`application_name` chatbot-analytics, to the clients'
 * database), its platform pool, and every client backend of the server.
 */
function sampleConnections(adminUrl: string, dbUrl: string, platformUrl: string, everyMs = 50) {
  const clientDb = new URL(dbUrl).pathname.slice(1);
  const platformDb = new URL(platformUrl).pathname.slice(1);
  const peak: ConnectionPeak = { maxClient: 0, maxPlatform: 0, maxAll: 0, samples: 0, failures: [] };
  let running = true;
  const loop = (async () => {
    while (running) {
      try {
        const probe = await connectClient({ connectionString: adminUrl, connectionTimeoutMillis: 2000, application_name: 'chatbot-analytics-bench' });
        try {
          const { rows: [row] } = await probe.query<{ client: number; platform: number; all: number }>(
            `SELECT count(*) FILTER (WHERE application_name = $1 AND datname = $2)::int AS client,
                    count(*) FILTER (WHERE application_name = $3 AND datname = $4)::int AS platform,
                    count(*) FILTER (WHERE backend_type = 'client backend')::int AS all
               FROM pg_stat_activity`,
            [CLIENT_APP, clientDb, PLATFORM_APP, platformDb],
          );
          peak.maxClient = Math.max(peak.maxClient, row!.client);
          peak.maxPlatform = Math.max(peak.maxPlatform, row!.platform);
          peak.maxAll = Math.max(peak.maxAll, row!.all);
          peak.samples++;
        } finally {
          await probe.end();
        }
      } catch (error) {
        peak.failures.push((error as { code?: string }).code ?? (error as Error).message);
      }
      await new Promise((resolve) => setTimeout(resolve, everyMs));
    }
  })();
  return {
    async stop(): Promise<ConnectionPeak> {
      running = false;
      await loop;
      return peak;
    },
  };
}

async function recreateDatabase(adminUrl: string, name: string): Promise<void> {
  await withClient(adminUrl, async (admin) => {
    await admin.query(`DROP DATABASE IF EXISTS ${quoteIdent(name)} WITH (FORCE)`);
    await admin.query(`CREATE DATABASE ${quoteIdent(name)}`);
  });
}
