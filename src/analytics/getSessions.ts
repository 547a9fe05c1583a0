import type { Queryable } from '../db/queryable.ts';
import { durationExpr } from './getDuration.ts';
import { DateTime } from 'luxon';
import { InvalidParameterError, hasControlCharacters } from './errors.ts';
import { boundValues, runQuery, type MetricQuery } from './query.ts';
import { anchor, BOUND_PARAMS, counterCondition, DEFAULT_FUNNEL, inRange, instant, isoUtc, type FunnelSql, type SqlParams } from './sql.ts';
import { userEventsOf, type ClientSource, type TableInfo } from '../tenants/clientSource.ts';
import { COUNTERS, FUNNEL_STEPS, type Counter, type FunnelStep } from './steps.ts';

export type SessionRow = {
  sessionId: string;
  /** The anchor time, RFC 3339 in UTC with microseconds (exact, so it can serve as a cursor). */
  startedAt: string;
  reachedStep: FunnelStep | null;
  durationSeconds: number | null;
} & Record<Counter, string | null>;

export interface SessionPage {
  sessions: SessionRow[];
  nextCursor: string | null;
}

export interface SessionsPageSql {
  /** SQL expressions for the keyset cursor (anchor time, sessionId), or none for the first page. */
  after?: { at: string; id: string };
  limit: string;
}

/** The select list of a `SessionRow`: every step, the step reached (under `funnel`) and the duration. */
export function sessionColumns(userEvents: TableInfo, funnel: FunnelSql, p: SqlParams): string {
  const reached = [...FUNNEL_STEPS].reverse().map((step) => `WHEN ${counterCondition(userEvents, step, funnel, p)} THEN '${step}'`);
  return `"sessionId"::text AS "sessionId",
       ${isoUtc(anchor(userEvents))} AS "startedAt",
       ${COUNTERS.map((c) => `${isoUtc(instant(userEvents, c))} AS "${c}"`).join(',\n       ')},
       CASE ${reached.join(' ')} END AS "reachedStep",
       round(${durationExpr(userEvents)}::numeric, 3) AS "durationSeconds"`;
}

/** Newest sessions first, one row per session. */
export function sessionsSql(source: ClientSource, p: SqlParams, page: SessionsPageSql, funnel: FunnelSql = DEFAULT_FUNNEL): string {
  const userEvents = userEventsOf(source);
  const at = anchor(userEvents);
  return `SELECT ${sessionColumns(userEvents, funnel, p)}
  FROM ${userEvents.ref}
 WHERE ${inRange(at, p)}${page.after ? `\n   AND (${at}, "sessionId") < (${page.after.at}, ${page.after.id})` : ''}
 ORDER BY ${at} DESC, "sessionId" DESC
 LIMIT ${page.limit}`;
}

function encodeCursor(row: SessionRow): string {
  return Buffer.from(JSON.stringify([row.startedAt, row.sessionId])).toString('base64url');
}

/** The exact text `isoUtc` writes; anything else did not come from us. */
const CURSOR_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{6}Z$/;

function decodeCursor(cursor: string): [string, string] {
  try {
    const value: unknown = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
    if (Array.isArray(value) && value.length === 2 && value.every((v) => typeof v === 'string')) {
      const [at, id] = value as [string, string];
      if (CURSOR_TIME.test(at) && DateTime.fromISO(at).isValid && !hasControlCharacters(id)) return [at, id];
    }
  } catch {
    // fall through to the error below
  }
  throw new InvalidParameterError('cursor', 'is not a cursor returned by this endpoint');
}

/** Newest sessions first, keyset-paginated on (anchor time, sessionId) so pages stay stable as rows arrive. */
export async function getSessions(
  db: Queryable,
  source: ClientSource,
  q: MetricQuery,
  page: { limit: number; cursor?: string },
): Promise<SessionPage> {
  const after = page.cursor === undefined ? [] : decodeCursor(page.cursor);
  const values = boundValues(q, page.limit + 1, ...after);
  const pageSql = after.length > 0 ? { after: { at: '$6::timestamptz', id: '$7' }, limit: '$5' } : { limit: '$5' };
  const rows = await runQuery<SessionRow>(db, sessionsSql(source, BOUND_PARAMS, pageSql, q.funnel), values);
  const sessions = rows.slice(0, page.limit);
  return { sessions, nextCursor: rows.length > page.limit ? encodeCursor(sessions.at(-1)!) : null };
}
