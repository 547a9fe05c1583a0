import type { Answers } from './api.ts';
import { h } from './dom.ts';
import { formatCount, formatDuration } from './format.ts';
import { COUNTER_LABELS, labelOf } from './labels.ts';
import type { Panel } from './panel.ts';
import type { Counter } from '../../analytics/steps.ts';

type Transition = Answers['time-to-convert']['transitions'][number];
type Bin = Transition['histogram'][number];

/** The API's bin labels ("10-30s", ">=1h") with proper dashes and signs. */
const binLabel = (label: string) => label.replace('>=', '≥ ').replace('<', '< ').replace('-', '–');
export const transitionLabel = (t: { from: Counter; to: Counter }) => `${labelOf(COUNTER_LABELS, t.from)} → ${labelOf(COUNTER_LABELS, t.to)}`;

/** Eight bars scaled to the transition's fullest bin; read aloud as the bin counts. */
function histogram(bins: Bin[]): HTMLElement {
  const max = Math.max(1, ...bins.map((b) => b.count));
  const words = bins.map((b) => `${binLabel(b.label)}: ${formatCount(b.count)}`).join(', ');
  return h(
    'span',
    { class: 'histogram', role: 'img', 'aria-label': `Sessions by time taken: ${words}` },
    ...bins.map((b) =>
      h('span', { class: 'bin', 'data-bin': b.label, 'data-count': b.count, title: `${binLabel(b.label)}: ${formatCount(b.count)}` },
        h('span', { style: `height:${b.count === 0 ? 0 : Math.max(4, (b.count / max) * 100).toFixed(1)}%` })),
    ),
  );
}

/** One transition as a card: how many sessions, median and 90th percentile, then the distribution. */
function card(t: Transition): HTMLElement {
  const fact = (field: string, label: string, text: string) => h('div', {}, h('dt', {}, label), h('dd', { 'data-field': field }, text));
  return h(
    'li',
    { class: 'timing', 'data-transition': t.key, 'data-count': t.count, 'data-p50': t.p50Seconds ?? '', 'data-p90': t.p90Seconds ?? '' },
    h('h3', {}, transitionLabel(t)),
    h('dl', { class: 'timing-facts' },
      fact('count', 'Sessions', formatCount(t.count)),
      fact('p50', 'Median', formatDuration(t.p50Seconds)),
      fact('p90', '90th percentile', formatDuration(t.p90Seconds))),
    t.count === 0 ? null : histogram(t.histogram),
    t.count === 0 ? null : h('p', { class: 'histogram-axis', 'aria-hidden': 'true' },
      h('span', {}, binLabel(t.histogram[0]!.label)), h('span', {}, binLabel(t.histogram.at(-1)!.label))),
  );
}

/** For each step pair and page load → each action: how many sessions, median and 90th percentile, distribution. */
export function renderTimeToConvert(panel: Panel, answer: Answers['time-to-convert'], csv: string): void {
  if (answer.transitions.every((t) => t.count === 0)) return panel.empty('No session reached a next step in this range.', csv);
  const bins = answer.transitions[0]!.histogram.map((b) => binLabel(b.label));
  panel.body.replaceChildren(
    h('ul', { class: 'timings' }, ...answer.transitions.map(card)),
    h('p', { class: 'note' }, `Bars: sessions by time taken, in bins ${bins.join(', ')}. Only sessions with both steps, the second not before the first.`),
  );
  panel.ready(csv);
}
