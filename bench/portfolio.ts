import { parseArgs } from 'node:util';
import { answerPortfolio, planPortfolio } from '../src/answers/portfolio.ts';
import { MemoryBackend } from '../src/cache/backends.ts';
import { ResultCache } from '../src/cache/resultCache.ts';
import { quoteIdent } from '../src/db/identifiers.ts';
import { createPool } from '../src/db/pool.ts';
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
 * `npm run bench -- --portfolio 200,1000`: `GET /api/portfolio`'s work (src/answers/portfolio.ts) in this process for
 * the first N clients of a data set of schemas (the many-clients generator's sizes and zones, in a database of its
 * own), with rollups built: cold (empty result cache), warm (everything cached) and warm a minute later (the
 * freshness, cached per minute, is worked out again). Prints the figures and writes its section of BENCHMARKS.md.
 */
const DATABASE = 'bench_portfolio';
const PLATFORM = 'bench_portfolio_platform';
const DAYS = 70; // enough for the 8-week baseline
const log = quietLog;

export async function runPortfolioBench(argv: string[]): Promise<void> {
  const { values } = parseArgs({ args: argv, options: { portfolio: { type: 'string' }, budget: { type: 'string', default: '20' }, out: { type: 'string', default: 'BENCHMARKS.md' } }, strict: false });
  const counts = String(values.portfolio).split(',').map(Number).filter((n) => Number.isInteger(n) && n > 0).sort((a, b) => a - b);
  if (counts.length === 0) throw new Error('--portfolio takes client counts, e.g. 200,1000');
  const adminUrl = process.env.BENCH_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
  const max = counts.at(-1)!;
  const load = await machineLoad();
  const started = performance.now();
  const results: PortfolioResult[] = [];
  const url = databaseUrl(adminUrl, DATABASE);
  await buildData(adminUrl, url, max);
  await recreate(adminUrl, PLATFORM);
  const platform = createPool({ connectionString: databaseUrl(adminUrl, PLATFORM), max: 10 });
  try {
    await migratePlatform(platform);
    for (const n of counts) results.push(await measure(url, platform, n, Number(values.budget)));
  } finally {
    await platform.end();
    await withClient(adminUrl, (admin) => admin.query(`DROP DATABASE IF EXISTS ${quoteIdent(PLATFORM)} WITH (FORCE)`));
  }
  writeOwnSection(String(values.out), 'portfolio', sectionOf(results, Number(values.budget), load, argv, performance.now() - started));
}

interface PortfolioResult {
  clients: number;
  buildMs: number;
  coldMs: number;
  warmMs: number[];
  nextMinuteMs: number;
  failed: number;
}

function sectionOf(results: PortfolioResult[], budget: number, load: string, argv: string[], totalMs: number): string {
  return [
    '## Portfolio overview',
    '',
    `Written by \`npm run bench -- ${argv.join(' ')}\` (\`bench/portfolio.ts\`) on ${new Date().toISOString().slice(0, 10)} in`
      + ` ${Math.round(totalMs / 1000)} s; ${load}.`,
    '',
    `\`GET /api/portfolio\`'s work (\`answerPortfolio\`, default period: the last 7 local days against the 7 before) in the`
      + ` harness process for the first N clients of \`${DATABASE}\` (one schema per client, 300 … 3,000 sessions over the`
      + ` last ${DAYS} days, five time zones), \`DB_MAX_CONNECTIONS_PER_SERVER=${budget}\`, rollups built by the refresher`
      + ' into a fresh platform database. **Cold**: empty result cache (every answer, the freshness and its baseline'
      + ' computed: rollups read 100 clients per statement, raw SQL for edges, the fresh tail, leads and handoffs).'
      + ' **Warm**: the same again at the same moment (the clock is held), every answer cached. **A minute later**: the clock moved on a minute, so each'
      + ' client\'s freshness (cached per minute) is worked out again: its latest-session read plus the cached baseline.',
    '',
    '| Clients | Rollups built | Cold | Warm | A minute later | Rows failed |',
    '|---|---|---|---|---|---|',
    ...results.map((r) => `| ${fmtInt(r.clients)} | ${fmtMs(r.buildMs)} | **${fmtMs(r.coldMs)}** | ${r.warmMs.map(fmtMs).join(', ')} | ${fmtMs(r.nextMinuteMs)} | ${r.failed} |`),
  ].join('\n');
}

async function measure(url: string, platform: ReturnType<typeof createPool>, n: number, budget: number): Promise<PortfolioResult> {
  say(`\n-- portfolio of ${fmtInt(n)} clients (DB_MAX_CONNECTIONS_PER_SERVER=${budget}, rollups on)`);
  const { clients, databases, refresher } = schemaClients(url, platform, n, budget);
  try {
    let t = performance.now();
    await refresher.refreshAll();
    const buildMs = performance.now() - t;
    say(`  rollups built for ${fmtInt(n)} clients in ${fmtMs(buildMs)}`);
    const cache = new ResultCache(new MemoryBackend(512 * 1024 * 1024), 3_600_000, log);
    // One moment for cold and warm (a warm pass must not cross into the next minute of the freshness); then a minute on.
    const started = Date.now();
    let shift = 0;
    const deps = { databases, cache, rollups: new RollupReader(platform, (id) => databases.forClient(id)), now: () => new Date(started + shift), log };
    let failed = 0;
    const run = async (label: string) => {
      t = performance.now();
      const rows = await answerPortfolio(deps, planPortfolio(clients, {}, deps.now()));
      const ms = performance.now() - t;
      failed = Math.max(failed, rows.filter((r) => r.state !== 'ok').length);
      say(`  ${label.padEnd(16)} ${fmtMs(ms)} (${fmtInt(rows.length)} rows${failed ? `, ${failed} failed` : ''})`);
      return ms;
    };
    const coldMs = await run('cold');
    const warmMs = [await run('warm'), await run('warm')];
    shift = 60_000;
    const nextMinuteMs = await run('a minute later');
    await cache.close();
    return { clients: n, buildMs, coldMs, warmMs, nextMinuteMs, failed };
  } finally {
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

/** `clients` schemas of generated sessions over the last `DAYS` days; reused when the count matches. */
async function buildData(adminUrl: string, url: string, clients: number): Promise<void> {
  const marker = `portfolio-v1:${clients}`;
  const existing = await withClient(adminUrl, async (admin) => (await admin.query<{ c: string | null }>(
    `SELECT shobj_description(oid, 'pg_database') AS c FROM pg_database WHERE datname = $1`, [DATABASE])).rows[0]?.c);
  if (existing === marker) return say(`== data: reusing ${DATABASE} (${fmtInt(clients)} clients)`);
  say(`== data: building ${DATABASE} (${fmtInt(clients)} clients, ${DAYS} days)`);
  await recreate(adminUrl, DATABASE);
  const started = performance.now();
  const starts = `SELECT 's' || g AS id, ($1::timestamptz AT TIME ZONE 'UTC') - random() * interval '${DAYS} days' AS created FROM generate_series(1, $2::int) AS g`;
  const insert = insertSessionsSql(starts, '$1::timestamptz');
  let next = 0;
  await Promise.all([0, 1].map(() => withClient(url, async (db) => {
    for (let i = next++; i < clients; i = next++) {
      const schema = clientIdOf(i);
      await db.query(`CREATE SCHEMA ${quoteIdent(schema)}`);
      for (const statement of createClientTablesSql(schema)) await db.query(statement);
      await db.query(`SET search_path TO ${quoteIdent(schema)}`);
      await db.query(insert, [new Date().toISOString(), sessionsOf(i)]);
      await db.query('RESET search_path');
    }
  })));
  await withClient(url, (db) => db.query('VACUUM ANALYZE'));
  await withClient(adminUrl, (admin) => admin.query(`COMMENT ON DATABASE ${quoteIdent(DATABASE)} IS '${marker}'`));
  say(`  built in ${fmtMs(performance.now() - started)}`);
}
