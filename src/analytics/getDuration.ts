import type { Queryable } from '../db/queryable.ts';
import { boundValues, runQuery, type MetricQuery } from './query.ts';
import { anchor, BOUND_PARAMS, inRange, instant, type SqlParams } from './sql.ts';
import { userEventsOf, type ClientSource, type TableInfo } from '../tenants/clientSource.ts';
import { COUNTERS } from './steps.ts';
import { roundMs } from './timings.ts';

export interface SessionDuration {
  /** Sessions with at least two step/action timestamps: the only ones with a duration. */
  sessions: number;
  medianSeconds: number | null;
  p90Seconds: number | null;
  meanSeconds: number | null;
  /** Median and p90 come from the rollups' duration sketch: each within 1 % of the exact value (false: exact). */
  approximate: boolean;
}

/** Seconds from a session's earliest to its latest step/action timestamp (NULL with fewer than two). */
export function durationExpr(userEvents: TableInfo): string {
  const stamps = COUNTERS.map((column) => instant(userEvents, column)).join(', ');
  const present = COUNTERS.map((column) => `("${column}" IS NOT NULL)::int`).join(' + ');
  return `CASE WHEN ${present} >= 2 THEN extract(epoch FROM GREATEST(${stamps}) - LEAST(${stamps}))::float8 END`;
}

export function durationSql(source: ClientSource, p: SqlParams = BOUND_PARAMS): string {
  const userEvents = userEventsOf(source);
  return `SELECT count(seconds) AS "sessions",
       percentile_cont(0.5) WITHIN GROUP (ORDER BY seconds) AS "medianSeconds",
       percentile_cont(0.9) WITHIN GROUP (ORDER BY seconds) AS "p90Seconds",
       avg(seconds) AS "meanSeconds"
  FROM (SELECT ${durationExpr(userEvents)} AS seconds
          FROM ${userEvents.ref}
         WHERE ${inRange(anchor(userEvents), p)}) AS durations`;
}


export async function getDuration(db: Queryable, source: ClientSource, q: MetricQuery): Promise<SessionDuration> {
  const rows = await runQuery<Omit<SessionDuration, 'approximate'>>(db, durationSql(source), boundValues(q));
  const row = rows[0]!;
  return {
    sessions: row.sessions,
    medianSeconds: roundMs(row.medianSeconds),
    p90Seconds: roundMs(row.p90Seconds),
    meanSeconds: roundMs(row.meanSeconds),
    approximate: false,
  };
}
