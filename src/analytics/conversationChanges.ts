import { countChange, rateChange, secondsChange, type Change } from './compare.ts';
import { CHAT_ROLES } from './chatColumns.ts';
import type { ConversationStats } from './getConversations.ts';
import type { LeadSourceStats } from './getLeadSources.ts';

type Available<T> = Extract<T, { available: true }>;

/** A per-conversation average (messages): a count, flagged by how many conversations it was built on. */
const perConversation = (metric: string, current: { value: number | null; of: number }, previous: { value: number | null; of: number }): Change =>
  ({ ...secondsChange(metric, current, previous), kind: 'count' });

export function conversationChanges(current: ConversationStats, previous: ConversationStats): Change[] {
  if (!current.available || !previous.available) return [];
  const spread = (s: Available<ConversationStats>, key: 'p50' | 'p90' | 'mean') => ({ value: s.messagesPerConversation[key], of: s.conversations });
  const length = (s: Available<ConversationStats>, key: 'p50Seconds' | 'p90Seconds' | 'meanSeconds') =>
    ({ value: s.conversationLength[key], of: s.conversationLength.conversations });
  return [
    countChange('sessions', current.sessions, previous.sessions),
    countChange('conversations', current.conversations, previous.conversations),
    rateChange('conversationRate', { value: current.conversationRate, of: current.sessions }, { value: previous.conversationRate, of: previous.sessions }),
    countChange('contained', current.contained, previous.contained),
    rateChange('containmentRate', { value: current.containmentRate, of: current.conversations }, { value: previous.containmentRate, of: previous.conversations }),
    countChange('messages', current.messages, previous.messages),
    ...CHAT_ROLES.map((role) => countChange(`messagesByRole.${role}`, current.messagesByRole[role], previous.messagesByRole[role])),
    ...(['p50', 'p90', 'mean'] as const).map((key) => perConversation(`messagesPerConversation.${key}`, spread(current, key), spread(previous, key))),
    ...(['p50Seconds', 'p90Seconds', 'meanSeconds'] as const).map((key) =>
      secondsChange(`conversationLength.${key}`, length(current, key), length(previous, key))),
  ];
}

/** Totals, then each source seen in either period (a source absent from one period had 0 leads there). */
export function leadSourceChanges(current: LeadSourceStats, previous: LeadSourceStats): Change[] {
  if (!current.available || !previous.available) return [];
  const leadsOf = (s: Available<LeadSourceStats>, name: string) => s.sources.find((row) => row.source === name)?.leads ?? 0;
  const capture = (s: Available<LeadSourceStats>, name: string) =>
    ({ value: s.sessions > 0 ? leadsOf(s, name) / s.sessions : null, of: s.sessions });
  const names = [...new Set([...current.sources, ...previous.sources].map((row) => row.source))];
  return [
    countChange('total', current.total, previous.total),
    ...(current.requestedHuman !== null && previous.requestedHuman !== null
      ? [countChange('requestedHuman', current.requestedHuman, previous.requestedHuman)]
      : []),
    ...names.flatMap((name) => [
      countChange(`sources.${name}.leads`, leadsOf(current, name), leadsOf(previous, name)),
      rateChange(`sources.${name}.captureRate`, capture(current, name), capture(previous, name)),
    ]),
  ];
}
