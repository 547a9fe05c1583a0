import type { Queryable } from '../db/queryable.ts';
import { emptyCounts } from './getDaily.ts';
import { boundValues, runQuery, type MetricQuery } from './query.ts';
import { anchor, BOUND_PARAMS, countColumns, DEFAULT_FUNNEL, inRange, localTime, type FunnelSql, type SqlParams } from './sql.ts';
import { userEventsOf, type ClientSource } from '../tenants/clientSource.ts';
import type { Counts } from './steps.ts';

export type HourlyRow = { hour: number } & Counts;

/** Counts per local hour of day (0–23) of the anchor time. A DST day's repeated hour lands in the same bucket. */
export function hourlySql(source: ClientSource, p: SqlParams = BOUND_PARAMS, funnel: FunnelSql = DEFAULT_FUNNEL): string {
  const userEvents = userEventsOf(source);
  const at = anchor(userEvents);
  return `SELECT extract(hour FROM ${localTime(at, p)})::int AS "hour",
       ${countColumns(userEvents, funnel, p)}
  FROM ${userEvents.ref}
 WHERE ${inRange(at, p)}
 GROUP BY 1
 ORDER BY 1`;
}

export async function getHourly(db: Queryable, source: ClientSource, q: MetricQuery): Promise<HourlyRow[]> {
  const rows = await runQuery<HourlyRow>(db, hourlySql(source, BOUND_PARAMS, q.funnel), boundValues(q));
  const byHour = new Map(rows.map((row) => [row.hour, row]));
  return Array.from({ length: 24 }, (_, hour) => byHour.get(hour) ?? { hour, ...emptyCounts() });
}

/** Hours with sessions, busiest first (ties: earlier hour first). */
export function peakHours(hours: HourlyRow[], top: number): number[] {
  return hours
    .filter((h) => h.sessions > 0)
    .sort((a, b) => b.sessions - a.sessions || a.hour - b.hour)
    .slice(0, top)
    .map((h) => h.hour);
}
