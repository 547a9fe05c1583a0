import type pg from 'pg';
import { anchor, instant } from '../src/analytics/sql.ts';
import { quoteIdent, tableRef } from '../src/db/identifiers.ts';
import { createClientTablesSql } from '../src/tenants/clientTables.ts';
import { layoutSource, userEventsOf } from '../src/tenants/clientSource.ts';
import { withClient } from './data.ts';
import { insertSessionsSql } from './dataSql.ts';
import { fmtBytes, fmtInt, fmtMs, say } from './log.ts';
import { databaseUrl } from './options.ts';

/**
 * The many-clients data set: one database, one schema per client (`c0000` …), each with the chatbot's four tables of
 * `src/tenants/clientTables.ts` and a few hundred to a few thousand sessions of the last `MANY_DAYS` days, generated
 * inside PostgreSQL with `generate_series` and the same funnel model as the single-client data sets.
 */
export const MANY_DATABASE = 'bench_many';
/** Bumped whenever the generator changes, so an older data set is rebuilt instead of reused. */
const GENERATOR_VERSION = 1;
export const MANY_DAYS = 90;
/** A data set older than this is rebuilt: the 30-day requests would find fewer and fewer sessions in it. */
const MAX_AGE_DAYS = 14;
/** Connections that build the data in parallel (one per core; far below the server's max_connections). */
const BUILD_CONNECTIONS = 2;
/** Time zones the clients cycle through, so answers are bucketed in more than one zone. */
const ZONES = ['Europe/London', 'Australia/Sydney', 'America/New_York', 'Asia/Kolkata', 'Europe/Berlin'];

export const clientIdOf = (i: number) => `c${String(i).padStart(4, '0')}`;
/** Client i's sessions: 300 … 3,000, spread by a multiplicative hash so neighbours differ. */
export const sessionsOf = (i: number) => 300 + ((i * 7919) % 2701);
export const timezoneOf = (i: number) => ZONES[i % ZONES.length]!;

export interface ManyDataset {
  database: string;
  url: string;
  clients: number;
  sessions: number;
  bytes: number;
  reused: boolean;
  builtAt: string;
  steps: { step: string; ms: number }[];
}

interface Marker {
  generator: number;
  clients: number;
  sessions: number;
  builtAt: string;
}

/** The data set for `clients` clients: reused when the database's marker and row count match, else (re)built. */
export async function ensureManyDataset(adminUrl: string, clients: number, fresh: boolean): Promise<ManyDataset> {
  say(`\n== data: ${MANY_DATABASE} (${fmtInt(clients)} clients as schemas of one database)`);
  const url = databaseUrl(adminUrl, MANY_DATABASE);
  const exists = await withClient(adminUrl, async (admin) => {
    const { rowCount } = await admin.query('SELECT 1 FROM pg_database WHERE datname = $1', [MANY_DATABASE]);
    return (rowCount ?? 0) > 0;
  });
  if (exists && !fresh) {
    const reused = await withClient(url, (db) => reuse(db, clients));
    if (reused) return { ...reused, url, bytes: await withClient(url, databaseBytes) };
  }
  await withClient(adminUrl, async (admin) => {
    await admin.query(`DROP DATABASE IF EXISTS ${quoteIdent(MANY_DATABASE)} WITH (FORCE)`);
    await admin.query(`CREATE DATABASE ${quoteIdent(MANY_DATABASE)}`);
  });
  const built = await build(url, clients);
  return { ...built, url, bytes: await withClient(url, databaseBytes) };
}

async function reuse(db: pg.Client, clients: number): Promise<Omit<ManyDataset, 'url' | 'bytes'> | null> {
  const started = performance.now();
  const { rows } = await db.query<{ comment: string | null }>(
    `SELECT shobj_description(oid, 'pg_database') AS comment FROM pg_database WHERE datname = current_database()`,
  );
  const marker = parseMarker(rows[0]?.comment ?? null);
  if (!marker || marker.generator !== GENERATOR_VERSION || marker.clients !== clients) {
    say('  existing data does not match (generator or client count): rebuilding');
    return null;
  }
  const ageDays = (Date.now() - Date.parse(marker.builtAt)) / 86_400_000;
  if (ageDays > MAX_AGE_DAYS) {
    say(`  existing data was built ${Math.floor(ageDays)} days ago (> ${MAX_AGE_DAYS}): rebuilding so the last 30 days hold sessions`);
    return null;
  }
  await revertManyChurn(db, clients);
  const count = await totalSessions(db, clients);
  if (count !== marker.sessions) {
    say(`  existing data holds ${fmtInt(count)} sessions, the marker ${fmtInt(marker.sessions)}: rebuilding`);
    return null;
  }
  const ms = performance.now() - started;
  say(`  reusing ${fmtInt(clients)} schemas, ${fmtInt(count)} sessions (built ${marker.builtAt.slice(0, 10)}), checked in ${fmtMs(ms)}; --fresh rebuilds`);
  return { database: MANY_DATABASE, clients, sessions: count, reused: true, builtAt: marker.builtAt, steps: [{ step: 'check existing data', ms }] };
}

/** Session starts spread over the last `MANY_DAYS` days; `$1` is now, `$2` how many. */
const STARTS = `SELECT 's' || g AS id, ($1::timestamptz AT TIME ZONE 'UTC') - random() * interval '${MANY_DAYS} days' AS created
  FROM generate_series(1, $2::int) AS g`;

async function build(url: string, clients: number): Promise<Omit<ManyDataset, 'url' | 'bytes'>> {
  const steps: ManyDataset['steps'] = [];
  const now = new Date();
  const insert = insertSessionsSql(STARTS, '$1::timestamptz');
  let next = 0;
  let done = 0;
  let sessions = 0;
  const started = performance.now();
  // A few connections, each taking the next client: the schema, its four tables, its sessions, its indexes.
  await Promise.all(Array.from({ length: BUILD_CONNECTIONS }, () => withClient(url, async (db) => {
    await db.query('SET synchronous_commit = off');
    for (;;) {
      const i = next++;
      if (i >= clients) return;
      const schema = clientIdOf(i);
      await db.query(`CREATE SCHEMA ${quoteIdent(schema)}`);
      for (const statement of createClientTablesSql(schema)) await db.query(statement);
      await db.query(`SET search_path TO ${quoteIdent(schema)}`); // insertSessionsSql names "UserEvents" unqualified
      await db.query('SELECT setseed($1)', [(i + 1) / (clients + 1)]);
      const result = await db.query(insert, [now.toISOString(), sessionsOf(i)]);
      await db.query('RESET search_path');
      sessions += result.rowCount ?? 0;
      await createIndexes(db, schema);
      if (++done % 100 === 0 || done === clients) {
        const elapsed = (performance.now() - started) / 1000;
        say(`    ${fmtInt(done)} / ${fmtInt(clients)} clients, ${fmtInt(sessions)} sessions (${Math.round(elapsed)} s, ETA ${Math.round((elapsed / done) * (clients - done))} s)`);
      }
    }
  })));
  const generated = performance.now() - started;
  steps.push({ step: `${fmtInt(clients)} schemas, tables, sessions (generate_series) and indexes`, ms: generated });
  say(`  generated in ${fmtMs(generated)}`);
  await withClient(url, async (db) => {
    const t = performance.now();
    await db.query('VACUUM ANALYZE');
    steps.push({ step: 'VACUUM ANALYZE', ms: performance.now() - t });
    say(`  VACUUM ANALYZE: ${fmtMs(steps.at(-1)!.ms)}`);
    const marker: Marker = { generator: GENERATOR_VERSION, clients, sessions, builtAt: now.toISOString() };
    await db.query(`COMMENT ON DATABASE ${quoteIdent(MANY_DATABASE)} IS '${JSON.stringify(marker)}'`);
  });
  say(`  ${fmtInt(clients)} clients, ${fmtInt(sessions)} sessions`);
  return { database: MANY_DATABASE, clients, sessions, reused: false, builtAt: now.toISOString(), steps };
}

/** The indexes the metric queries and incremental refreshes need (as bench/data.ts creates them for one client). */
async function createIndexes(db: pg.Client, schema: string): Promise<void> {
  const userEvents = userEventsOf(layoutSource(schema, 'timestamp'));
  const table = tableRef(schema, 'UserEvents');
  await db.query(`CREATE INDEX IF NOT EXISTS "UserEvents_anchor_idx" ON ${table} ((${anchor(userEvents)}))`);
  await db.query(`CREATE INDEX IF NOT EXISTS "UserEvents_updatedAt_idx" ON ${table} ("updatedAt")`);
  await db.query(`CREATE INDEX IF NOT EXISTS "UserEvents_updatedAt_instant_idx" ON ${table} ((${instant(userEvents, 'updatedAt')}))`);
}

/** Exact row count over every client's `UserEvents`, in one statement. */
async function totalSessions(db: pg.Client, clients: number): Promise<number> {
  const parts = Array.from({ length: clients }, (_, i) => `SELECT count(*) AS n FROM ${tableRef(clientIdOf(i), 'UserEvents')}`);
  const { rows } = await db.query<{ n: string }>(`SELECT sum(n) AS n FROM (${parts.join(' UNION ALL ')}) AS t`);
  return Number(rows[0]!.n);
}

// ---- churn: what one refresh round has to catch up with -------------------------------------------------------------

export const CHURN_NEW = 50;
export const CHURN_UPDATED = 50;
const CHURN_PREFIX = 'bench-churn-';
const BACKUP = 'public."bench_many_churn_backup"';

/** New sessions of the last hour (one in ten started up to 3 days ago), written now. `$1` is now. */
const CHURN_STARTS = `SELECT '${CHURN_PREFIX}' || g AS id,
       ($1::timestamptz AT TIME ZONE 'UTC')
         - CASE WHEN random() < 0.9 THEN random() * interval '1 hour' ELSE random() * interval '3 days' END AS created
  FROM generate_series(1, ${CHURN_NEW}) AS g`;

/**
 * Per client: `CHURN_NEW` new sessions and `CHURN_UPDATED` recent ones that gain a step (the widget opened), all with
 * `updatedAt` = now. The updated rows are backed up first so `revertManyChurn` restores the data set exactly.
 */
export async function applyManyChurn(db: pg.Client, clients: number, now: Date): Promise<{ ms: number; rows: number }> {
  await revertManyChurn(db, clients);
  const started = performance.now();
  const insert = insertSessionsSql(CHURN_STARTS, '$1::timestamptz', `($1::timestamptz AT TIME ZONE 'UTC')`);
  let rows = 0;
  await db.query('BEGIN');
  await db.query(`CREATE TABLE ${BACKUP} (schema text NOT NULL, "sessionId" text NOT NULL, "widgetOpened" timestamp(3), "updatedAt" timestamp(3) NOT NULL)`);
  for (let i = 0; i < clients; i++) {
    const schema = clientIdOf(i);
    const table = tableRef(schema, 'UserEvents');
    await db.query(`SET LOCAL search_path TO ${quoteIdent(schema)}`);
    rows += (await db.query(insert, [now.toISOString()])).rowCount ?? 0;
    await db.query(`INSERT INTO ${BACKUP}
      SELECT $1, "sessionId", "widgetOpened", "updatedAt" FROM ${table}
       WHERE "pageLoaded" IS NOT NULL AND "widgetOpened" IS NULL AND "sessionId" NOT LIKE '${CHURN_PREFIX}%'
       ORDER BY "pageLoaded" DESC LIMIT ${CHURN_UPDATED}`, [schema]);
    rows += (await db.query(`UPDATE ${table} u
        SET "widgetOpened" = u."pageLoaded" + interval '30 seconds', "updatedAt" = ($1::timestamptz AT TIME ZONE 'UTC')
       FROM ${BACKUP} b WHERE b.schema = $2 AND u."sessionId" = b."sessionId"`, [now.toISOString(), schema])).rowCount ?? 0;
  }
  await db.query('COMMIT');
  return { ms: performance.now() - started, rows };
}

/** Puts every client's data back as it was built (idempotent; also cleans up after an interrupted run). */
export async function revertManyChurn(db: pg.Client, clients: number): Promise<void> {
  const { rows } = await db.query<{ present: boolean }>(`SELECT to_regclass('${BACKUP}') IS NOT NULL AS present`);
  if (!rows[0]!.present) return;
  await db.query('BEGIN');
  for (let i = 0; i < clients; i++) {
    const schema = clientIdOf(i);
    const table = tableRef(schema, 'UserEvents');
    await db.query(`DELETE FROM ${table} WHERE "sessionId" LIKE '${CHURN_PREFIX}%'`);
    await db.query(`UPDATE ${table} u SET "widgetOpened" = b."widgetOpened", "updatedAt" = b."updatedAt"
                      FROM ${BACKUP} b WHERE b.schema = $1 AND u."sessionId" = b."sessionId"`, [schema]);
  }
  await db.query(`DROP TABLE ${BACKUP}`);
  await db.query('COMMIT');
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
