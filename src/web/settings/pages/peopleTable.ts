import { h } from '../../app/dom.ts';
import { call, type Person } from '../api.ts';
import { actions, FormRunner } from '../forms.ts';
import { clientNames, clientsText, ROLE_NAMES } from '../format.ts';
import { GrantFields } from './grantFields.ts';
import { personActions, type PersonActionContext } from './personActions.ts';

const stateOf = (person: Person) => (person.disabled ? 'Disabled' : person.hasPassword ? 'Active' : 'No password yet');

/** Everyone `me` manages, each with what can be done to them (nothing to oneself: that is the account page). */
export function peopleTable(people: Person[], context: PersonActionContext): HTMLElement {
  const names = clientNames(context.me);
  const body = h('tbody', {});
  for (const person of people) {
    const self = person.id === context.me.userId;
    const editRow = h('tr', { class: 'editor-row', hidden: true });
    const change = h('button', { type: 'button', 'aria-label': `Change role or clients of ${person.email}`, 'aria-expanded': 'false' }, 'Change…');
    change.addEventListener('click', () => {
      const open = editRow.hidden;
      editRow.hidden = !open;
      change.setAttribute('aria-expanded', String(open));
      if (open) editRow.replaceChildren(h('td', { colspan: 6 }, editor(person, context)));
    });
    body.append(
      h('tr', { 'data-person': person.email, 'data-state': stateOf(person).toLowerCase() },
        h('th', { scope: 'row' }, person.email, self ? h('span', { class: 'badge' }, 'you') : null),
        h('td', {}, person.name || '—'),
        h('td', { 'data-role': person.role }, ROLE_NAMES[person.role]),
        h('td', {}, clientsText(person.clients, person.role === 'admin' || person.allClients, names)),
        h('td', { class: 'person-state' }, stateOf(person)),
        h('td', {}, h('div', { class: 'row-actions' }, ...(self ? [] : [change, ...personActions(person, context)]))),
      ),
      editRow,
    );
  }
  return h('div', { class: 'table-scroll' }, h('table', { class: 'people' },
    h('thead', {}, h('tr', {}, ...['Email', 'Name', 'Role', 'Clients', 'Status', ''].map((label) => h('th', { scope: 'col' }, label)))),
    body,
  ));
}

/** Changes a person's role and clients (`PATCH /api/users/{id}`). */
function editor(person: Person, context: PersonActionContext): HTMLFormElement {
  const grant = new GrantFields(context.me, { role: person.role, clients: person.clients, allClients: person.allClients });
  const form = h('form', { class: 'settings-form', 'data-form': 'change-person', 'aria-label': `Change ${person.email}` },
    grant.element,
    actions(h('button', { type: 'submit', class: 'primary' }, 'Save')),
  );
  new FormRunner(form, 'change this person').onSubmit(async () => {
    const { role, clients, allClients } = grant.value();
    await call('PATCH', `/api/users/${encodeURIComponent(person.id)}`,
      role === 'admin' ? { role } : { role, allClients, ...(allClients ? {} : { clients }) });
    context.status.ok(`${person.email} is now ${ROLE_NAMES[role].toLowerCase()}${role === 'admin' ? '' : ` of ${allClients ? 'every client' : clientsText(clients, false, clientNames(context.me))}`}.`);
    context.changed();
  });
  return form;
}
