import type { Queryable } from '../db/queryable.ts';
import { boundValues, runQuery, type MetricQuery } from './query.ts';
import { anchor, BOUND_PARAMS, inRange, localTime, type SqlParams } from './sql.ts';
import { userEventsOf, type ClientSource } from '../tenants/clientSource.ts';

export interface HeatmapCell {
  /** ISO weekday, 1 = Monday … 7 = Sunday, in local time. */
  weekday: number;
  hour: number;
  sessions: number;
}

export function heatmapSql(source: ClientSource, p: SqlParams = BOUND_PARAMS): string {
  const userEvents = userEventsOf(source);
  const at = anchor(userEvents);
  const local = localTime(at, p);
  return `SELECT extract(isodow FROM ${local})::int AS "weekday",
       extract(hour FROM ${local})::int AS "hour",
       count(*) AS "sessions"
  FROM ${userEvents.ref}
 WHERE ${inRange(at, p)}
 GROUP BY 1, 2
 ORDER BY 1, 2`;
}

/** All 168 weekday × hour cells, Monday 00:00 first, zero-filled. */
export async function getHeatmap(db: Queryable, source: ClientSource, q: MetricQuery): Promise<HeatmapCell[]> {
  const rows = await runQuery<HeatmapCell>(db, heatmapSql(source), boundValues(q));
  const found = new Map(rows.map((cell) => [cell.weekday * 24 + cell.hour, cell.sessions]));
  return Array.from({ length: 168 }, (_, i) => {
    const weekday = Math.floor(i / 24) + 1;
    const hour = i % 24;
    return { weekday, hour, sessions: found.get(weekday * 24 + hour) ?? 0 };
  });
}
