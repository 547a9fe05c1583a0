import type { Queryable } from '../db/queryable.ts';
import { CHAT_ROLES, chatLogOf, normalizedRole, type ChatLogColumns, type ChatRole } from './chatColumns.ts';
import { boundValues, runQuery, type MetricQuery } from './query.ts';
import { anchor, BOUND_PARAMS, counterCondition, DEFAULT_FUNNEL, inRange, instant, rate, type FunnelSql, type SqlParams } from './sql.ts';
import { userEventsOf, type ClientSource } from '../tenants/clientSource.ts';

export interface Spread {
  p50: number | null;
  p90: number | null;
  mean: number | null;
}

export type ConversationStats =
  | {
      available: true;
      /** Sessions in the range (by anchor time). */
      sessions: number;
      /** Sessions in the range with at least one ChatLog row. */
      conversations: number;
      conversationRate: number | null;
      /** Conversations whose session never reached `requestedHuman`. */
      contained: number;
      containmentRate: number | null;
      messages: number;
      messagesByRole: Record<ChatRole, number>;
      messagesPerConversation: Spread;
      /** First to last message, over conversations with at least two messages. */
      conversationLength: { conversations: number; p50Seconds: number | null; p90Seconds: number | null; meanSeconds: number | null };
    }
  | { available: false; reason: string };

type ConversationRow = { sessions: number; conversations: number; contained: number; messages: number }
  & Record<ChatRole, number>
  & Record<'messagesP50' | 'messagesP90' | 'messagesMean' | 'secondsP50' | 'secondsP90' | 'secondsMean', number | null>
  & { lengthConversations: number };

const spread = (expr: string, name: string) => `percentile_cont(0.5) WITHIN GROUP (ORDER BY ${expr}) AS "${name}P50",
       percentile_cont(0.9) WITHIN GROUP (ORDER BY ${expr}) AS "${name}P90",
       avg(${expr})::float8 AS "${name}Mean"`;

/**
 * One row: sessions in the range (by anchor), and over those with chat rows, messages per role, per conversation and
 * conversation length. A session's messages all count, even those after the range ends: the session is what is in
 * the range, as for every other metric.
 */
export function conversationsSql(source: ClientSource, chat: ChatLogColumns, p: SqlParams = BOUND_PARAMS, funnel: FunnelSql = DEFAULT_FUNNEL): string {
  const userEvents = userEventsOf(source);
  const human = counterCondition(userEvents, 'requestedHuman', funnel, p);
  return `WITH "session" AS (
  SELECT "sessionId", COALESCE(${human}, false) AS "human"
    FROM ${userEvents.ref}
   WHERE ${inRange(anchor(userEvents), p)}
), "chat" AS (
  SELECT "sessionId", ${normalizedRole(chat.role)} AS "role", ${instant(chat.table, 'createdAt')} AS "at"
    FROM ${chat.table.ref}
), "conversation" AS (
  SELECT s."sessionId", s."human", count(*) AS "messages",
         ${CHAT_ROLES.map((role) => `count(*) FILTER (WHERE c."role" = '${role}') AS "${role}"`).join(',\n         ')},
         CASE WHEN count(*) >= 2 THEN extract(epoch FROM max(c."at") - min(c."at"))::float8 END AS "seconds"
    FROM "session" s
    JOIN "chat" c ON c."sessionId" = s."sessionId"
   GROUP BY s."sessionId", s."human"
)
SELECT (SELECT count(*) FROM "session") AS "sessions",
       count(*) AS "conversations",
       count(*) FILTER (WHERE NOT "human") AS "contained",
       COALESCE(sum("messages"), 0) AS "messages",
       ${CHAT_ROLES.map((role) => `COALESCE(sum("${role}"), 0) AS "${role}"`).join(', ')},
       ${spread('"messages"', 'messages')},
       count("seconds") AS "lengthConversations",
       ${spread('"seconds"', 'seconds')}
  FROM "conversation"`;
}

const round3 = (value: number | null) => (value === null ? null : Math.round(value * 1000) / 1000);

export async function getConversations(db: Queryable, source: ClientSource, q: MetricQuery): Promise<ConversationStats> {
  const chat = chatLogOf(source);
  if (!chat.available) return chat;
  const [row] = await runQuery<ConversationRow>(db, conversationsSql(source, chat, BOUND_PARAMS, q.funnel), boundValues(q));
  const r = row!;
  return {
    available: true,
    sessions: r.sessions,
    conversations: r.conversations,
    conversationRate: rate(r.conversations, r.sessions),
    contained: r.contained,
    containmentRate: rate(r.contained, r.conversations),
    messages: r.messages,
    messagesByRole: { user: r.user, bot: r.bot, agent: r.agent, other: r.other },
    messagesPerConversation: { p50: round3(r.messagesP50), p90: round3(r.messagesP90), mean: round3(r.messagesMean) },
    conversationLength: {
      conversations: r.lengthConversations,
      p50Seconds: round3(r.secondsP50),
      p90Seconds: round3(r.secondsP90),
      meanSeconds: round3(r.secondsMean),
    },
  };
}
