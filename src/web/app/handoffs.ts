import type { Answers } from './api.ts';
import type { Chart } from './chart.ts';
import { h } from './dom.ts';
import { formatCount, formatDuration, formatPercent, formatSpan } from './format.ts';
import { labelOf, OUTCOME_LABELS } from './labels.ts';
import type { Panel } from './panel.ts';
import type { Palette } from './series.ts';
import { renderStaffing } from './staffing.ts';
import { facts, shareRow } from './widgets.ts';

type Handoffs = Answers['handoffs'];
type Agent = Extract<Handoffs['agent'], { available: true }>;

function agentFacts(agent: Agent): HTMLElement {
  return facts([
    ['requested', 'Agent requests', formatCount(agent.requested), agent.requested],
    ['connected', 'Connected', formatCount(agent.connected), agent.connected],
    ['timeToAgentP50', 'Time to agent (median)', formatDuration(agent.timeToAgent.p50Seconds), agent.timeToAgent.p50Seconds],
    ['timeToAgentP90', 'Time to agent (90th pct.)', formatDuration(agent.timeToAgent.p90Seconds), agent.timeToAgent.p90Seconds],
    ['neverConnected', 'Never connected', formatCount(agent.neverConnected.count), agent.neverConnected.count],
    ['neverConnectedShare', 'Never connected (share)', formatPercent(agent.neverConnected.share), agent.neverConnected.share],
  ]);
}

/**
 * What followed each request for a human, then — with an AgentConnection table — how fast an agent answered and
 * when requests went unanswered. Without that table the agent part says "Not available" and why.
 */
export function renderHandoffs(panel: Panel, chart: Chart, answer: Handoffs, palette: Palette, csv: string): void {
  const { agent } = answer;
  if (answer.handoffs === 0 && (!agent.available || agent.requested === 0)) return panel.empty('No human requests in this range.', csv);
  const within = formatSpan(answer.abandonAfterSeconds);
  const notes: Record<string, string | undefined> = {
    abandoned: `no choice within ${within} of the request`,
    pending: `asked less than ${within} ago`,
  };
  const outcomes = answer.outcomes.map((o) =>
    shareRow({ 'data-outcome': o.outcome }, labelOf(OUTCOME_LABELS, o.outcome), o.count, o.share, { note: notes[o.outcome] }));
  const agentPart = h('div', { class: 'part', 'data-part': 'agent' }, h('h3', {}, 'Agent connections'));
  panel.body.replaceChildren(
    h('div', { class: 'part', 'data-part': 'outcomes' },
      h('p', { class: 'lead-in', 'data-handoffs': answer.handoffs }, h('strong', {}, formatCount(answer.handoffs)), ` human requests; what each led to (the first choice within ${within}):`),
      h('ul', { class: 'shares' }, ...outcomes)),
    agentPart,
  );
  if (!agent.available) {
    agentPart.append(h('p', { class: 'part-status' }, `Not available: ${agent.reason}`));
    chart.element.hidden = true;
    return panel.ready(csv);
  }
  agentPart.append(agentFacts(agent));
  chart.element.hidden = agent.requested === 0;
  if (agent.requested === 0) {
    agentPart.append(h('p', { class: 'part-status' }, 'No agent requests in this range.'));
    return panel.ready(csv);
  }
  agentPart.append(
    h('h3', {}, 'Unanswered requests by weekday × hour'),
    chart.element,
    h('p', { class: 'note' }, 'Darker: more requests went unanswered in that local hour; pale: all answered; blank: no requests.'),
  );
  panel.ready(csv);
  renderStaffing(chart, agent.staffing, palette);
}
