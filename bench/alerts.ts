import { parseArgs } from 'node:util';
import { MemoryBackend } from '../src/cache/backends.ts';
import { ResultCache } from '../src/cache/resultCache.ts';
import { quoteIdent } from '../src/db/identifiers.ts';
import { createPool } from '../src/db/pool.ts';
import { evaluateAlerts } from '../src/notify/alerts/evaluateAlerts.ts';
import type { Notification, Notifier } from '../src/notify/notification.ts';
import { migratePlatform } from '../src/platform/migrations.ts';
import { RollupReader } from '../src/rollups/index.ts';
import { createClientTablesSql } from '../src/tenants/clientTables.ts';
import { withClient } from './data.ts';
import { insertSessionsSql } from './dataSql.ts';
import { fmtInt, fmtMs, say } from './log.ts';
import { clientIdOf, sessionsOf } from './manyData.ts';
import { databaseUrl } from './options.ts';
import { machineLoad, writeOwnSection } from './sections.ts';
import { quietLog, schemaClients } from './schemaClients.ts';

/**
 * `npm run bench -- --alerts 1000`: alert evaluation rounds (src/notify/alerts/evaluateAlerts.ts) in this process over
 * N clients in schemas of one database, rollups built, every tenth client's chatbot silent for its last 2 days.
 * Round 1 starts with an empty result cache (silent clients go pending), round 2 fires them, round 3 notifies.
 * Prints the figures and writes its section of BENCHMARKS.md.
 */
const DATABASE = 'bench_alerts';
const PLATFORM = 'bench_alerts_platform';
const DAYS = 42; // the no-data rule needs 3 weeks; the KPI baseline reads 29 days
const log = quietLog;

/** Delivery as a benchmark sees it: counts what it is handed. */
class CountingNotifier implements Notifier {
  count = 0;
  async notify(_notification: Notification): Promise<void> {
    this.count++;
  }
}

export async function runAlertsBench(argv: string[]): Promise<void> {
  const { values } = parseArgs({ args: argv, options: { alerts: { type: 'string' }, budget: { type: 'string', default: '20' }, concurrency: { type: 'string', default: '8' }, out: { type: 'string', default: 'BENCHMARKS.md' } }, strict: false });
  const counts = String(values.alerts).split(',').map(Number).filter((n) => Number.isInteger(n) && n > 0).sort((a, b) => a - b);
  if (counts.length === 0) throw new Error('--alerts takes client counts, e.g. 50,1000');
  const adminUrl = process.env.BENCH_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
  const url = databaseUrl(adminUrl, DATABASE);
  const now = new Date();
  const load = await machineLoad();
  const started = performance.now();
  const results: AlertsResult[] = [];
  await buildData(adminUrl, url, counts.at(-1)!, now);
  try {
    for (const n of counts) {
      await recreate(adminUrl, PLATFORM);
      const platform = createPool({ connectionString: databaseUrl(adminUrl, PLATFORM), max: 10 });
      try {
        await migratePlatform(platform);
        results.push(await measure(url, platform, n, Number(values.budget), Number(values.concurrency), now));
      } finally {
        await platform.end();
      }
    }
  } finally {
    // Both go: the data is rebuilt every run (its sessions end at the run's own clock).
    await withClient(adminUrl, async (admin) => {
      for (const name of [PLATFORM, DATABASE]) await admin.query(`DROP DATABASE IF EXISTS ${quoteIdent(name)} WITH (FORCE)`);
    });
  }
  writeOwnSection(String(values.out), 'alert-rounds', sectionOf(results, load, argv, performance.now() - started));
}

interface AlertsResult {
  clients: number;
  budget: number;
  concurrency: number;
  rounds: { label: string; ms: number; changes: string; failures: number }[];
}

function sectionOf(results: AlertsResult[], load: string, argv: string[], totalMs: number): string {
  return [
    '## Alert evaluation rounds',
    '',
    `Written by \`npm run bench -- ${argv.join(' ')}\` (\`bench/alerts.ts\`) on ${new Date().toISOString().slice(0, 10)} in`
      + ` ${Math.round(totalMs / 1000)} s; ${load}.`,
    '',
    `\`evaluateAlerts\` (every rule with its defaults) in the harness process over N clients as schemas of \`${DATABASE}\``
      + ` (sessions over the last ${DAYS} days, every tenth client silent for its last 2), rollups built. Round 1 starts`
      + ' with an empty result cache; rounds 2 and 3 follow a minute apart on the clock (silent clients fire, then notify).'
      + ' Rounds run every minute, so each must end well inside 60 s.',
    '',
    '| Clients | In flight | Round 1 (cold) | Round 2 | Round 3 | Per client (cold / warm) | State changes | Failures |',
    '|---|---|---|---|---|---|---|---|',
    ...results.map((r) => {
      const [a, b, c] = r.rounds;
      return `| ${fmtInt(r.clients)} | ${r.concurrency} | **${fmtMs(a!.ms)}** | ${fmtMs(b!.ms)} | ${fmtMs(c!.ms)} | ${fmtMs(a!.ms / r.clients)} / ${fmtMs(c!.ms / r.clients)} |`
        + ` ${r.rounds.map((x) => x.changes).join('; ')} | ${r.rounds.reduce((n, x) => n + x.failures, 0)} |`;
    }),
  ].join('\n');
}

async function measure(url: string, platform: ReturnType<typeof createPool>, n: number, budget: number, concurrency: number, now: Date): Promise<AlertsResult> {
  say(`\n-- alert rounds over ${fmtInt(n)} clients (DB_MAX_CONNECTIONS_PER_SERVER=${budget}, ${concurrency} clients at once, rollups on)`);
  const { clients, registry, databases, refresher } = schemaClients(url, platform, n, budget);
  const cache = new ResultCache(new MemoryBackend(512 * 1024 * 1024), 3_600_000, log);
  try {
    let t = performance.now();
    await refresher.refreshAll();
    say(`  rollups built in ${fmtMs(performance.now() - t)}`);
    const notifier = new CountingNotifier();
    const rollups = new RollupReader(platform, (id) => databases.forClient(id));
    const deps = { answers: { databases, cache, rollups, now: () => now, log }, platform, clients: registry, notifier, publicUrl: null, concurrency };
    const rounds: AlertsResult['rounds'] = [];
    for (const [i, label] of ['cold', 'warm', 'warm'].entries()) {
      t = performance.now();
      const report = await evaluateAlerts(deps, new Date(now.getTime() + i * 60_000));
      const ms = performance.now() - t;
      const moved = report.changes.reduce<Record<string, number>>((acc, c) => ({ ...acc, [c.to]: (acc[c.to] ?? 0) + 1 }), {});
      say(`  round ${i + 1} (${label}) ${fmtMs(ms)}: ${fmtMs(ms / n)} a client; changes ${JSON.stringify(moved)}, notifications so far ${notifier.count}`
        + `${report.failures.length ? `, ${report.failures.length} failed` : ''}`);
      const changes = Object.entries(moved).map(([to, k]) => `${k} → ${to}`).join(', ') || 'none';
      rounds.push({ label, ms, changes, failures: report.failures.length });
    }
    return { clients: n, budget, concurrency, rounds };
  } finally {
    await cache.close();
    await refresher.stop();
    await databases.close();
  }
}

async function recreate(adminUrl: string, name: string): Promise<void> {
  await withClient(adminUrl, async (admin) => {
    await admin.query(`DROP DATABASE IF EXISTS ${quoteIdent(name)} WITH (FORCE)`);
    await admin.query(`CREATE DATABASE ${quoteIdent(name)}`);
  });
}

/** `clients` schemas of sessions over the last `DAYS` days (every tenth silent for its last 2); rebuilt each run (the clock moves). */
async function buildData(adminUrl: string, url: string, clients: number, now: Date): Promise<void> {
  say(`== data: building ${DATABASE} (${fmtInt(clients)} clients, ${DAYS} days)`);
  await recreate(adminUrl, DATABASE);
  const started = performance.now();
  const starts = `SELECT 's' || g AS id, ($1::timestamptz AT TIME ZONE 'UTC') - ($3::float8 + random() * ($4::float8 - $3::float8)) * interval '1 day' AS created
                    FROM generate_series(1, $2::int) AS g`;
  const insert = insertSessionsSql(starts, '$1::timestamptz');
  let next = 0;
  await Promise.all([0, 1].map(() => withClient(url, async (db) => {
    for (let i = next++; i < clients; i = next++) {
      const schema = clientIdOf(i);
      await db.query(`CREATE SCHEMA ${quoteIdent(schema)}`);
      for (const statement of createClientTablesSql(schema)) await db.query(statement);
      await db.query(`SET search_path TO ${quoteIdent(schema)}`);
      await db.query(insert, [now.toISOString(), sessionsOf(i) * 2, i % 10 === 0 ? 2 : 0, DAYS]);
      await db.query('RESET search_path');
    }
  })));
  await withClient(url, (db) => db.query('VACUUM ANALYZE'));
  say(`  built in ${fmtMs(performance.now() - started)}`);
}
