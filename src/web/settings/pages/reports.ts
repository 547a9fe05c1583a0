import { h } from '../../app/dom.ts';
import { call } from '../api.ts';
import { actions, checkbox, field, FormRunner, input, select, valueOf } from '../forms.ts';
import { Section, why, type PageContext } from './page.ts';

interface Schedule { enabled: boolean; cron: string; recipients: string[] | null; since: string; nextDueAt: string | null }
interface ClientReports {
  clientId: string;
  timezone: string;
  weekly: Schedule;
  monthly: Schedule;
  recent: { kind: string; periodStart: string; periodEnd: string; sentAt: string | null; recipients: number; error: string | null }[];
}
const KINDS = ['weekly', 'monthly'] as const;
const LABEL = { weekly: 'Weekly report', monthly: 'Monthly report' } as const;

/** One kind's settings: on or off, its cron in the client's time zone, chosen addresses (empty: the members). */
function scheduleFieldset(kind: (typeof KINDS)[number], schedule: Schedule, timezone: string): HTMLElement {
  const enabled = checkbox(`${kind}.enabled`, 'Send it', schedule.enabled);
  const next = schedule.nextDueAt ? `Next: ${new Date(schedule.nextDueAt).toLocaleString()} (your time).` : 'Not sent.';
  return h('fieldset', { class: 'report-schedule', 'data-kind': kind },
    h('legend', {}, LABEL[kind]),
    enabled.element,
    field('When (cron)', input(`${kind}.cron`, { value: schedule.cron, required: true, spellcheck: 'false' }), `Five fields in ${timezone}. ${next}`),
    field('Recipients', input(`${kind}.recipients`, { value: schedule.recipients?.join(', ') ?? '', placeholder: "the client's members" }), 'Addresses separated by commas; empty: everyone given this client.'),
  );
}

function recipientsOf(form: HTMLFormElement, kind: string): string[] | null {
  const list = valueOf(form, `${kind}.recipients`).split(',').map((a) => a.trim()).filter(Boolean);
  return list.length > 0 ? list : null;
}

/** Settings for one client, saved with PATCH; a preview of each report in a frame below. */
function clientSettings(clientId: string, settings: ClientReports, preview: HTMLIFrameElement): HTMLElement {
  const form = h('form', { class: 'settings-form', 'aria-label': 'Report settings' }, ...KINDS.map((k) => scheduleFieldset(k, settings[k], settings.timezone)));
  const saved = h('p', { class: 'notice success', role: 'status', hidden: true }, 'Saved.');
  const show = (kind: string) => {
    const button = h('button', { type: 'button', 'data-preview': kind }, `Preview ${kind}`);
    button.addEventListener('click', () => {
      preview.src = `/api/clients/${encodeURIComponent(clientId)}/reports/preview?kind=${kind}`;
      preview.hidden = false;
    });
    return button;
  };
  form.append(actions(h('button', { type: 'submit', class: 'primary' }, 'Save'), show('weekly'), show('monthly')), saved);
  new FormRunner(form, 'save the report settings').onSubmit(async () => {
    const body = Object.fromEntries(KINDS.map((kind) => [kind, {
      enabled: (form.elements.namedItem(`${kind}.enabled`) as HTMLInputElement).checked,
      cron: valueOf(form, `${kind}.cron`),
      recipients: recipientsOf(form, kind),
    }]));
    await call('PATCH', `/api/clients/${encodeURIComponent(clientId)}/reports`, body);
    saved.hidden = false;
  });
  const recent = settings.recent.length === 0
    ? h('p', { class: 'empty' }, 'No report has gone out yet.')
    : h('table', { class: 'reports-recent' }, h('thead', {}, h('tr', {}, h('th', {}, 'Report'), h('th', {}, 'Period'), h('th', {}, 'Sent'), h('th', {}, 'Recipients'))),
      h('tbody', {}, ...settings.recent.map((r) => h('tr', {},
        h('td', {}, r.kind), h('td', {}, `${r.periodStart.slice(0, 10)} – ${r.periodEnd.slice(0, 10)}`),
        h('td', {}, r.sentAt ? new Date(r.sentAt).toLocaleString() : r.error ? `not yet (${r.error})` : 'not yet'), h('td', {}, String(r.recipients))))));
  return h('div', {}, form, h('h4', {}, 'Latest reports'), recent);
}

/** Scheduled email reports per client: when, to whom, and what they look like. */
export function reportsPage({ me }: PageContext): HTMLElement {
  if (me.clients.length === 0) return h('div', { class: 'page' }, why('You see no client, so there is no report to set up.'));
  const search = new URLSearchParams(location.search);
  const chosen = me.clients.some((c) => c.id === search.get('client')) ? search.get('client')! : me.clients[0]!.id;
  const picker = h('form', { class: 'settings-form filters', method: 'get', action: '/settings/reports', 'aria-label': 'Client' },
    field('Client', select('client', me.clients.map((c) => [c.id, c.name] as const), chosen)),
    actions(h('button', { type: 'submit' }, 'Show')));
  const preview = h('iframe', { class: 'report-preview', title: 'Report preview', hidden: true, width: '100%', height: '900', style: 'border:1px solid #e2e8f0;border-radius:6px' });
  const section = new Section('reports', 'Schedules', h('p', { class: 'lead-in' }, "Reports go out in the client's time zone and colours, covering the last full week (Monday to Monday) or month."));
  void section.fill('read the report settings', async () => {
    const settings = await call<ClientReports>('GET', `/api/clients/${encodeURIComponent(chosen)}/reports`);
    return [clientSettings(chosen, settings, preview)];
  });
  return h('div', { class: 'page' }, picker, section.element, preview);
}
