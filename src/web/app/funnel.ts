import type { Answers } from './api.ts';
import { h } from './dom.ts';
import { formatCount, formatPercent } from './format.ts';
import { ACTION_LABELS, labelOf, STEP_LABELS } from './labels.ts';
import type { Panel } from './panel.ts';

/** Page load → widget open → human request, each with its conversion from the step before; then what people chose. */
export function renderFunnel(panel: Panel, funnel: Answers['funnel'], csv: string): void {
  if (funnel.sessions === 0) {
    panel.empty('No sessions in this range.', csv);
    return;
  }
  const steps = funnel.steps.map((step, index) =>
    h(
      'li',
      { class: 'funnel-step', 'data-step': step.step, 'data-count': step.count },
      h('span', { class: 'funnel-label' }, labelOf(STEP_LABELS, step.step)),
      h('span', { class: 'funnel-count' }, formatCount(step.count)),
      h('span', { class: 'funnel-bar', 'aria-hidden': 'true' }, h('span', { style: `width:${((step.rateFromFirst ?? 0) * 100).toFixed(2)}%` })),
      h('span', { class: 'funnel-rate', 'data-rate': step.rateFromPrevious ?? '' },
        `${formatPercent(step.rateFromPrevious)} of ${index === 0 ? 'sessions' : labelOf(STEP_LABELS, funnel.steps[index - 1]!.step).toLowerCase() + 's'}`),
    ),
  );
  const actions = funnel.actions.map((action) =>
    h(
      'li',
      { 'data-action': action.action, 'data-count': action.count },
      h('span', { class: 'action-label' }, labelOf(ACTION_LABELS, action.action)),
      ' ',
      h('strong', { class: 'action-count' }, formatCount(action.count)),
      ' ',
      h('span', { class: 'action-rate', 'data-rate': action.rate ?? '' }, `(${formatPercent(action.rate)})`),
    ),
  );
  panel.body.replaceChildren(
    h('ol', { class: 'funnel' }, ...steps),
    h('h3', { class: 'actions-title' }, 'After a human request'),
    h('ul', { class: 'actions' }, ...actions),
  );
  panel.ready(csv);
}

