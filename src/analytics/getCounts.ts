import type { Queryable } from '../db/queryable.ts';
import { boundValues, runQuery, type MetricQuery } from './query.ts';
import { anchor, BOUND_PARAMS, countColumns, DEFAULT_FUNNEL, inRange, type FunnelSql, type SqlParams } from './sql.ts';
import { userEventsOf, type ClientSource } from '../tenants/clientSource.ts';
import type { Counts } from './steps.ts';

/** Sessions in the range and how many reached each step or took each action. */
export function countsSql(source: ClientSource, p: SqlParams = BOUND_PARAMS, funnel: FunnelSql = DEFAULT_FUNNEL): string {
  const userEvents = userEventsOf(source);
  return `SELECT ${countColumns(userEvents, funnel, p)}
  FROM ${userEvents.ref}
 WHERE ${inRange(anchor(userEvents), p)}`;
}

export async function getCounts(db: Queryable, source: ClientSource, q: MetricQuery): Promise<Counts> {
  const rows = await runQuery<Counts>(db, countsSql(source, BOUND_PARAMS, q.funnel), boundValues(q));
  return rows[0]!;
}
