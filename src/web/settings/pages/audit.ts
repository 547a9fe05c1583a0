import { AUDIT_ACTIONS, type AuditEntry } from '../../../access/audit.ts';
import { h } from '../../app/dom.ts';
import { call, type Me, type Person } from '../api.ts';
import { actions, field, input, select } from '../forms.ts';
import { when } from '../format.ts';
import { Section, type PageContext } from './page.ts';

type Entry = AuditEntry;

const FILTERS = ['from', 'to', 'action', 'clientId', 'actor'] as const;
const DATE = /^\d{4}-\d{2}-\d{2}$/;
const nextDay = (date: string) => new Date(Date.parse(`${date}T00:00:00Z`) + 86_400_000).toISOString().slice(0, 10);

/**
 * The API's query from this page's address: the filters as given, `to` a whole UTC day (inclusive here, the API's
 * `to` is exclusive), and paging by `before`.
 */
function apiQuery(search: URLSearchParams, paging: boolean): URLSearchParams {
  const query = new URLSearchParams();
  for (const name of FILTERS) {
    const value = search.get(name);
    if (value) query.set(name, name === 'to' && DATE.test(value) ? nextDay(value) : value);
  }
  if (paging) for (const name of ['before', 'limit']) if (search.get(name)) query.set(name, search.get(name)!);
  return query;
}

/** The audit log: who did what, when, from where; filtered by the address (a plain GET form), paged, exported as CSV. */
export function auditPage({ me }: PageContext): HTMLElement {
  const search = new URLSearchParams(location.search);
  const actor = select('actor', [['', 'anyone']], '');
  const form = h('form', { class: 'settings-form filters', method: 'get', action: '/settings/audit', 'aria-label': 'Filters' },
    field('From (UTC day)', input('from', { type: 'date', value: search.get('from') ?? undefined })),
    field('To (UTC day, inclusive)', input('to', { type: 'date', value: search.get('to') ?? undefined })),
    field('Action', select('action', [['', 'any'], ...AUDIT_ACTIONS.map((a) => [a, a] as const)], search.get('action') ?? '')),
    field('Client', select('clientId', [['', 'any'], ...me.clients.map((c) => [c.id, c.name] as const)], search.get('clientId') ?? '')),
    field('Actor', actor),
    actions(h('button', { type: 'submit', class: 'primary' }, 'Apply'), h('a', { class: 'button', href: '/settings/audit' }, 'Clear')),
  );
  const exportLink = h('a', { class: 'button', href: `/api/audit?${new URLSearchParams([...apiQuery(search, false), ['format', 'csv']])}`, download: 'audit.csv' }, 'Export CSV');
  const log = new Section('audit', 'Entries', h('p', { class: 'lead-in' }, 'Newest first. The export holds every entry the filters select.', ' ', exportLink));
  void fillActors(actor, me, search.get('actor') ?? '');
  void log.fill('read the audit log', async () => {
    const page = await call<{ entries: Entry[]; nextBefore: number | null }>('GET', `/api/audit?${apiQuery(search, true)}`);
    return [entriesTable(page.entries), pager(search, page.nextBefore)];
  });
  return h('div', { class: 'page' }, form, log.element);
}

/** The people to filter by (their id is what the log keeps as the actor). */
async function fillActors(actor: HTMLSelectElement, me: Me, chosen: string): Promise<void> {
  if (!me.may.managePeople) return;
  const people = await call<Person[]>('GET', '/api/users').catch(() => [] as Person[]);
  for (const person of people) actor.append(h('option', { value: person.id, selected: person.id === chosen }, person.email));
}

function entriesTable(entries: Entry[]): HTMLElement {
  if (entries.length === 0) return h('p', { class: 'empty' }, 'No entry matches.');
  const details = (entry: Entry) => Object.entries(entry.details).map(([name, value]) => `${name}: ${String(value)}`).join(' · ');
  return h('div', { class: 'table-scroll' }, h('table', { class: 'audit' },
    h('thead', {}, h('tr', {}, ...['Time', 'Actor', 'Action', 'Target', 'Client', 'IP', 'Details'].map((label) => h('th', { scope: 'col' }, label)))),
    h('tbody', {}, ...entries.map((entry) => h('tr', { 'data-entry': entry.id, 'data-action': entry.action },
      h('td', {}, when(entry.at)),
      h('td', {}, entry.actor.label, h('small', {}, ` (${entry.actor.kind})`)),
      h('td', {}, entry.action),
      h('td', {}, entry.target ?? '—'),
      h('td', {}, entry.clientId ?? '—'),
      h('td', {}, entry.ip ?? '—'),
      h('td', { class: 'details' }, details(entry)),
    ))),
  ));
}

/** Newest and older pages, as addresses (the browser's back button goes to the newer one). */
function pager(search: URLSearchParams, nextBefore: number | null): HTMLElement {
  const at = (before: number | null) => {
    const next = new URLSearchParams(search);
    if (before === null) next.delete('before');
    else next.set('before', String(before));
    return `/settings/audit?${next}`;
  };
  return h('nav', { class: 'pager', 'aria-label': 'Pages' },
    search.get('before') ? h('a', { class: 'button', href: at(null) }, '← Newest') : null,
    nextBefore === null ? h('span', { class: 'note' }, 'No older entries') : h('a', { class: 'button', href: at(nextBefore), rel: 'next' }, 'Older →'),
  );
}
