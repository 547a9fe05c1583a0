import type { Answers } from './api.ts';
import { h } from './dom.ts';
import { formatCount, formatPercent, NONE } from './format.ts';
import type { Panel } from './panel.ts';

type Source = Extract<Answers['lead-sources'], { available: true }>['sources'][number];

const asked = (s: Source) => (s.requestedHuman === null ? NONE : `${formatCount(s.requestedHuman)} (${formatPercent(s.requestedHumanShare)})`);

/** Leads per source (largest first, as the API orders them): share of all leads, capture rate, how many asked for a human. */
export function renderLeadSources(panel: Panel, answer: Answers['lead-sources'], csv: string): void {
  if (!answer.available) return panel.unavailable(answer.reason);
  if (answer.total === 0) return panel.empty('No leads in this range.', csv);
  const header = ['Source', 'Leads', 'Share', 'Capture rate', 'Asked for a human'].map((text, i) =>
    h('th', { scope: 'col', class: i > 0 ? 'num' : null }, text));
  const rows = answer.sources.map((s) =>
    h(
      'tr',
      { 'data-source': s.source, 'data-leads': s.leads, 'data-share': s.share ?? '', 'data-capture': s.captureRate ?? '', 'data-asked': s.requestedHuman ?? '' },
      h('th', { scope: 'row', class: 'source' }, s.source),
      h('td', { class: 'num', 'data-field': 'leads' }, formatCount(s.leads)),
      h('td', { class: 'num', 'data-field': 'share' }, formatPercent(s.share)),
      h('td', { class: 'num', 'data-field': 'capture' }, formatPercent(s.captureRate)),
      h('td', { class: 'num', 'data-field': 'asked' }, asked(s)),
    ),
  );
  const note = answer.requestedHuman === null
    ? 'Leads have no session id, so human requests cannot be matched.'
    : `Capture rate: a source's leads / all ${formatCount(answer.sessions)} sessions. Asked for a human: leads whose session requested one.`;
  panel.body.replaceChildren(
    h('div', { class: 'table-scroll', tabindex: 0, role: 'region', 'aria-label': 'Lead sources table' },
      h('table', { class: 'lead-sources' },
        h('caption', { class: 'visually-hidden' }, `Leads by source (the "${answer.sourceColumn}" column), ${formatCount(answer.total)} in all`),
        h('thead', {}, h('tr', {}, ...header)),
        h('tbody', {}, ...rows),
        h('tfoot', {}, h('tr', { 'data-total': answer.total },
          h('th', { scope: 'row' }, 'All sources'),
          h('td', { class: 'num' }, formatCount(answer.total)),
          h('td', { colspan: 2 }),
          h('td', { class: 'num' }, formatCount(answer.requestedHuman)))))),
    h('p', { class: 'note' }, note),
  );
  panel.ready(csv);
}
