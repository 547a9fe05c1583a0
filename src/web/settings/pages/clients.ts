import { h } from '../../app/dom.ts';
import { call, type AdminClient } from '../api.ts';
import { StatusLine } from '../notice.ts';
import { clientForm } from './clientForm.ts';
import { confirmed, Section, type PageContext } from './page.ts';

/** Clients: those the registry file provides (read-only here) and those managed in the product, with a form for either. */
export function clientsPage({ me }: PageContext): HTMLElement {
  const status = new StatusLine();
  const list = new Section('clients', 'Clients');
  const editor = new Section('client-editor', 'Add a client');
  const heading = editor.element.querySelector('h3')!;
  const add = h('button', { type: 'button', class: 'primary' }, 'Add a client');

  const load = () => list.fill('see the clients', async () => [clientsTable(await call<AdminClient[]>('GET', '/api/admin/clients'))]);
  const close = () => {
    editor.element.hidden = true;
    editor.body.replaceChildren();
    add.hidden = !me.may.manageClients; // the API would refuse, and the list says so
  };
  const open = (client: AdminClient | null) => {
    heading.textContent = client ? `Change ${client.name}` : 'Add a client';
    editor.body.replaceChildren(clientForm({
      client,
      cancel: close,
      saved: (saved, created) => {
        close();
        status.ok(`${created ? 'Created' : 'Saved'} ${saved.name}: it is served now. `, h('a', { href: `/${encodeURIComponent(saved.id)}/dashboard` }, `Open the ${saved.name} dashboard`));
        void load();
      },
    }));
    editor.element.hidden = false;
    add.hidden = true;
    editor.element.querySelector<HTMLInputElement>('input:not([type=hidden])')?.focus();
  };
  add.addEventListener('click', () => open(null));
  close();

  function clientsTable(clients: AdminClient[]): HTMLElement {
    if (clients.length === 0) return h('p', { class: 'empty' }, 'No client yet: add the first one.');
    return h('div', { class: 'table-scroll' }, h('table', { class: 'clients' },
      h('thead', {}, h('tr', {}, ...['Client', 'Time zone', 'Source', 'Database', 'Status', ''].map((label) => h('th', { scope: 'col' }, label)))),
      h('tbody', {}, ...clients.map((client) => h('tr', { 'data-client': client.id, 'data-provenance': client.provenance },
        h('th', { scope: 'row' }, client.name, h('br'), h('small', {}, client.id, client.domain ? ` · ${client.domain}` : '')),
        h('td', {}, client.timezone),
        h('td', {}, client.readOnly
          ? h('span', { class: 'badge file', title: 'Provisioned from the registry file: change it there (the file wins)' }, 'from clients.json')
          : h('span', { class: 'badge product' }, 'managed here')),
        h('td', {}, client.hasDatabase ? 'configured' : 'none'),
        h('td', { class: 'client-state' }, client.disabled ? 'Disabled' : client.problem ? h('span', { class: 'problem' }, client.problem) : 'Serving'),
        h('td', {}, h('div', { class: 'row-actions' }, ...rowActions(client))),
      ))),
    ));
  }

  function rowActions(client: AdminClient): HTMLElement[] {
    const dashboard = client.disabled ? null : h('a', { class: 'button', href: `/${encodeURIComponent(client.id)}/dashboard` }, 'Dashboard');
    if (client.readOnly) return [dashboard, h('span', { class: 'note' }, 'read-only: change it in clients.json')].filter((x): x is HTMLElement => x !== null);
    const button = (label: string, run: () => Promise<string>, ask?: string) => {
      const b = h('button', { type: 'button', 'aria-label': `${label} ${client.name}` }, label);
      b.addEventListener('click', () => {
        if (ask && !confirmed(ask)) return;
        b.disabled = true;
        run().then((said) => {
          status.ok(said);
          void load();
        }, (error: unknown) => {
          b.disabled = false;
          status.failed(error, `${label.toLowerCase()} this client`);
        });
      });
      return b;
    };
    const path = `/api/admin/clients/${encodeURIComponent(client.id)}`;
    const edit = h('button', { type: 'button', 'aria-label': `Change ${client.name}` }, 'Change…');
    edit.addEventListener('click', () => open(client));
    return [
      ...(dashboard ? [dashboard] : []),
      edit,
      button(client.disabled ? 'Enable' : 'Disable', async () => {
        await call('PATCH', path, { disabled: !client.disabled });
        return client.disabled ? `${client.name} is served again.` : `${client.name} is disabled: it is not served, and holds no connections.`;
      }, client.disabled ? undefined : `Disable ${client.name}? Its dashboard and API answer 404 until it is enabled again.`),
      button('Delete', async () => {
        await call('DELETE', path);
        return `${client.name} is deleted, with its saved database URL.`;
      }, `Delete ${client.name}? It is no longer served and its saved database URL is deleted. Its own database is not touched.`),
    ];
  }

  void load();
  return h('div', { class: 'page' }, h('div', { class: 'page-actions' }, add), status.element, editor.element, list.element);
}
