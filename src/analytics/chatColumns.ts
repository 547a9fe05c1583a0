import type { ClientSource, TableInfo } from '../tenants/clientSource.ts';
import { firstColumn, isTimestamp } from './optionalColumns.ts';

/** Who wrote a chat message, after mapping the names chatbots use for the same party. */
export const CHAT_ROLES = ['user', 'bot', 'agent', 'other'] as const;
export type ChatRole = (typeof CHAT_ROLES)[number];

/** Compared case-insensitively after trimming; anything else is `other` (e.g. `system`). */
export const ROLE_SYNONYMS: Record<Exclude<ChatRole, 'other'>, readonly string[]> = {
  user: ['user', 'visitor', 'customer'],
  bot: ['bot', 'assistant', 'chatbot'],
  agent: ['agent', 'human', 'operator'],
};

export const ROLE_COLUMNS = ['role', 'sender', 'from', 'author'] as const;
export const TEXT_COLUMNS = ['message', 'text', 'content', 'body'] as const;

export interface ChatLogColumns {
  table: TableInfo;
  /** The sender column, one of `ROLE_COLUMNS`. */
  role: string;
  /** The message column, one of `TEXT_COLUMNS`, or null (counts still work, a transcript does not). */
  text: string | null;
}

export type ChatLogDetection = ({ available: true } & ChatLogColumns) | { available: false; reason: string };

/** ChatLog and the columns this chatbot uses for it: `sessionId`, a `createdAt` timestamp and a sender column. */
export function chatLogOf(source: ClientSource): ChatLogDetection {
  const table = source.tables.ChatLog;
  if (!table) return { available: false, reason: 'The client database has no "ChatLog" table' };
  if (!table.columns.has('sessionId')) return { available: false, reason: '"ChatLog" has no "sessionId" column' };
  if (!isTimestamp(table, 'createdAt')) return { available: false, reason: '"ChatLog" has no "createdAt" timestamp column' };
  const role = firstColumn(table, ROLE_COLUMNS);
  if (!role) return { available: false, reason: `"ChatLog" has no sender column (${ROLE_COLUMNS.join(', ')})` };
  return { available: true, table, role, text: firstColumn(table, TEXT_COLUMNS) };
}

/** SQL mapping a sender column to `user` / `bot` / `agent` / `other`; the literals come from `ROLE_SYNONYMS`. */
export function normalizedRole(column: string): string {
  const value = `lower(btrim("${column}"::text))`;
  const cases = Object.entries(ROLE_SYNONYMS).map(
    ([role, names]) => `WHEN ${value} IN (${names.map((n) => `'${n}'`).join(', ')}) THEN '${role}'`,
  );
  return `(CASE ${cases.join(' ')} ELSE 'other' END)`;
}
