import type { Answers } from './api.ts';
import type { Chart } from './chart.ts';
import { h } from './dom.ts';
import { formatCount, formatPercent } from './format.ts';
import type { Panel } from './panel.ts';
import { renderLeadsChart, type Palette } from './series.ts';

/** Lead totals, contact details and capture rate, then leads per day. */
export function renderLeads(panel: Panel, chart: Chart, leads: Answers['leads'], palette: Palette, csv: string): void {
  if (!leads.available) return panel.unavailable(leads.reason);
  const facts: [string, string, string, number | null][] = [
    ['total', 'Leads', formatCount(leads.total), leads.total],
    ['withEmail', 'With email', formatCount(leads.withEmail), leads.withEmail],
    ['withPhone', 'With phone', formatCount(leads.withPhone), leads.withPhone],
    ['captureRate', 'Capture rate', formatPercent(leads.captureRate), leads.captureRate],
  ];
  const summary = h(
    'dl',
    { class: 'facts' },
    ...facts.map(([key, label, text, value]) => h('div', { 'data-lead': key, 'data-value': value ?? '' }, h('dt', {}, label), h('dd', {}, text))),
  );
  panel.body.replaceChildren(summary, chart.element);
  if (leads.total === 0) {
    chart.element.hidden = true;
    return panel.ready(csv, 'No leads in this range.');
  }
  chart.element.hidden = false;
  panel.ready(csv);
  renderLeadsChart(chart, leads.days, palette);
}
