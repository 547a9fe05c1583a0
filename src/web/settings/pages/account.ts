import { h } from '../../app/dom.ts';
import { call, type Me, type Person, type Token } from '../api.ts';
import { actions, field, FormRunner, input, valueOf } from '../forms.ts';
import { ROLE_NAMES, when } from '../format.ts';
import { StatusLine } from '../notice.ts';
import { tokenForm } from '../tokenForm.ts';
import { tokenTable } from '../tokenTable.ts';
import { Loaded, Section, why, type PageContext } from './page.ts';

/** Why a principal without an account (the open demo, a key) has no password and makes no tokens. */
function noAccount(me: Me, what: string): HTMLElement {
  if (me.kind === 'open') {
    return why(`The demo admin is everyone who opens this platform, not a person with an account, so it has no ${what}. `,
      'Invite yourself on the People page and sign in with that account to have one.');
  }
  return why(`You signed in with the API key ${me.label}, which is no person's account, so it has no ${what}. Sign in with your email and password.`);
}

/** The account page: who I am, my password, my personal tokens. */
export function accountPage({ me }: PageContext): HTMLElement {
  return h('div', { class: 'page' }, whoAmI(me), password(me), personalTokens(me));
}

function whoAmI(me: Me): HTMLElement {
  const section = new Section('who', 'Who you are');
  const clients = me.allClients ? 'every client' : me.clients.map((c) => `${c.name} (${c.role})`).join(', ') || '—';
  const facts = (person: Person | null) => [h('dl', { class: 'facts-list' },
    ...(person
      ? [h('dt', {}, 'Email'), h('dd', { 'data-fact': 'email' }, person.email), h('dt', {}, 'Name'), h('dd', { 'data-fact': 'name' }, person.name || '—')]
      : [h('dt', {}, 'Signed in as'), h('dd', { 'data-fact': 'who' }, me.kind === 'open' ? 'the demo admin' : `the key ${me.label}`)]),
    h('dt', {}, 'Role'), h('dd', { 'data-fact': 'role' }, ROLE_NAMES[me.role]),
    h('dt', {}, 'Clients'), h('dd', { 'data-fact': 'clients' }, clients),
    ...(person ? [h('dt', {}, 'Since'), h('dd', {}, when(person.createdAt))] : []),
  )];
  void section.fill('read your account', async () => {
    if (me.userId === null) return [...facts(null), noAccount(me, 'account')];
    return facts(await call<Person>('GET', `/api/users/${encodeURIComponent(me.userId)}`));
  });
  return section.element;
}

function password(me: Me): HTMLElement {
  const section = new Section('password', 'Password');
  if (me.userId === null) {
    section.body.append(noAccount(me, 'password'));
    return section.element;
  }
  const status = new StatusLine();
  const form = h('form', { class: 'settings-form', 'data-form': 'password' },
    h('input', { type: 'hidden', name: 'username', value: me.label, autocomplete: 'username' }),
    field('Current password', input('current', { type: 'password', required: true, autocomplete: 'current-password' })),
    field('New password', input('password', { type: 'password', required: true, autocomplete: 'new-password' }),
      'A phrase of unrelated words is easiest. Changing it signs you out everywhere else.'),
    actions(h('button', { type: 'submit', class: 'primary' }, 'Change password')),
  );
  new FormRunner(form, 'change your password').onSubmit(async () => {
    status.clear();
    await call('POST', '/api/me/password', { current: valueOf(form, 'current'), password: valueOf(form, 'password') });
    form.reset();
    status.ok('Your password is changed, and your other sessions are signed out.');
  });
  section.body.append(form, status.element);
  return section.element;
}

function personalTokens(me: Me): HTMLElement {
  const section = new Section('personal-tokens', 'Personal API tokens',
    h('p', { class: 'lead-in' }, 'A personal token acts as you do at each use: your role and clients as they are then. Revoke one to stop it at once.'));
  if (!me.may.createTokens || me.userId === null) {
    section.body.append(noAccount(me, 'personal tokens'));
    return section.element;
  }
  const status = new StatusLine();
  const secretSlot = h('div', { class: 'secret-slot' });
  const list = new Loaded({ id: 'my-tokens' });
  const load = () => list.fill('list your tokens', async () => {
    const tokens = await call<Token[]>('GET', '/api/tokens');
    const mine = tokens.filter((t) => t.kind === 'personal' && t.ownerEmail === me.label);
    return [tokenTable(mine, { showOwner: false, status, changed: () => void load() })];
  });
  const form = tokenForm({ kind: 'personal', secretSlot, created: () => void load() });
  section.body.append(form, secretSlot, status.element, h('h4', {}, 'Your tokens'), list.element);
  void load();
  return section.element;
}
