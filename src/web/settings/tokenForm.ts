import { h } from '../app/dom.ts';
import { call, type CreatedToken } from './api.ts';
import { actions, field, FormRunner, input, select, valueOf } from './forms.ts';
import { shownOnce } from './secret.ts';

export interface TokenFormOptions {
  kind: 'personal' | 'service';
  /** Service tokens: the clients to choose from (id, name). */
  clients?: { id: string; name: string }[];
  /** Where the secret is shown, once. */
  secretSlot: HTMLElement;
  created: (token: CreatedToken) => void;
}

/** The end of the chosen local day as an RFC 3339 instant, as `POST /api/tokens` takes `expiresAt`. */
const endOfDay = (date: string) => new Date(`${date}T23:59:59`).toISOString();

/** Creates a token (`POST /api/tokens`): a name, the client for a service token, an optional last day. */
export function tokenForm(options: TokenFormOptions): HTMLFormElement {
  const form = h('form', { class: 'settings-form', 'data-form': `${options.kind}-token` });
  const client = options.kind === 'service' ? select('clientId', (options.clients ?? []).map((c) => [c.id, `${c.name} (${c.id})`] as const)) : null;
  form.append(
    field('Name', input('name', { required: true, maxlength: 100, autocomplete: 'off' }), 'What it is for, to recognise it in the list.'),
    client ? field('Client', client, 'A service token reads this one client, as a viewer.') : '',
    field('Expires after (optional)', input('expiresAt', { type: 'date' }), 'Its last day; empty: it never expires. At most 3 years.'),
    actions(h('button', { type: 'submit', class: 'primary' }, options.kind === 'personal' ? 'Create personal token' : 'Create service token')),
  );
  const runner = new FormRunner(form, 'create this token');
  runner.onSubmit(async () => {
    const expiry = valueOf(form, 'expiresAt');
    const created = await call<CreatedToken>('POST', '/api/tokens', {
      name: valueOf(form, 'name'),
      kind: options.kind,
      ...(client ? { clientId: client.value } : {}),
      ...(expiry ? { expiresAt: endOfDay(expiry) } : {}),
    });
    form.reset();
    options.secretSlot.replaceChildren(shownOnce(
      `Token "${created.name}"`,
      created.token,
      'Copy it now: you will not see it again (only its hash is kept). Send it as Authorization: Bearer <token>.',
    ));
    options.created(created);
  });
  return form;
}
