import { h } from '../../app/dom.ts';
import { call, type Invitation, type Me, type Person } from '../api.ts';
import { clientNames, clientsText, ROLE_NAMES, when } from '../format.ts';
import { StatusLine } from '../notice.ts';
import { inviteForm } from './inviteForm.ts';
import { confirmed, Section, type PageContext } from './page.ts';
import { peopleTable } from './peopleTable.ts';

/** People: invite someone, the invitations still pending, and everyone `me` manages (admins: everyone). */
export function peoplePage({ me }: PageContext): HTMLElement {
  const status = new StatusLine();
  const secretSlot = h('div', { class: 'secret-slot' });
  const people = new Section('people', 'People');
  const pending = new Section('invitations', 'Pending invitations');
  const invite = new Section('invite', 'Invite a person',
    h('p', { class: 'lead-in' }, 'They get a link that works once, for 48 hours, to choose their name and password.'));

  const load = () => Promise.all([
    people.fill('see the people', async () => [peopleTable(await call<Person[]>('GET', '/api/users'), { me, status, secretSlot, changed: load })]),
    pending.fill('see the invitations', async () => [invitationsTable(await call<Invitation[]>('GET', '/api/invitations'), me, status, load)]),
  ]).then(() => undefined);

  if (me.may.managePeople) invite.body.append(inviteForm(me, secretSlot, () => void load()));
  else invite.element.hidden = true; // the API refuses (and the sections below say so)
  void load();
  return h('div', { class: 'page' }, invite.element, status.element, secretSlot, pending.element, people.element);
}

function invitationsTable(invitations: Invitation[], me: Me, status: StatusLine, changed: () => void): HTMLElement {
  if (invitations.length === 0) return h('p', { class: 'empty' }, 'No invitation is pending.');
  const names = clientNames(me);
  return h('div', { class: 'table-scroll' }, h('table', { class: 'invitations' },
    h('thead', {}, h('tr', {}, ...['Email', 'Role', 'Clients', 'Invited by', 'Link works until', ''].map((label) => h('th', { scope: 'col' }, label)))),
    h('tbody', {}, ...invitations.map((invitation) => {
      const withdraw = h('button', { type: 'button', 'aria-label': `Withdraw the invitation of ${invitation.email}` }, 'Withdraw');
      withdraw.addEventListener('click', () => {
        if (!confirmed(`Withdraw the invitation of ${invitation.email}? Its link stops working at once.`)) return;
        withdraw.disabled = true;
        call('DELETE', `/api/invitations/${encodeURIComponent(invitation.id)}`).then(
          () => {
            status.ok(`The invitation of ${invitation.email} is withdrawn.`);
            changed();
          },
          (error: unknown) => {
            withdraw.disabled = false;
            status.failed(error, 'withdraw this invitation');
          },
        );
      });
      return h('tr', { 'data-invitation': invitation.email },
        h('th', { scope: 'row' }, invitation.email),
        h('td', {}, ROLE_NAMES[invitation.role]),
        h('td', {}, clientsText(invitation.clients, invitation.allClients, names)),
        h('td', {}, invitation.invitedBy.label),
        h('td', {}, when(invitation.expiresAt)),
        h('td', {}, withdraw),
      );
    })),
  ));
}
