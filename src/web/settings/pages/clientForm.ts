import { h } from '../../app/dom.ts';
import { call, type AdminClient, type ConnectionCheck } from '../api.ts';
import { actions, field, FormRunner, input, valueOf } from '../forms.ts';
import { connectionReport } from './connectionCheck.ts';

const DEFAULT_COLOR = '#2563eb';
let zones: HTMLDataListElement | null = null;

/** Every IANA time zone this browser knows, as suggestions for the time zone field (one list for the page). */
function timeZoneList(): HTMLDataListElement {
  zones ??= h('datalist', { id: 'time-zones' }, ...Intl.supportedValuesOf('timeZone').map((zone) => h('option', { value: zone })));
  return zones;
}

export interface ClientFormOptions {
  /** The client to change, or null to create one. */
  client: AdminClient | null;
  saved: (client: AdminClient, created: boolean) => void;
  cancel: () => void;
}

const orNull = (value: string) => (value === '' ? null : value);

/**
 * Creates or changes a client managed in the product. "Test connection" checks the database before saving. The
 * database URL only goes in: once saved it is never shown again (empty keeps the saved one).
 */
export function clientForm({ client, saved, cancel }: ClientFormOptions): HTMLFormElement {
  const editing = client !== null;
  const checkSlot = h('div', { class: 'check-slot' });
  const test = h('button', { type: 'button' }, 'Test connection');
  const form = h('form', { class: 'settings-form client-form', 'data-form': editing ? 'change-client' : 'new-client', autocomplete: 'off' },
    editing
      ? h('p', { class: 'lead-in' }, 'Id ', h('code', {}, client.id), ': it is in every URL of the client and cannot change.')
      : field('Id', input('id', { required: true, maxlength: 64, pattern: '[a-z0-9-]+', spellcheck: 'false' }), 'a-z, 0-9 and -, e.g. maple-dental: in every URL of the client; it cannot change.'),
    field('Name', input('name', { required: true, maxlength: 200, value: client?.name })),
    field('Domain (optional)', input('domain', { maxlength: 253, value: client?.domain ?? undefined, spellcheck: 'false' }), 'The website the chatbot runs on, e.g. mapledental.com.au.'),
    field('Time zone', input('timezone', { required: true, maxlength: 64, list: 'time-zones', value: client?.timezone ?? 'UTC', spellcheck: 'false' }), 'IANA name, e.g. Australia/Sydney: days and hours are counted in it.'),
    timeZoneList(),
    field('Colour', input('branding.primaryColor', { type: 'color', value: client?.branding.primaryColor ?? DEFAULT_COLOR })),
    field('Logo URL (optional)', input('branding.logoUrl', { maxlength: 2000, value: client?.branding.logoUrl ?? undefined }), 'An https:// address, or a path on this site.'),
    field(editing ? 'New database URL' : 'Database URL', input('databaseUrl', { maxlength: 2000, spellcheck: 'false', autocomplete: 'off', placeholder: editing && client.hasDatabase ? 'leave empty to keep the saved one' : 'postgres://user:password@host:5432/database' }),
      editing
        ? `${client.hasDatabase ? 'A URL is saved; it is never shown. Leave empty to keep it.' : 'None is saved.'} Stored encrypted.`
        : 'postgres:// or postgresql:// (?schema= picks the schema). Stored encrypted and never shown again.'),
    field('Grafana organisation id (optional)', input('grafanaOrgId', { type: 'number', min: 1, step: 1, value: client?.grafanaOrgId ?? undefined })),
    checkSlot,
    actions(test, h('button', { type: 'submit', class: 'primary' }, editing ? 'Save changes' : 'Create client'), h('button', { type: 'button', class: 'cancel' }, 'Cancel')),
  );
  const runner = new FormRunner(form, editing ? 'save this client' : 'create this client');

  test.addEventListener('click', () => void runner.run(async () => {
    const url = valueOf(form, 'databaseUrl');
    checkSlot.replaceChildren(h('p', { class: 'note', role: 'status' }, 'Testing the connection…'));
    // An empty field on a saved client tests the URL it has.
    const body = url === '' && editing && client.hasDatabase ? { clientId: client.id } : { databaseUrl: url };
    try {
      checkSlot.replaceChildren(connectionReport(await call<ConnectionCheck>('POST', '/api/admin/clients/test-connection', body)));
    } catch (error) {
      checkSlot.replaceChildren();
      throw error;
    }
  }, 'test the connection'));

  form.querySelector('.cancel')!.addEventListener('click', cancel);

  runner.onSubmit(async () => {
    const url = valueOf(form, 'databaseUrl');
    const org = valueOf(form, 'grafanaOrgId');
    const fields = {
      name: valueOf(form, 'name'),
      timezone: valueOf(form, 'timezone'),
      domain: orNull(valueOf(form, 'domain')),
      branding: { primaryColor: valueOf(form, 'branding.primaryColor'), logoUrl: orNull(valueOf(form, 'branding.logoUrl')) },
      grafanaOrgId: org === '' ? null : Number(org),
      ...(url === '' ? {} : { databaseUrl: url }),
    };
    const answer = editing
      ? await call<AdminClient>('PATCH', `/api/admin/clients/${encodeURIComponent(client.id)}`, fields)
      : await call<AdminClient>('POST', '/api/admin/clients', { id: valueOf(form, 'id'), ...fields });
    // The URL field empties: a saved URL is never shown again.
    (form.elements.namedItem('databaseUrl') as HTMLInputElement).value = '';
    saved(answer, !editing);
  });
  return form;
}
