import type { ClientRole, Principal, Role } from './principal.ts';

/**
 * What each role may do, in one place. Admins run the platform; operators work on (and invite members for) the
 * clients they see; members see one client, and its editors may manage that client's service tokens. Where a
 * principal may not act on a client it cannot see, the answer is "not found", never "forbidden".
 */
export const isAdmin = (p: Principal) => p.role === 'admin';

/** People, clients, settings and the audit log. */
export const mayManagePlatform = isAdmin;

/** Who may invite a person with `role` (for `clientId` when a member, or assigned operator). */
export function mayInvite(p: Principal, role: Role, clientIds: readonly string[]): boolean {
  if (p.actor.kind === 'token' && p.userId === null) return false; // a service token invites nobody
  if (isAdmin(p)) return true;
  if (p.role !== 'operator' || role !== 'member') return false; // operators never make operators or admins
  return clientIds.length === 1 && (p.clients === 'all' || p.clients.has(clientIds[0]!));
}

/** Whether `p` holds `role` (or better) in `clientId`: admins and all-client operators everywhere. */
export function clientRoleOf(p: Principal, clientId: string): ClientRole | 'all' | null {
  if (p.clients === 'all') return 'all';
  return p.clients.get(clientId) ?? null;
}

/** Service tokens of a client: admins, operators who see it, and its editors. */
export function mayManageClientTokens(p: Principal, clientId: string): boolean {
  const role = clientRoleOf(p, clientId);
  if (role === null) return false;
  return p.role !== 'member' || role === 'editor';
}

/** A client's alert rules: admins, and the operators who see it. */
export const mayManageAlerts = (p: Principal, clientId: string) => p.role !== 'member' && clientRoleOf(p, clientId) !== null;

/** People: admins everyone, operators the members of their clients; members (and service tokens) nobody. */
export const mayManagePeople = (p: Principal) => p.role !== 'member';

/**
 * Tokens are created by a signed-in person only: a leaked token or key must not outlive its revocation by minting
 * successors, and the open demo admin is nobody in particular.
 */
export const mayCreateTokens = (p: Principal) => p.actor.kind === 'user' && p.userId !== null;

/**
 * Notification channels: admins and operators (members and service tokens never). An operator's channels listen for
 * clients it sees only; one listening for every client (and the portfolio) needs an admin or an all-client operator.
 */
export const mayManageChannels = (p: Principal) => p.role !== 'member' && !(p.actor.kind === 'token' && p.userId === null);

export function mayUseChannel(p: Principal, clientIds: readonly string[] | null): boolean {
  if (!mayManageChannels(p)) return false;
  if (p.clients === 'all') return true;
  return clientIds !== null && clientIds.length > 0 && clientIds.every((id) => (p.clients as ReadonlyMap<string, unknown>).has(id));
}

/** What the pages offer a principal, from the rules above (`GET /api/me` answers it; the API still decides each request). */
export interface Capabilities {
  managePeople: boolean;
  manageClients: boolean;
  readAudit: boolean;
  createTokens: boolean;
  /** The clients (of `clientIds`) whose service tokens `p` manages. */
  serviceTokenClients: string[];
  /** The tokens page: admins (every token), and whoever manages some client's service tokens. */
  manageTokens: boolean;
  /** Notification channels (email, webhooks): admins and operators. */
  manageChannels: boolean;
  /** The outbox of every email: admins. */
  readOutbox: boolean;
}

export function capabilitiesOf(p: Principal, clientIds: readonly string[]): Capabilities {
  const serviceTokenClients = clientIds.filter((id) => mayManageClientTokens(p, id));
  return {
    managePeople: mayManagePeople(p),
    manageClients: mayManagePlatform(p),
    readAudit: mayManagePlatform(p),
    createTokens: mayCreateTokens(p),
    serviceTokenClients,
    manageTokens: isAdmin(p) || serviceTokenClients.length > 0,
    manageChannels: mayManageChannels(p),
    readOutbox: mayManagePlatform(p),
  };
}
