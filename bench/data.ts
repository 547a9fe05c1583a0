import pg from 'pg';
import { CLIENT_TABLES, createClientTablesSql } from '../src/tenants/clientTables.ts';
import { describeSource, userEventsOf } from '../src/tenants/clientSource.ts';
import { anchor, instant } from '../src/analytics/sql.ts';
import { revertChurn } from './churn.ts';
import { chunkDays, planDays } from './dayPlan.ts';
import { dailyStartsSql, insertSessionsSql } from './dataSql.ts';
import { fmtBytes, fmtInt, fmtMs, say, timed } from './log.ts';
import { databaseUrl, type SizeSpec } from './options.ts';
import { connectClient } from '../src/db/pool.ts';

/** Bumped whenever the generator changes, so an older data set is rebuilt instead of reused. */
const GENERATOR_VERSION = 1;
export const BENCH_TIMEZONE = 'Europe/London';
const CHUNK_ROWS = 500_000;

export interface Dataset {
  size: SizeSpec;
  url: string;
  rows: number;
  bytes: number;
  reused: boolean;
  /** Local dates of the first and last generated day. */
  firstDay: string;
  lastDay: string;
  /** Each build step and how long it took (only the check when reused). */
  steps: { step: string; ms: number }[];
}

interface Marker {
  generator: number;
  target: number;
  rows: number;
  firstDay: string;
  lastDay: string;
}

/** The data set for `size`: reused when its table carries the expected marker and row count, else (re)built. */
export async function ensureDataset(size: SizeSpec, adminUrl: string, fresh: boolean): Promise<Dataset> {
  say(`\n== data: ${size.database} (${fmtInt(size.sessions)} sessions)`);
  const url = databaseUrl(adminUrl, size.database);
  const exists = await withClient(adminUrl, async (admin) => {
    const { rowCount } = await admin.query('SELECT 1 FROM pg_database WHERE datname = $1', [size.database]);
    if (rowCount && !fresh) return true;
    await admin.query(`DROP DATABASE IF EXISTS "${size.database}" WITH (FORCE)`);
    await admin.query(`CREATE DATABASE "${size.database}"`);
    return false;
  });
  return withClient(url, async (db) => {
    if (exists) {
      const reused = await reuse(db, size);
      if (reused) return { ...reused, url, bytes: await databaseBytes(db) };
      say('  existing data does not match: rebuilding');
    }
    const built = await build(db, size);
    return { ...built, url, bytes: await databaseBytes(db) };
  });
}

async function reuse(db: pg.Client, size: SizeSpec): Promise<Omit<Dataset, 'url' | 'bytes'> | null> {
  const started = performance.now();
  const { rows } = await db.query<{ comment: string | null }>(
    `SELECT obj_description(to_regclass('"UserEvents"'), 'pg_class') AS comment`,
  );
  const marker = parseMarker(rows[0]?.comment ?? null);
  if (!marker || marker.generator !== GENERATOR_VERSION || marker.target !== size.sessions) return null;
  await revertChurn(db);
  const count = Number((await db.query<{ n: string }>('SELECT count(*) AS n FROM "UserEvents"')).rows[0]!.n);
  if (count !== marker.rows) return null;
  const steps = [{ step: 'check existing data', ms: performance.now() - started }];
  say(`  reusing ${fmtInt(count)} rows (${marker.firstDay} … ${marker.lastDay}), checked in ${fmtMs(steps[0]!.ms)}; --fresh rebuilds`);
  steps.push({ step: 'indexes (if missing)', ms: (await timed('indexes (if missing)', () => createIndexes(db))).ms });
  return { size, rows: count, reused: true, firstDay: marker.firstDay, lastDay: marker.lastDay, steps };
}

async function build(db: pg.Client, size: SizeSpec): Promise<Omit<Dataset, 'url' | 'bytes'>> {
  const steps: Dataset['steps'] = [];
  const step = async (label: string, work: () => Promise<unknown>) => steps.push({ step: label, ms: (await timed(label, work)).ms });
  await db.query(`SET synchronous_commit = off`);
  await db.query(`SET maintenance_work_mem = '1GB'`);
  await db.query(`DROP TABLE IF EXISTS "UserEvents"`);
  // The layout the chatbot's Prisma schema creates; its primary key is added after the load (one sort, not 10 M inserts).
  await db.query(createClientTablesSql('public')[CLIENT_TABLES.indexOf('UserEvents')]!);
  await db.query(`ALTER TABLE "UserEvents" DROP CONSTRAINT "UserEvents_pkey"`);

  const now = new Date();
  const plan = planDays(size.sessions, BENCH_TIMEZONE, now);
  const chunks = chunkDays(plan, CHUNK_ROWS);
  const sql = insertSessionsSql(dailyStartsSql(), '$4::timestamptz');
  let rows = 0;
  await step(`generate ${chunks.length} chunk(s) with generate_series`, async () => {
    const started = performance.now();
    for (const [i, chunk] of chunks.entries()) {
      await db.query('SELECT setseed($1)', [(i + 1) / (chunks.length + 1)]);
      const result = await db.query(sql, [chunk.days, chunk.counts, BENCH_TIMEZONE, now.toISOString()]);
      rows += result.rowCount ?? 0;
      const elapsed = (performance.now() - started) / 1000;
      const rate = rows / elapsed;
      say(`    ${chunk.days[0]} … ${chunk.days.at(-1)}: ${fmtInt(rows)} / ~${fmtInt(size.sessions)} rows`
        + ` (${Math.round((100 * rows) / size.sessions)} %, ${fmtInt(rate)} rows/s, ETA ${Math.round((size.sessions - rows) / rate)} s)`);
    }
  });
  await step('primary key ("sessionId")', () => db.query(`ALTER TABLE "UserEvents" ADD CONSTRAINT "UserEvents_pkey" PRIMARY KEY ("sessionId")`));
  await step('indexes (anchor time, updatedAt)', () => createIndexes(db));
  await step('VACUUM ANALYZE', () => db.query(`VACUUM ANALYZE "UserEvents"`));
  const marker: Marker = { generator: GENERATOR_VERSION, target: size.sessions, rows, firstDay: plan.days[0]!, lastDay: plan.days.at(-1)! };
  await db.query(`COMMENT ON TABLE "UserEvents" IS '${JSON.stringify(marker)}'`);
  say(`  ${fmtInt(rows)} rows, ${plan.days[0]} … ${plan.days.at(-1)} (${BENCH_TIMEZONE})`);
  return { size, rows, reused: false, firstDay: marker.firstDay, lastDay: marker.lastDay, steps };
}

/**
 * The indexes the metric queries need: the anchor time exactly as the analytics SQL writes it (so the planner can
 * match the expression), and `updatedAt` both as a column and as an instant, for incremental rollup refreshes.
 */
async function createIndexes(db: pg.Client): Promise<void> {
  const userEvents = userEventsOf(await describeSource(db, 'public'));
  await db.query(`SET maintenance_work_mem = '1GB'`);
  await db.query(`CREATE INDEX IF NOT EXISTS "UserEvents_anchor_idx" ON "UserEvents" ((${anchor(userEvents)}))`);
  await db.query(`CREATE INDEX IF NOT EXISTS "UserEvents_updatedAt_idx" ON "UserEvents" ("updatedAt")`);
  await db.query(`CREATE INDEX IF NOT EXISTS "UserEvents_updatedAt_instant_idx" ON "UserEvents" ((${instant(userEvents, 'updatedAt')}))`);
}

function parseMarker(comment: string | null): Marker | null {
  if (!comment) return null;
  try {
    return JSON.parse(comment) as Marker;
  } catch {
    return null;
  }
}

async function databaseBytes(db: pg.Client): Promise<number> {
  const { rows } = await db.query<{ bytes: string }>('SELECT pg_database_size(current_database()) AS bytes');
  const bytes = Number(rows[0]!.bytes);
  say(`  database size: ${fmtBytes(bytes)}`);
  return bytes;
}

export async function withClient<T>(url: string, work: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = await connectClient({ connectionString: url, application_name: 'chatbot-analytics-bench' });
  try {
    return await work(client);
  } finally {
    await client.end();
  }
}
