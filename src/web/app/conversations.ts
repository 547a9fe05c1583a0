import type { Answers } from './api.ts';
import { h } from './dom.ts';
import { formatCount, formatDuration, formatNumber, formatPercent } from './format.ts';
import { facts, shareRow } from './widgets.ts';
import { CHAT_ROLES, labelOf, ROLE_LABELS } from './labels.ts';
import type { Panel } from './panel.ts';

/** Conversations from ChatLog: how many, how many the bot handled alone (containment), how long, who wrote. */
export function renderConversations(panel: Panel, answer: Answers['conversations'], csv: string): void {
  if (!answer.available) return panel.unavailable(answer.reason);
  if (answer.conversations === 0) return panel.empty('No conversations in this range.', csv);
  const perConversation = answer.messagesPerConversation;
  const length = answer.conversationLength;
  const summary = facts([
    ['conversations', 'Conversations', formatCount(answer.conversations), answer.conversations],
    ['conversationRate', 'Of sessions', formatPercent(answer.conversationRate), answer.conversationRate],
    ['containmentRate', 'Containment', formatPercent(answer.containmentRate), answer.containmentRate],
    ['messagesP50', 'Messages (median)', formatNumber(perConversation.p50), perConversation.p50],
    ['messages', 'Messages', formatCount(answer.messages), answer.messages],
    ['lengthP50', 'Length (median)', formatDuration(length.p50Seconds), length.p50Seconds],
  ]);
  const byRole = CHAT_ROLES.map((role) => {
    const count = answer.messagesByRole[role] ?? 0;
    return shareRow({ 'data-role': role }, labelOf(ROLE_LABELS, role), count, null, { width: answer.messages ? count / answer.messages : 0 });
  });
  panel.body.replaceChildren(
    summary,
    h('p', { class: 'note' },
      `Containment: ${formatCount(answer.contained)} of ${formatCount(answer.conversations)} conversations never asked for a human. `,
      `Messages per conversation: 90th percentile ${formatNumber(perConversation.p90)}.`),
    h('h3', {}, 'Messages by role'),
    h('ul', { class: 'shares' }, ...byRole),
  );
  panel.ready(csv);
}
