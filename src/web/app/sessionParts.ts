import type { SessionDetail } from './api.ts';
import { h } from './dom.ts';
import { formatDuration, formatInstant, formatTime, NONE } from './format.ts';
import { facts } from './widgets.ts';
import { COUNTER_LABELS, labelOf, ROLE_LABELS, STEP_LABELS } from './labels.ts';

type Part<Row> = { available: true; rows: Row[] } | { available: false; reason: string };
type Message = Extract<SessionDetail['transcript'], { available: true }>['rows'][number];
type Lead = Extract<SessionDetail['leads'], { available: true }>['rows'][number];
type Connection = Extract<SessionDetail['agentConnections'], { available: true }>['rows'][number];

/** "+1m 05s" after the session's start (a step recorded before the page load is negative). */
const offset = (seconds: number) => `${seconds < 0 ? '−' : '+'}${formatDuration(Math.abs(seconds))}`;
const time = (iso: string, zone: string) => h('time', { datetime: iso }, formatTime(iso, zone));

/** A heading and either the rows, "None" or "Not available" with the API's reason. */
function part<Row>(name: string, title: string, found: Part<Row>, none: string, render: (rows: Row[]) => HTMLElement): HTMLElement {
  const section = h('section', { class: 'part', 'data-part': name, 'data-available': String(found.available), 'aria-label': title }, h('h3', {}, title));
  if (!found.available) section.append(h('p', { class: 'part-status' }, `Not available: ${found.reason}`));
  else if (found.rows.length === 0) section.append(h('p', { class: 'part-status' }, none));
  else section.append(render(found.rows));
  return section;
}

function summary(detail: SessionDetail): HTMLElement {
  const s = detail.session;
  return facts([
    ['startedAt', 'Started', formatInstant(s.startedAt, detail.timezone), null],
    ['reachedStep', 'Furthest step', s.reachedStep ? labelOf(STEP_LABELS, s.reachedStep) : 'None', null],
    ['duration', 'Duration', formatDuration(s.durationSeconds), s.durationSeconds],
  ]);
}

function timeline(detail: SessionDetail): HTMLElement {
  const items = detail.timeline.map((e) =>
    h('li', { 'data-event': e.event, 'data-seconds': e.secondsFromStart },
      time(e.at, detail.timezone), ' ', h('strong', {}, labelOf(COUNTER_LABELS, e.event)), ' ', h('span', { class: 'offset' }, offset(e.secondsFromStart))));
  return h('section', { class: 'part', 'data-part': 'timeline', 'aria-label': 'Funnel timeline' },
    h('h3', {}, 'Funnel timeline'),
    items.length ? h('ol', { class: 'timeline' }, ...items) : h('p', { class: 'part-status' }, 'No step recorded.'));
}

const roleLabel = (m: Message) => (m.normalizedRole === 'other' ? `${ROLE_LABELS.other} (${m.role})` : labelOf(ROLE_LABELS, m.normalizedRole));

const transcript = (zone: string) => (rows: Message[]) =>
  h('ol', { class: 'transcript' }, ...rows.map((m) =>
    h('li', { class: 'message', 'data-role': m.normalizedRole },
      h('p', { class: 'message-meta' }, h('span', { class: 'message-role' }, roleLabel(m)), ' · ', time(m.at, zone)),
      h('p', { class: 'message-text' }, m.text ?? '(no text)'))));

const leads = (zone: string) => (rows: Lead[]) =>
  h('ul', { class: 'plain' }, ...rows.map((l) =>
    h('li', { 'data-lead': l.id ?? '' },
      [l.name, l.email, l.phone].filter(Boolean).join(' · ') || 'No contact details',
      ` — source ${l.source ?? NONE}`, l.createdAt ? `, at ${formatTime(l.createdAt, zone)}` : '')));

function connection(c: Connection, zone: string): HTMLElement {
  const at = (words: string, iso: string | null) => (iso ? [words, time(iso, zone)] : []);
  return h('li', { 'data-connection': c.id ?? '' },
    ...(c.requestedAt ? at('Requested ', c.requestedAt) : ['Requested (no time)']),
    ...(c.connectedAt ? at(', connected ', c.connectedAt) : [', never connected']),
    ...at(', ended ', c.endedAt),
    c.status ? ` · ${c.status}` : '');
}

/** The session's parts in reading order. */
export function sessionParts(detail: SessionDetail): HTMLElement[] {
  const zone = detail.timezone;
  return [
    summary(detail),
    timeline(detail),
    part('transcript', 'Chat transcript', detail.transcript, 'No messages in this session.', transcript(zone)),
    part('leads', 'Leads', detail.leads, 'No lead from this session.', leads(zone)),
    part('agentConnections', 'Agent connections', detail.agentConnections, 'No agent connection.', (rows) =>
      h('ul', { class: 'plain' }, ...rows.map((c) => connection(c, zone)))),
  ];
}
