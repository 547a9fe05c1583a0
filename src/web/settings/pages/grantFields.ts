import { h } from '../../app/dom.ts';
import type { ClientRole, Me, Role } from '../api.ts';
import { checkbox, field, select } from '../forms.ts';
import { ROLE_NAMES } from '../format.ts';

export interface Grant {
  role: Role;
  clients: Record<string, ClientRole>;
  allClients: boolean;
}

const ROLE_HINTS: Record<Role, string> = {
  admin: 'Admins manage people, clients, tokens and settings, and see every client.',
  operator: 'Operators work on every client, or on the ones chosen here, and invite their members.',
  member: "A client member sees one client's data: as a viewer, or as an editor who also manages its service tokens.",
};

/**
 * A role and the clients it holds, as an invitation gives them and a person's change sets them. Only what `me` may
 * give is offered (operators give members, admins anything); the API decides in the end and the form shows its answer.
 */
export class GrantFields {
  readonly element: HTMLElement;
  private readonly role: HTMLSelectElement;
  private readonly hint = h('p', { class: 'hint' });
  private readonly everything: ReturnType<typeof checkbox>;
  private readonly clientList: HTMLFieldSetElement;
  private readonly rows: { id: string; box: HTMLInputElement; role: HTMLSelectElement; element: HTMLElement }[];

  constructor(me: Me, initial: Grant = { role: 'member', clients: {}, allClients: false }) {
    const roles: Role[] = me.role === 'admin' ? ['admin', 'operator', 'member'] : ['member'];
    this.role = select('role', roles.map((r) => [r, ROLE_NAMES[r]] as const), initial.role);
    this.everything = checkbox('allClients', 'Every client, now and later', initial.allClients);
    this.rows = me.clients.map((client) => {
      const { element, box } = checkbox('client', client.name, client.id in initial.clients, { value: client.id });
      const role = select('clientRole', [['viewer', 'viewer'], ['editor', 'editor']], initial.clients[client.id] ?? 'viewer');
      role.setAttribute('aria-label', `Role in ${client.name}`);
      element.append(role);
      return { id: client.id, box, role, element };
    });
    this.clientList = h('fieldset', { class: 'client-choices', name: 'clients' },
      h('legend', {}, 'Clients'),
      me.role === 'admin' ? this.everything.element : null,
      h('div', { class: 'choices' }, ...this.rows.map((row) => row.element)),
    );
    this.element = h('div', { class: 'grant' }, field('Role', this.role), this.hint, this.clientList);
    this.role.addEventListener('change', () => this.refresh());
    this.everything.box.addEventListener('change', () => this.refresh());
    this.refresh();
  }

  /** Shows what the chosen role takes: admins no clients, operators every client or some, members one. */
  refresh(): void {
    const role = this.role.value as Role;
    this.hint.textContent = ROLE_HINTS[role];
    this.clientList.hidden = role === 'admin';
    this.everything.element.hidden = role !== 'operator';
    const all = role === 'operator' && this.everything.box.checked;
    for (const row of this.rows) row.element.hidden = all;
  }

  value(): Grant {
    const role = this.role.value as Role;
    const allClients = role === 'operator' && this.everything.box.checked;
    const clients = role === 'admin' || allClients ? {} : Object.fromEntries(this.rows.filter((r) => r.box.checked).map((r) => [r.id, r.role.value as ClientRole]));
    return { role, clients, allClients };
  }
}
