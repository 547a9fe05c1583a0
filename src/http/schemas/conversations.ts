import { Type, type TSchema } from 'typebox';
import { CHAT_ROLES } from '../../analytics/chatColumns.ts';
import { COUNTERS } from '../../analytics/steps.ts';
import { ClientParams, comparableBody, Count, Fraction, Nullable, rangeQuery, Seconds } from './common.ts';
import { SessionsFields } from './metrics.ts';

/** Schemas of the conversation, lead-source and session-detail answers. */
const Unavailable = { available: Type.Literal(false), reason: Type.String() };
const Text = Nullable(Type.String());
const Timestamp = Nullable(Type.String({ description: 'RFC 3339, UTC' }));
const Role = Type.Union(CHAT_ROLES.map((r) => Type.Literal(r)));

export const ConversationFields = {
  available: Type.Literal(true),
  sessions: Count,
  conversations: Count,
  conversationRate: Fraction,
  contained: Count,
  containmentRate: Fraction,
  messages: Count,
  messagesByRole: Type.Object(Object.fromEntries(CHAT_ROLES.map((r) => [r, Count]))),
  messagesPerConversation: Type.Object({ p50: Nullable(Type.Number()), p90: Nullable(Type.Number()), mean: Nullable(Type.Number()) }),
  conversationLength: Type.Object({ conversations: Count, p50Seconds: Seconds, p90Seconds: Seconds, meanSeconds: Seconds }),
};
export const ConversationsBody = Type.Union([comparableBody(ConversationFields), comparableBody(Unavailable)]);

export const LeadSourceFields = {
  available: Type.Literal(true),
  sourceColumn: Type.String({ description: 'the Leads column the sources come from' }),
  total: Count,
  sessions: Count,
  requestedHuman: Nullable(Count),
  sources: Type.Array(Type.Object({
    source: Type.String({ description: '"(none)" for NULL or blank' }),
    leads: Count,
    share: Fraction,
    captureRate: Fraction,
    requestedHuman: Nullable(Count),
    requestedHumanShare: Fraction,
  })),
  otherSources: Nullable(Type.Object({ sources: Count, leads: Count }, { description: 'sources beyond the first 100 (most leads first), summed' })),
};
export const LeadSourcesBody = Type.Union([comparableBody(LeadSourceFields), comparableBody(Unavailable)]);

const part = <T extends TSchema>(row: T) => Type.Union([
  Type.Object({
    available: Type.Literal(true),
    rows: Type.Array(row),
    truncated: Type.Boolean({ description: 'more rows exist than this answer holds' }),
    nextOffset: Nullable(Type.Integer({ description: 'the transcript: `messagesOffset` of the next page' })),
  }),
  Type.Object(Unavailable),
]);

export const SessionDetailParams = Type.Object({ ...ClientParams.properties, sessionId: Type.String({ minLength: 1, maxLength: 200 }) });
export const SessionDetailQuery = Type.Object({
  tz: rangeQuery.tz,
  format: rangeQuery.format,
  messagesOffset: Type.Optional(Type.Integer({ minimum: 0, maximum: 1_000_000_000, default: 0, description: 'first transcript message of the page' })),
  messagesLimit: Type.Optional(Type.Integer({ minimum: 1, maximum: 1000, default: 1000, description: 'transcript messages per page' })),
});

export const SessionDetailBody = Type.Object({
  clientId: Type.String(),
  timezone: Type.String({ description: 'the zone CSV times are given in' }),
  session: SessionsFields.sessions.items,
  timeline: Type.Array(Type.Object({
    event: Type.Union(COUNTERS.map((c) => Type.Literal(c))),
    at: Type.String({ description: 'RFC 3339, UTC' }),
    secondsFromStart: Type.Number(),
  })),
  transcript: part(Type.Object({ role: Type.String(), normalizedRole: Role, text: Text, at: Type.String() })),
  leads: part(Type.Object({ id: Text, createdAt: Timestamp, name: Text, email: Text, phone: Text, source: Text })),
  agentConnections: part(Type.Object({ id: Text, requestedAt: Timestamp, connectedAt: Timestamp, endedAt: Timestamp, status: Text })),
});
