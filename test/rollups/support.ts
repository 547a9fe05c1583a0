import type pg from 'pg';
import { getCounts } from '../../src/analytics/getCounts.ts';
import { getDaily } from '../../src/analytics/getDaily.ts';
import { getHeatmap } from '../../src/analytics/getHeatmap.ts';
import { getHourly } from '../../src/analytics/getHourly.ts';
import { metricQuery, type MetricQuery } from '../../src/analytics/query.ts';
import { resolveRange, type RangeInput } from '../../src/analytics/range.ts';
import { describeSource, type ClientSource } from '../../src/tenants/clientSource.ts';
import type { FunnelOptions } from '../../src/analytics/sql.ts';
import { quoteIdent, tableRef } from '../../src/db/identifiers.ts';
import type { Queryable } from '../../src/db/queryable.ts';
import type { RollupReader } from '../../src/rollups/rollupReader.ts';

export const STEP_COLUMNS = ['pageLoaded', 'widgetOpened', 'requestedHuman', 'pressedAccept', 'pressedCallback', 'pressedContinue'] as const;
export type StepColumn = (typeof STEP_COLUMNS)[number];

/** A `UserEvents` row as tests write it: ISO instants (`Z`), which both column types store as UTC. */
export type TestSession = { id: string; createdAt: string; updatedAt: string } & Partial<Record<StepColumn, string | null>>;

/** `UserEvents` in its own schema, with either timestamp type, and the index on `updatedAt` refreshes use. */
export async function createUserEvents(db: Queryable, schema: string, kind: 'timestamp' | 'timestamptz'): Promise<void> {
  const ts = kind === 'timestamp' ? 'TIMESTAMP(3)' : 'TIMESTAMPTZ(3)';
  await db.query(`CREATE SCHEMA IF NOT EXISTS ${quoteIdent(schema)}`);
  await db.query(`CREATE TABLE ${tableRef(schema, 'UserEvents')} (
    "sessionId" TEXT PRIMARY KEY, ${STEP_COLUMNS.map((c) => `"${c}" ${ts}`).join(', ')},
    "createdAt" ${ts} NOT NULL, "updatedAt" ${ts} NOT NULL)`);
  await db.query(`CREATE INDEX ON ${tableRef(schema, 'UserEvents')} ("updatedAt")`);
}

/** Inserts or replaces whole rows (one statement, bound values). */
export async function upsertSessions(db: Queryable, schema: string, rows: TestSession[]): Promise<void> {
  if (rows.length === 0) return;
  const columns = ['sessionId', ...STEP_COLUMNS, 'createdAt', 'updatedAt'];
  const values: unknown[] = [];
  const tuples = rows.map((row) => {
    const own = [row.id, ...STEP_COLUMNS.map((c) => row[c] ?? null), row.createdAt, row.updatedAt];
    return `(${own.map((v) => (values.push(v), `$${values.length}`)).join(', ')})`;
  });
  await db.query(
    `INSERT INTO ${tableRef(schema, 'UserEvents')} (${columns.map(quoteIdent).join(', ')}) VALUES ${tuples.join(', ')}
     ON CONFLICT ("sessionId") DO UPDATE SET ${columns.slice(1).map((c) => `${quoteIdent(c)} = EXCLUDED.${quoteIdent(c)}`).join(', ')}`,
    values,
  );
}

export async function sourceOf(db: Queryable, schema: string): Promise<ClientSource> {
  return describeSource(db, schema);
}

export function queryOf(input: RangeInput, timezone: string, funnel?: FunnelOptions): MetricQuery {
  return metricQuery(resolveRange(input, timezone, new Date('2024-12-31T00:00:00Z')), funnel);
}

/** The four metrics straight from the raw SQL. */
export async function rawAnswers(db: Queryable, source: ClientSource, q: MetricQuery) {
  const [counts, daily, hourly, heatmap] = await Promise.all([
    getCounts(db, source, q), getDaily(db, source, q), getHourly(db, source, q), getHeatmap(db, source, q),
  ]);
  return { counts, daily, hourly, heatmap };
}

/** The same four from the rollup reader (null where it declines). */
export async function rolledAnswers(reader: RollupReader, clientId: string, source: ClientSource, q: MetricQuery) {
  const [counts, daily, hourly, heatmap] = await Promise.all([
    reader.counts(clientId, source, q), reader.daily(clientId, source, q),
    reader.hourly(clientId, source, q), reader.heatmap(clientId, source, q),
  ]);
  return { counts, daily, hourly, heatmap };
}

/** Rows of the platform's rollup tables for one client, for before/after comparisons. */
export async function bucketRows(platform: pg.Pool, clientId: string) {
  const { rows } = await platform.query<{ bucket: string; xmin: string; sessions: number }>(
    `SELECT to_char(bucket AT TIME ZONE 'UTC', 'YYYY-MM-DD HH24:MI') AS bucket, xmin::text AS xmin, sessions
       FROM rollups.buckets WHERE client_id = $1 ORDER BY bucket`,
    [clientId],
  );
  return rows;
}
