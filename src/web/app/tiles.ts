import type { Answers, Change } from './api.ts';
import { h } from './dom.ts';
import { describeChange, formatCount, formatDuration, formatPercent } from './format.ts';
import type { Panel } from './panel.ts';

type Metrics = Answers['metrics'];
type Leads = Answers['leads'];
type Kind = 'count' | 'rate' | 'duration';

/** One tile: where its value and its change (from the API's `compare=previous` answer) are. */
interface TileSpec {
  key: string;
  label: string;
  kind: Kind;
  value: (metrics: Metrics, leads: Leads | null) => number | null;
  /** The `metric` of its entry in `changes`, and whether that is in the leads answer. */
  change: string;
  hint: string;
  /** Needs the optional Leads table. */
  leads?: true;
}

const leadsValue = (pick: (leads: Extract<Leads, { available: true }>) => number | null) => (_m: Metrics, leads: Leads | null) =>
  leads && leads.available ? pick(leads) : null;

const TILES: TileSpec[] = [
  { key: 'sessions', label: 'Sessions', kind: 'count', value: (m) => m.sessions, change: 'sessions', hint: 'chatbot sessions started' },
  { key: 'widgetOpenRate', label: 'Widget open rate', kind: 'rate', value: (m) => m.rates.widgetOpen.value, change: 'rates.widgetOpen', hint: 'widget opens / page loads' },
  { key: 'humanRequestRate', label: 'Human request rate', kind: 'rate', value: (m) => m.rates.humanRequest.value, change: 'rates.humanRequest', hint: 'human requests / widget opens' },
  { key: 'acceptShare', label: 'Accept vs callback', kind: 'rate', value: (m) => m.acceptVsCallback.accept.value, change: 'acceptVsCallback.accept', hint: 'accept share of accept + callback' },
  { key: 'medianDuration', label: 'Median session duration', kind: 'duration', value: (m) => m.duration.medianSeconds, change: 'duration.medianSeconds', hint: 'first to last event' },
  { key: 'leads', label: 'Leads', kind: 'count', value: leadsValue((l) => l.total), change: 'total', hint: 'leads created', leads: true },
  { key: 'captureRate', label: 'Capture rate', kind: 'rate', value: leadsValue((l) => l.captureRate), change: 'captureRate', hint: 'leads / sessions', leads: true },
];

const format = (kind: Kind, value: number | null) =>
  kind === 'count' ? formatCount(value) : kind === 'duration' ? formatDuration(value) : formatPercent(value);

/** The headline shown for a tile; accept vs callback shows both shares. */
function headline(spec: TileSpec, metrics: Metrics, value: number | null): (string | HTMLElement)[] {
  const { accept, callback } = metrics.acceptVsCallback;
  if (spec.key !== 'acceptShare' || accept.value === null) return [format(spec.kind, value)];
  return [formatPercent(accept.value), h('small', {}, ` / ${formatPercent(callback.value)}`)];
}

const ARROWS = { up: '▲', down: '▼', flat: '■', none: '' };

/** The key metrics with their change against the period of equal length just before (both from the API). */
export function renderTiles(panel: Panel, metrics: Metrics, leads: Leads | null, previousLabel: string, csv: string): void {
  const changes = (spec: TileSpec): Change[] => (spec.leads ? (leads?.changes ?? []) : (metrics.changes ?? []));
  const tiles = TILES.map((spec) => {
    const value = spec.value(metrics, leads);
    const missing = spec.leads === true && leads?.available === false;
    const change = changes(spec).find((c) => c.metric === spec.change);
    const words = describeChange(change);
    const note = change?.smallSample ? ' (small sample)' : '';
    return h(
      'div',
      { class: 'tile', 'data-metric': spec.key, 'data-value': value ?? '' },
      h('dt', {}, spec.label),
      h('dd', { class: 'tile-value' }, ...(missing ? ['Not available'] : headline(spec, metrics, value))),
      h('dd', { class: `tile-change ${missing ? 'none' : words.direction}` },
        missing || !ARROWS[words.direction] ? null : h('span', { 'aria-hidden': 'true' }, `${ARROWS[words.direction]} `),
        missing ? 'no Leads table' : `${words.text} vs ${previousLabel}${note}`),
      h('dd', { class: 'tile-hint' }, spec.hint),
    );
  });
  panel.body.replaceChildren(h('dl', { class: 'tiles' }, ...tiles));
  panel.ready(csv);
}
