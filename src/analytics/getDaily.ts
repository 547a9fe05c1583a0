import type { Queryable } from '../db/queryable.ts';
import { boundValues, runQuery, type MetricQuery } from './query.ts';
import { anchor, BOUND_PARAMS, countColumns, DEFAULT_FUNNEL, inRange, localTime, type FunnelSql, type SqlParams } from './sql.ts';
import { userEventsOf, type ClientSource } from '../tenants/clientSource.ts';
import { COUNTERS, type Counts } from './steps.ts';

export type DailyRow = { date: string } & Counts;

/** Counts per local calendar day of the anchor time. */
export function dailySql(source: ClientSource, p: SqlParams = BOUND_PARAMS, funnel: FunnelSql = DEFAULT_FUNNEL): string {
  const userEvents = userEventsOf(source);
  const at = anchor(userEvents);
  return `SELECT to_char(${localTime(at, p)}::date, 'YYYY-MM-DD') AS "date",
       ${countColumns(userEvents, funnel, p)}
  FROM ${userEvents.ref}
 WHERE ${inRange(at, p)}
 GROUP BY 1
 ORDER BY 1`;
}

export function emptyCounts(): Counts {
  return { sessions: 0, ...Object.fromEntries(COUNTERS.map((c) => [c, 0])) } as Counts;
}

/** Every day of the range appears, zero-filled. */
export async function getDaily(db: Queryable, source: ClientSource, q: MetricQuery): Promise<DailyRow[]> {
  const rows = await runQuery<DailyRow>(db, dailySql(source, BOUND_PARAMS, q.funnel), boundValues(q));
  const byDate = new Map(rows.map((row) => [row.date, row]));
  return q.range.days.map((date) => byDate.get(date) ?? { date, ...emptyCounts() });
}
