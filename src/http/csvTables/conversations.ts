import { CHAT_ROLES } from '../../analytics/chatColumns.ts';
import type { ConversationStats } from '../../analytics/getConversations.ts';
import type { LeadSourceStats } from '../../analytics/getLeadSources.ts';
import type { CsvTable } from '../csv.ts';

/** CSV tables for conversations and lead sources. */
const unavailable = (reason: string): CsvTable => ({ columns: ['available', 'reason'], rows: [[false, reason]] });

export const conversationsCsv = (c: ConversationStats): CsvTable => {
  if (!c.available) return unavailable(c.reason);
  return {
    columns: ['metric', 'value', 'denominator'],
    rows: [
      ['sessions', c.sessions, null],
      ['conversations', c.conversations, c.sessions],
      ['conversationRate', c.conversationRate, c.sessions],
      ['contained', c.contained, c.conversations],
      ['containmentRate', c.containmentRate, c.conversations],
      ['messages', c.messages, null],
      ...CHAT_ROLES.map((role) => [`messagesByRole.${role}`, c.messagesByRole[role], c.messages]),
      ...(['p50', 'p90', 'mean'] as const).map((k) => [`messagesPerConversation.${k}`, c.messagesPerConversation[k], c.conversations]),
      ...(['p50Seconds', 'p90Seconds', 'meanSeconds'] as const)
        .map((k) => [`conversationLength.${k}`, c.conversationLength[k], c.conversationLength.conversations]),
    ],
  };
};

export const leadSourcesCsv = (l: LeadSourceStats): CsvTable =>
  l.available
    ? {
        columns: ['source', 'leads', 'share', 'capture_rate', 'requested_human', 'requested_human_share'],
        rows: l.sources.map((s) => [s.source, s.leads, s.share, s.captureRate, s.requestedHuman, s.requestedHumanShare]),
      }
    : unavailable(l.reason);
