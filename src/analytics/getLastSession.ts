import type { Queryable } from '../db/queryable.ts';
import { runQuery } from './query.ts';
import { anchor, BOUND_PARAMS, inRange, isoUtc } from './sql.ts';
import { userEventsOf, type ClientSource } from '../tenants/clientSource.ts';

/** The latest session's anchor time in [from, to) (RFC 3339, UTC), or null: how fresh a client's data is. */
export function lastSessionSql(source: ClientSource): string {
  const userEvents = userEventsOf(source);
  const at = anchor(userEvents);
  return `SELECT ${isoUtc(`max(${at})`)} AS "at"
  FROM ${userEvents.ref}
 WHERE ${inRange(at, BOUND_PARAMS)}`;
}

/** Bounded on purpose: callers narrow the range to an hour they know had sessions, so no table is scanned whole. */
export async function getLastSession(db: Queryable, source: ClientSource, from: Date, to: Date): Promise<string | null> {
  const [row] = await runQuery<{ at: string | null }>(db, lastSessionSql(source), [from.toISOString(), to.toISOString()]);
  return row?.at ?? null;
}
