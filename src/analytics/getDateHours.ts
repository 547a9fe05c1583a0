import type { Queryable } from '../db/queryable.ts';
import { boundValues, runQuery, type MetricQuery } from './query.ts';
import { anchor, BOUND_PARAMS, inRange, localTime, type SqlParams } from './sql.ts';
import { userEventsOf, type ClientSource } from '../tenants/clientSource.ts';

/** Sessions in one local hour of one local date (a repeated DST hour holds both of its real hours). */
export interface DateHourRow {
  date: string;
  hour: number;
  sessions: number;
}

/** Sessions per local calendar date and hour of the anchor time: the history a traffic baseline is built from. */
export function dateHoursSql(source: ClientSource, p: SqlParams = BOUND_PARAMS): string {
  const userEvents = userEventsOf(source);
  const at = anchor(userEvents);
  const local = localTime(at, p);
  return `SELECT to_char(${local}::date, 'YYYY-MM-DD') AS "date",
       extract(hour FROM ${local})::int AS "hour",
       count(*) AS "sessions"
  FROM ${userEvents.ref}
 WHERE ${inRange(at, p)}
 GROUP BY 1, 2
 ORDER BY 1, 2`;
}

/** Only the date-hours that had sessions, in order. */
export function getDateHours(db: Queryable, source: ClientSource, q: MetricQuery): Promise<DateHourRow[]> {
  return runQuery<DateHourRow>(db, dateHoursSql(source), boundValues(q));
}
