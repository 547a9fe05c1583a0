import { h } from '../app/dom.ts';
import type { ClientRole, Me, Role } from './api.ts';

/** "2024-04-08 02:00:07 UTC": the settings pages show instants in UTC, as the audit log's filters take them. */
export function utc(iso: string): string {
  const at = new Date(iso);
  if (Number.isNaN(at.getTime())) return iso;
  return `${at.toISOString().slice(0, 19).replace('T', ' ')} UTC`;
}

/** An instant as a `<time>` (its exact value in `datetime`), or `never` when there is none. */
export const when = (iso: string | null, never = '—') => (iso ? h('time', { datetime: iso }, utc(iso)) : never);

export const ROLE_NAMES: Record<Role, string> = { admin: 'Admin', operator: 'Operator', member: 'Client member' };
export const CLIENT_ROLE_NAMES: Record<ClientRole, string> = { viewer: 'viewer', editor: 'editor' };

/** "Client alpha (viewer), Client beta (editor)", or "every client". */
export function clientsText(clients: Record<string, ClientRole>, allClients: boolean, names: Map<string, string>): string {
  if (allClients) return 'every client';
  const entries = Object.entries(clients);
  if (entries.length === 0) return '—';
  return entries.map(([id, role]) => `${names.get(id) ?? id} (${CLIENT_ROLE_NAMES[role]})`).join(', ');
}

/** Client id → name, of the clients `me` may see. */
export const clientNames = (me: Me) => new Map(me.clients.map((c) => [c.id, c.name]));
