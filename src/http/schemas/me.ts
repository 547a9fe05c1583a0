import { Type, type Static } from 'typebox';
import { capabilitiesOf } from '../../access/permissions.ts';
import { visibleOf, type Principal } from '../../access/principal.ts';
import type { ClientLookup } from '../../tenants/clientRegistry.ts';
import { Nullable } from './common.ts';

export const RoleSchema = Type.Union([Type.Literal('admin'), Type.Literal('operator'), Type.Literal('member')]);
export const ClientRoleSchema = Type.Union([Type.Literal('viewer'), Type.Literal('editor')]);

/** `GET /api/me`: who is asking, and what they may see (never a credential). */
export const MeBody = Type.Object({
  kind: Type.Union([Type.Literal('user'), Type.Literal('token'), Type.Literal('key'), Type.Literal('open')]),
  label: Type.String({ description: 'the email, token name or key variable' }),
  userId: Nullable(Type.String()),
  role: RoleSchema,
  allClients: Type.Boolean(),
  clients: Type.Array(Type.Object({
    id: Type.String(),
    name: Type.String(),
    role: Type.Union([Type.Literal('viewer'), Type.Literal('editor'), Type.Literal('all')]),
  })),
  may: Type.Object({
    managePeople: Type.Boolean({ description: 'list, invite and change people (admins: everyone; operators: members of their clients)' }),
    manageClients: Type.Boolean({ description: 'create, change and remove clients (/api/admin/clients)' }),
    readAudit: Type.Boolean({ description: 'read and export the audit log' }),
    createTokens: Type.Boolean({ description: 'create API tokens: a signed-in person only (not a key, a token or the open demo)' }),
    manageTokens: Type.Boolean({ description: 'see and revoke tokens beyond your own personal ones' }),
    serviceTokenClients: Type.Array(Type.String(), { description: 'the clients whose service tokens you manage' }),
    manageChannels: Type.Boolean({ description: 'notification channels (email, webhooks) for the clients you see' }),
    readOutbox: Type.Boolean({ description: 'read the outbox of every email the platform sent or kept' }),
  }, { description: 'what the pages offer you; every request is still checked' }),
});

export function meOf(principal: Principal, ctx: { clients: ClientLookup }): Static<typeof MeBody> {
  const visible = visibleOf(principal, ctx.clients.list());
  return {
    kind: principal.actor.kind,
    label: principal.actor.label,
    userId: principal.userId,
    role: principal.role,
    allClients: principal.clients === 'all',
    clients: visible.map((c) => ({
      id: c.id, name: c.name, role: principal.clients === 'all' ? 'all' as const : principal.clients.get(c.id)!,
    })),
    may: capabilitiesOf(principal, visible.map((c) => c.id)),
  };
}
