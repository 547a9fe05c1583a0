import type { Queryable } from '../db/queryable.ts';
import { chatLogOf, normalizedRole, type ChatLogColumns, type ChatRole } from './chatColumns.ts';
import { isTimestamp, leadSourceColumn, textOrNull, timeOrNull } from './optionalColumns.ts';
import { instant, isoUtc } from './sql.ts';
import type { ClientSource, TableInfo } from '../tenants/clientSource.ts';

/**
 * A session's rows in the optional tables; each part says "not available" when its table or columns are missing.
 * Parts are bounded: `truncated` says more rows exist, and `nextOffset` (the transcript's) where the next page starts.
 */
export type Part<T> = { available: true; rows: T[]; truncated: boolean; nextOffset: number | null } | { available: false; reason: string };

/** One page of a transcript at most (a session can hold hundreds of thousands of messages); leads and agent connections likewise. */
export const TRANSCRIPT_PAGE = 1000;
export const RECORDS_LIMIT = 100;

export interface Page {
  offset: number;
  limit: number;
}

export interface ChatMessage {
  /** As stored. */
  role: string;
  normalizedRole: ChatRole;
  text: string | null;
  at: string;
}

export interface LeadRecord {
  id: string | null;
  createdAt: string | null;
  name: string | null;
  email: string | null;
  phone: string | null;
  source: string | null;
}

export interface AgentConnectionRecord {
  id: string | null;
  requestedAt: string | null;
  connectedAt: string | null;
  endedAt: string | null;
  status: string | null;
}

export interface SessionRecords {
  transcript: Part<ChatMessage>;
  leads: Part<LeadRecord>;
  agentConnections: Part<AgentConnectionRecord>;
}

/** Time order, then `id` so equal times keep a stable order. */
const orderBy = (table: TableInfo, time: string) =>
  [isTimestamp(table, time) ? instant(table, time) : null, table.columns.has('id') ? '"id"' : null].filter(Boolean).join(', ') || '1';

/** The session's chat messages in time order. */
export function transcriptSql(chat: ChatLogColumns, id = '$1'): string {
  return `SELECT "${chat.role}"::text AS "role", ${normalizedRole(chat.role)} AS "normalizedRole",
       ${textOrNull(chat.table, chat.text)} AS "text", ${isoUtc(instant(chat.table, 'createdAt'))} AS "at"
  FROM ${chat.table.ref}
 WHERE "sessionId" = ${id}
 ORDER BY ${orderBy(chat.table, 'createdAt')}`;
}

export function sessionLeadsSql(leads: TableInfo, id = '$1'): string {
  return `SELECT ${textOrNull(leads, 'id')} AS "id", ${timeOrNull(leads, 'createdAt')} AS "createdAt",
       ${['name', 'email', 'phone'].map((c) => `${textOrNull(leads, c)} AS "${c}"`).join(', ')},
       ${textOrNull(leads, leadSourceColumn(leads))} AS "source"
  FROM ${leads.ref}
 WHERE "sessionId" = ${id}
 ORDER BY ${orderBy(leads, 'createdAt')}`;
}

export function sessionAgentConnectionsSql(agent: TableInfo, id = '$1'): string {
  return `SELECT ${textOrNull(agent, 'id')} AS "id",
       ${['requestedAt', 'connectedAt', 'endedAt'].map((c) => `${timeOrNull(agent, c)} AS "${c}"`).join(', ')},
       ${textOrNull(agent, 'status')} AS "status"
  FROM ${agent.ref}
 WHERE "sessionId" = ${id}
 ORDER BY ${orderBy(agent, 'requestedAt')}`;
}

const missing = (table: string, column?: string): { available: false; reason: string } => ({
  available: false,
  reason: column ? `"${table}" has no "${column}" column` : `The client database has no "${table}" table`,
});

/** One page of `sql`'s rows: one more is asked for, to tell whether the page is the last. */
async function page<T extends object>(db: Queryable, sql: string, sessionId: string, { offset, limit }: Page, pageable = true): Promise<Part<T>> {
  const { rows } = await db.query<T>(`${sql}\n LIMIT $2 OFFSET $3`, [sessionId, limit + 1, offset]);
  const truncated = rows.length > limit;
  return { available: true, rows: rows.slice(0, limit), truncated, nextOffset: truncated && pageable ? offset + limit : null };
}

export type TranscriptSource = { available: true; sql: string } | { available: false; reason: string };

/** The SQL of a session's whole transcript (`$1` the session id), or why there is none. */
export function transcriptSource(source: ClientSource): TranscriptSource {
  const chat = chatLogOf(source);
  if (!chat.available) return chat;
  if (!chat.text) return { available: false, reason: '"ChatLog" has no message column (message, text, content, body)' };
  return { available: true, sql: transcriptSql(chat) };
}

export async function transcriptOf(db: Queryable, source: ClientSource, sessionId: string, at: Page): Promise<Part<ChatMessage>> {
  const transcript = transcriptSource(source);
  return transcript.available ? page<ChatMessage>(db, transcript.sql, sessionId, at) : transcript;
}

const first = { offset: 0, limit: RECORDS_LIMIT };

export async function leadsOf(db: Queryable, source: ClientSource, sessionId: string): Promise<Part<LeadRecord>> {
  const leads = source.tables.Leads;
  if (!leads) return missing('Leads');
  if (!leads.columns.has('sessionId')) return missing('Leads', 'sessionId');
  return page<LeadRecord>(db, sessionLeadsSql(leads), sessionId, first, false);
}

export async function agentConnectionsOf(db: Queryable, source: ClientSource, sessionId: string): Promise<Part<AgentConnectionRecord>> {
  const agent = source.tables.AgentConnection;
  if (!agent) return missing('AgentConnection');
  if (!agent.columns.has('sessionId')) return missing('AgentConnection', 'sessionId');
  return page<AgentConnectionRecord>(db, sessionAgentConnectionsSql(agent), sessionId, first, false);
}
