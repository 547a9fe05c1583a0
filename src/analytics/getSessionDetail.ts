import type { Queryable } from '../db/queryable.ts';
import { sessionColumns, type SessionRow } from './getSessions.ts';
import { hasControlCharacters } from './errors.ts';
import { agentConnectionsOf, leadsOf, transcriptOf, TRANSCRIPT_PAGE, type Page, type SessionRecords } from './sessionRecords.ts';
import { anchor, BOUND_PARAMS, DEFAULT_FUNNEL, instant, isoUtc } from './sql.ts';
import { userEventsOf, type ClientSource } from '../tenants/clientSource.ts';
import { COUNTERS, type Counter } from './steps.ts';

export interface TimelineEvent {
  event: Counter;
  at: string;
  /** From the session's anchor time; negative when a step was recorded before it. */
  secondsFromStart: number;
}

export type SessionDetail = { session: SessionRow; timeline: TimelineEvent[] } & SessionRecords;

/**
 * One session by id (`id` is a placeholder, compared to the column as is so its index serves), with the same
 * columns as `/sessions` under the core funnel definition.
 */
export function sessionDetailSql(source: ClientSource, id = '$1'): string {
  const userEvents = userEventsOf(source);
  return `SELECT ${sessionColumns(userEvents, DEFAULT_FUNNEL, BOUND_PARAMS)}
  FROM ${userEvents.ref}
 WHERE "sessionId" = ${id}`;
}

/** The session's non-NULL steps and actions in time order (funnel order on ties), timed from its anchor. */
export function timelineSql(source: ClientSource, id = '$1'): string {
  const userEvents = userEventsOf(source);
  const events = COUNTERS.map((c, i) => `('${c}', ${i}, ${instant(userEvents, c)})`).join(',\n               ');
  return `SELECT e."event", ${isoUtc('e."at"')} AS "at",
       round(extract(epoch FROM e."at" - ${anchor(userEvents)})::numeric, 3) AS "secondsFromStart"
  FROM ${userEvents.ref},
       LATERAL (VALUES ${events}) AS e("event", "position", "at")
 WHERE "sessionId" = ${id} AND e."at" IS NOT NULL
 ORDER BY e."at", e."position"`;
}

/** Whether this client has the session (ids with control characters never exist). */
export async function sessionExists(db: Queryable, source: ClientSource, sessionId: string): Promise<boolean> {
  if (hasControlCharacters(sessionId)) return false;
  const { rows } = await db.query(`SELECT 1 FROM ${userEventsOf(source).ref} WHERE "sessionId" = $1`, [sessionId]);
  return rows.length > 0;
}

/** Everything known about one session, or null when this client has no such session. */
export async function getSessionDetail(
  db: Queryable,
  source: ClientSource,
  sessionId: string,
  messages: Page = { offset: 0, limit: TRANSCRIPT_PAGE },
): Promise<SessionDetail | null> {
  if (hasControlCharacters(sessionId)) return null; // no stored id has them (and PostgreSQL text cannot hold NUL)
  const { rows } = await db.query<SessionRow>(sessionDetailSql(source), [sessionId]);
  const session = rows[0];
  if (!session) return null;
  const [timeline, transcript, leads, agentConnections] = await Promise.all([
    db.query<TimelineEvent>(timelineSql(source), [sessionId]),
    transcriptOf(db, source, sessionId, messages),
    leadsOf(db, source, sessionId),
    agentConnectionsOf(db, source, sessionId),
  ]);
  return { session, timeline: timeline.rows, transcript, leads, agentConnections };
}
