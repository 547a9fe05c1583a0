import { anchor, BOUND_PARAMS, counterCondition, DEFAULT_FUNNEL, instant, isoUtc } from '../analytics/sql.ts';
import { SourceUnavailableError, userEventsOf, type ClientSource, type TableInfo } from '../tenants/clientSource.ts';
import { COUNTERS } from '../analytics/steps.ts';
import { durationExpr } from '../analytics/getDuration.ts';

/**
 * SQL fragments rollups add to the metric builders of src/analytics. Which sessions count for what is never restated
 * here: anchor time, counter conditions and the count list all come from `sql.ts`.
 */

/** Every offset in use today is a multiple of 15 minutes (+05:45, +12:45, −03:30), so a 15-minute UTC bucket never
 * straddles a local hour or day. */
export const BUCKET_SECONDS = 900;
export const BUCKET_MS = BUCKET_SECONDS * 1000;

/** The 15-minute UTC bucket an instant falls in (timestamptz), NULL for ±infinity, which no range ever counts. Works
 * on every PostgreSQL version and never depends on the session's TimeZone (`date_trunc` on a UTC wall clock). */
export function bucketOf(expr: string): string {
  const utc = `(${expr} AT TIME ZONE 'UTC')`;
  return `CASE WHEN isfinite(${expr}) THEN (date_trunc('hour', ${utc}) + floor(date_part('minute', ${utc}) / 15) * interval '15 minutes') AT TIME ZONE 'UTC' END`;
}

/** A bucket as whole seconds since the epoch: exact in a JavaScript number and in `to_timestamp`. */
export const epochOf = (expr: string) => `extract(epoch FROM ${expr})::bigint`;

/** One bit per counter, in `COUNTERS` order, set when the session counts for it under the core funnel definition. */
export function flagsOf(userEvents: TableInfo): string {
  return `(${COUNTERS.map((counter, bit) =>
    `CASE WHEN ${counterCondition(userEvents, counter, DEFAULT_FUNNEL, BOUND_PARAMS)} THEN ${1 << bit} ELSE 0 END`).join(' + ')})::smallint`;
}

/** `count(*) FILTER (WHERE flags & bit <> 0) AS "<counter>"`, ... — counts rebuilt from stored per-session flags. */
export function countsFromFlags(flags: string): string {
  return ['count(*) AS "sessions"', ...COUNTERS.map((counter, bit) => `count(*) FILTER (WHERE ${flags} & ${1 << bit} <> 0) AS "${counter}"`)].join(', ');
}

/** The columns rollups read; their kinds decide the SQL, so a changed kind means a changed rollup. */
const LAYOUT_COLUMNS = ['sessionId', ...COUNTERS, 'createdAt', 'updatedAt'] as const;

/** `UserEvents` when rollups can be built from it (it needs `updatedAt` as a timestamp, unlike the metrics). */
export function rollupTable(source: ClientSource): TableInfo {
  const userEvents = userEventsOf(source);
  instant(userEvents, 'updatedAt'); // throws SourceUnavailableError when missing or not a timestamp
  return userEvents;
}

/** Part of the layout: a rollup built by an earlier version (without durations) is rebuilt, and never answers before. */
const ROLLUP_VERSION = ';durations';

/** A fingerprint of the database and table the rollup was built from; a rollup built from another never answers. */
export function layoutOf(source: ClientSource): string | null {
  try {
    const userEvents = rollupTable(source);
    return `${source.origin ?? ''}/${userEvents.ref}:${LAYOUT_COLUMNS.map((c) => userEvents.columns.get(c)).join(',')}${ROLLUP_VERSION}`;
  } catch (error) {
    if (error instanceof SourceUnavailableError) return null;
    throw error;
  }
}

/** `"column" >= $n` written so an index on the bare column serves it, whichever timestamp type the column has. */
export function notBefore(table: TableInfo, column: string, param: string): string {
  instant(table, column); // validates the column
  const bound = table.columns.get(column) === 'timestamp' ? `(${param} AT TIME ZONE 'UTC')` : param;
  return `"${column}" >= ${bound}`;
}

/** Per session: id, bucket (epoch seconds), flags, duration (seconds, the metric's own expression), `updatedAt` as exact text. */
export function sessionImageSql(userEvents: TableInfo, where: string): string {
  const at = anchor(userEvents);
  return `SELECT "sessionId" AS "sessionId", ${epochOf(bucketOf(at))} AS "bucket", ${flagsOf(userEvents)} AS "flags",
       ${durationExpr(userEvents)} AS "durationSeconds", ${isoUtc(instant(userEvents, 'updatedAt'))} AS "updatedAt"
  FROM ${userEvents.ref}
 WHERE ${where}`;
}
