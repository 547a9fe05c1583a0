import type { Static } from 'typebox';
import type { CreatedChannelBody } from '../../http/schemas/channels.ts';
import { h } from '../app/dom.ts';
import { call, type Me } from './api.ts';
import { actions, checkbox, field, FormRunner, input, select, valueOf } from './forms.ts';
import { shownOnce } from './secret.ts';

export type CreatedChannel = Static<typeof CreatedChannelBody>;

const KIND_HINTS: Record<string, string> = {
  email: 'An email to the addresses below, or to the people of the client an alert is about.',
  webhook: 'A JSON body POSTed to your URL, signed with HMAC-SHA256 (X-Signature over X-Signature-Timestamp and the body).',
  slack: 'A Slack-compatible body (text and blocks) POSTed to an incoming-webhook URL; signed the same way.',
};

/** Adds a channel (`POST /api/channels`); a webhook's signing secret is shown once, in `secretSlot`. */
export function channelForm(me: Me, secretSlot: HTMLElement, created: () => void): HTMLFormElement {
  const form = h('form', { class: 'settings-form', 'data-form': 'channel' });
  const kind = select('kind', [['email', 'Email'], ['webhook', 'Webhook (signed JSON)'], ['slack', 'Slack-compatible webhook']], 'email');
  const hint = h('p', { class: 'hint' }, KIND_HINTS.email!);
  const addresses = field('Addresses', input('addresses', { autocomplete: 'off', placeholder: 'oncall@agency.example, boss@agency.example' }), 'Separated by commas.');
  const members = checkbox('toMembers', "Instead, the people of the client the alert is about");
  const url = field('URL', input('url', { type: 'url', autocomplete: 'off', placeholder: 'https://hooks.example.com/…' }), 'Kept encrypted; the list shows only its host.');
  const every = me.allClients ? checkbox('allClients', 'Every client (and the portfolio digest)', true) : null;
  const clients = me.clients.map((c) => ({ id: c.id, box: checkbox('clientId', c.name, false, { value: c.id }) }));
  const firing = checkbox('kinds', 'An alert fires', true, { value: 'alert-firing' });
  const resolved = checkbox('kinds', 'An alert resolves', true, { value: 'alert-resolved' });
  const show = () => {
    const email = kind.value === 'email';
    hint.textContent = KIND_HINTS[kind.value] ?? '';
    addresses.hidden = !email || members.box.checked;
    members.element.hidden = !email;
    url.hidden = email;
    for (const c of clients) c.box.element.hidden = Boolean(every?.box.checked);
  };
  kind.addEventListener('change', show);
  members.box.addEventListener('change', show);
  every?.box.addEventListener('change', show);
  form.append(
    field('Name', input('name', { required: true, maxlength: 200, autocomplete: 'off' }), 'To recognise it in the list.'),
    field('Kind', kind), hint, addresses, members.element, url,
    h('fieldset', { class: 'client-choices' }, h('legend', {}, 'For clients'), h('div', { class: 'choices' }, every?.element ?? null, ...clients.map((c) => c.box.element))),
    h('fieldset', { class: 'client-choices' }, h('legend', {}, 'When'), h('div', { class: 'choices' }, firing.element, resolved.element)),
    actions(h('button', { type: 'submit', class: 'primary' }, 'Add channel')),
  );
  show();
  new FormRunner(form, 'add this channel').onSubmit(async () => {
    const email = kind.value === 'email';
    const body = {
      name: valueOf(form, 'name'),
      kind: kind.value,
      ...(email && !members.box.checked ? { addresses: valueOf(form, 'addresses').split(',').map((a) => a.trim()).filter(Boolean) } : {}),
      ...(email && members.box.checked ? { toMembers: true } : {}),
      ...(!email ? { url: valueOf(form, 'url') } : {}),
      clientIds: every?.box.checked ? null : clients.filter((c) => c.box.box.checked).map((c) => c.id),
      kinds: [firing, resolved].filter((k) => k.box.checked).map((k) => k.box.value),
    };
    const answer = await call<CreatedChannel>('POST', '/api/channels', body);
    form.reset();
    show();
    if (answer.secret) {
      secretSlot.replaceChildren(shownOnce(`Signing secret of "${answer.channel.name}"`, answer.secret,
        'Copy it now: you will not see it again (it is stored encrypted). Your receiver checks X-Signature with it (see the README, Notification channels).'));
    }
    created();
  });
  return form;
}
