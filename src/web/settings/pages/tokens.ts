import { h } from '../../app/dom.ts';
import { call, type Me, type Token } from '../api.ts';
import { StatusLine } from '../notice.ts';
import { tokenForm } from '../tokenForm.ts';
import { tokenTable } from '../tokenTable.ts';
import { Section, why, type PageContext } from './page.ts';

/** Why `me` can list tokens here but not create a service token. */
function cannotCreate(me: Me): HTMLElement | null {
  if (me.may.serviceTokenClients.length === 0) return why('You manage no client\'s service tokens: its editors, its operators and admins do.');
  if (me.may.createTokens) return null;
  if (me.kind === 'open') {
    return why('Tokens are created by a signed-in person, so that each has someone who answers for it: the demo admin is everyone who opens this platform. ',
      'Invite yourself on the People page and sign in with that account to create one.');
  }
  return why(`Tokens are created by a signed-in person, not with an API key (${me.label}): sign in with your email and password.`);
}

/** Tokens: a service token for a client, and every token `me` may see and revoke (admins: all of them). */
export function tokensPage({ me }: PageContext): HTMLElement {
  const status = new StatusLine();
  const secretSlot = h('div', { class: 'secret-slot' });
  const create = new Section('new-service-token', 'Create a service token',
    h('p', { class: 'lead-in' }, 'A service token reads one client, as a viewer: for a report, a spreadsheet or another system. Personal tokens are on your Account page.'));
  const list = new Section('tokens', 'Tokens');
  const load = () => list.fill('see the tokens', async () =>
    [tokenTable(await call<Token[]>('GET', '/api/tokens'), { showOwner: true, status, changed: () => void load() })]);

  const reason = cannotCreate(me);
  if (reason) create.body.append(reason);
  else {
    const clients = me.clients.filter((c) => me.may.serviceTokenClients.includes(c.id));
    create.body.append(tokenForm({ kind: 'service', clients, secretSlot, created: () => void load() }));
  }
  void load();
  return h('div', { class: 'page' }, create.element, secretSlot, status.element, list.element);
}
