import type { User } from '../../src/access/users.ts';
import { createStoredClient } from '../../src/tenants/clientStore.ts';
import type { AccessWorld, Actor } from './accessWorld.ts';
import { runtimeOf } from './buildTestApp.ts';

/** What the access matrix's cells act on, made fresh for each cell: people, invitations, tokens and clients. */

const row = async (world: AccessWorld, sql: string, values: unknown[]) => (await world.db.query(sql, values)).rows;

// ---- people -------------------------------------------------------------------------------------------------

export const PERSON_TARGETS = ['alpha member', 'beta member', 'an operator', 'an admin', 'self'] as const;

export async function personTarget(world: AccessWorld, actor: Actor, target: string): Promise<User> {
  switch (target) {
    case 'alpha member': return world.person('member', { alpha: 'viewer' }, false, 'target-alpha');
    case 'beta member': return world.person('member', { beta: 'viewer' }, false, 'target-beta');
    case 'an operator': return world.person('operator', {}, true, 'target-operator');
    case 'an admin': return world.person('admin', {}, false, 'target-admin');
    default: return actor.person ?? world.person('admin', {}, false, 'target-self'); // a removed person's self is gone
  }
}

// ---- invitations --------------------------------------------------------------------------------------------

export const INVITEES: Record<string, { role: 'member' | 'operator' | 'admin'; clientIds?: string[]; allClients?: boolean }> = {
  'a member of alpha': { role: 'member', clientIds: ['alpha'] },
  'a member of beta': { role: 'member', clientIds: ['beta'] },
  'an operator': { role: 'operator', allClients: true },
  'an admin': { role: 'admin' },
};
export const PENDING: Record<string, { role: 'member' | 'operator' | 'admin'; clients?: Record<string, 'viewer'>; allClients?: boolean }> = {
  "alpha member's": { role: 'member', clients: { alpha: 'viewer' } },
  "beta member's": { role: 'member', clients: { beta: 'viewer' } },
  "an operator's": { role: 'operator', allClients: true },
  "an admin's": { role: 'admin' },
};
export const INVITATION_TARGETS = Object.keys(PENDING);

// ---- tokens -------------------------------------------------------------------------------------------------

export const NEW_TOKENS: Record<string, { kind: 'personal' | 'service'; clientId?: string }> = {
  personal: { kind: 'personal' }, 'service for alpha': { kind: 'service', clientId: 'alpha' }, 'service for beta': { kind: 'service', clientId: 'beta' },
};
export const TOKEN_TARGETS = ['own personal', "another person's personal", 'alpha service', 'beta service'] as const;

export async function tokenTarget(world: AccessWorld, actor: Actor, target: string) {
  switch (target) {
    case 'own personal': return world.token({ personal: actor.person ?? await world.person('admin', {}, false, 'token-self') });
    case "another person's personal": return world.token({ personal: await world.person('member', { alpha: 'viewer' }, false, 'token-holder') });
    case 'alpha service': return world.token({ service: 'alpha' });
    default: return world.token({ service: 'beta' });
  }
}

// ---- clients ------------------------------------------------------------------------------------------------

export const CLIENT_TARGETS = ['a client managed in the product', 'a client from the registry file'] as const;

export async function clientTarget(world: AccessWorld, target: string): Promise<string> {
  if (target === 'a client from the registry file') return 'alpha';
  const id = world.unique('product');
  await createStoredClient(world.db, null, { id, name: 'Product client', domain: null, timezone: 'UTC', branding: { primaryColor: '#123456', logoUrl: null }, grafanaOrgId: null, database: null });
  await runtimeOf(world.app).managedClients.reload('a test made a client'); // served from now on, whatever else reloads
  return id;
}

export const clientState = async (world: AccessWorld, id: string) => ({
  stored: await row(world, 'SELECT name FROM tenants.clients WHERE id = $1', [id]),
  served: runtimeOf(world.app).registry.get(id)?.name ?? null,
});
