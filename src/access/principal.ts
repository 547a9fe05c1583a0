/** What a person may do: admins run the platform, operators work on clients, members see one client's data. */
export type Role = 'admin' | 'operator' | 'member';
export const ROLES: readonly Role[] = ['admin', 'operator', 'member'];
/** A member's (or assigned operator's) role within one client: editors may change what later issues let them. */
export type ClientRole = 'viewer' | 'editor';
export const CLIENT_ROLES: readonly ClientRole[] = ['viewer', 'editor'];

/** Who is asking, however they proved it. */
export interface Principal {
  /** For the audit log: a person, an API token, a legacy key, or the open demo. */
  actor: { kind: 'user' | 'token' | 'key' | 'open'; id: string | null; label: string };
  role: Role;
  /** The person behind it (a personal token's owner too); null for service tokens, legacy keys and the open demo. */
  userId: string | null;
  /** The clients it may see: every one, or these, with the role in each. */
  clients: 'all' | ReadonlyMap<string, ClientRole>;
  /** A browser session (a cookie): state-changing requests must then come from our own origin. */
  via: 'session' | 'bearer' | 'open';
}

export function canSee(principal: Principal, clientId: string): boolean {
  return principal.clients === 'all' || principal.clients.has(clientId);
}

/** The clients a principal may see, of `all`. */
export function visibleOf<T extends { id: string }>(principal: Principal, all: readonly T[]): T[] {
  return all.filter((client) => canSee(principal, client.id));
}

/** The open platform (no credential configured, or demo data): everyone is the demo admin, and pages say so. */
export const OPEN_PRINCIPAL: Principal = {
  actor: { kind: 'open', id: null, label: 'demo admin (open platform)' }, role: 'admin', userId: null, clients: 'all', via: 'open',
};
