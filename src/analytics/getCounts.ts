import type { Queryable } from '../db/queryable.ts';
import { instantValues, type ResolvedRange } from './range.ts';
import { anchor, BOUND_PARAMS, countColumns, inRange, type SqlParams } from './sql.ts';
import { userEventsOf, type ClientSource } from './source.ts';
import type { Counts } from './steps.ts';

/** Sessions in the range and how many reached each step or took each action. */
export function countsSql(source: ClientSource, p: SqlParams = BOUND_PARAMS): string {
  const userEvents = userEventsOf(source);
  return `SELECT ${countColumns()}
  FROM ${userEvents.ref}
 WHERE ${inRange(anchor(userEvents), p)}`;
}

export async function getCounts(db: Queryable, source: ClientSource, range: ResolvedRange): Promise<Counts> {
  const { rows } = await db.query<Counts>(countsSql(source), instantValues(range));
  return rows[0]!;
}
