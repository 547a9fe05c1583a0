import type { Queryable } from '../db/queryable.ts';
import type { KeyRing } from './apiKeys.ts';
import { verifyPassword } from './passwords.ts';
import { OPEN_PRINCIPAL, type Principal } from './principal.ts';
import { createSession, endSession, findSession, type SessionOwner, type SessionSettings } from './sessions.ts';
import { findTokenBySecret, TOKEN_PREFIX, type TokenGrant } from './tokens.ts';
import { countUsers, userWithHashByEmail, type User } from './users.ts';

/** How often "is anyone configured yet?" is asked again: a person added from a shell closes an open platform soon. */
const OPEN_CHECK_MS = 5000;

type PrincipalUser = Pick<User, 'id' | 'email' | 'role' | 'allClients' | 'clients'>;

/** A person as a principal: admins (and operators on every client) see all clients, others the ones they hold. */
export function principalOfUser(user: PrincipalUser, via: Principal['via'], actor: Principal['actor'] = { kind: 'user', id: user.id, label: user.email }): Principal {
  const all = user.role === 'admin' || (user.role === 'operator' && user.allClients);
  return { actor, role: user.role, userId: user.id, clients: all ? 'all' : new Map(Object.entries(user.clients)), via };
}

/**
 * A token as a principal: a personal token is its owner as they are now (their role and clients), a service token a
 * viewer of its one client; either is the token in the audit log and the rate limiter.
 */
export function principalOfToken(grant: TokenGrant): Principal {
  const actor: Principal['actor'] = { kind: 'token', id: grant.id, label: grant.name };
  if (grant.owner) return principalOfUser(grant.owner, 'bearer', actor);
  return { actor, role: 'member', userId: null, clients: new Map([[grant.clientId!, 'viewer']]), via: 'bearer' };
}

/**
 * Who is asking, from what they present — a bearer credential (an API token or a legacy key), or a browser session —
 * with no HTTP in it. The platform is open (everyone the demo admin) with demo data, or while no key and no person is
 * configured.
 */
export class Access {
  private someoneConfigured = false;
  private checkedAt = 0;
  private readonly tokenLookups = new Map<string, Promise<Principal | null>>();

  constructor(
    private readonly db: Queryable,
    readonly keys: KeyRing,
    readonly sessions: SessionSettings,
    private readonly demo: boolean,
  ) {}

  /** Reads whether any person exists (at start-up, then every few seconds as requests ask). */
  async refresh(): Promise<void> {
    this.checkedAt = Date.now();
    this.someoneConfigured = !this.keys.empty || (await countUsers(this.db)) > 0;
  }

  isOpen(): boolean {
    if (Date.now() - this.checkedAt > OPEN_CHECK_MS) void this.refresh().catch(() => {});
    return this.demo || !this.someoneConfigured;
  }

  openPrincipal(): Principal | null {
    return this.isOpen() ? OPEN_PRINCIPAL : null;
  }

  /** A bearer credential's principal — an API token (`cba_…`), else a legacy key — or null when it is no valid credential. */
  async bearer(credential: string): Promise<Principal | null> {
    if (credential.startsWith(TOKEN_PREFIX)) {
      // Concurrent requests with one token share the look-up in flight (an integration sends many at once); a
      // request that arrives after it finished looks again, so a revoked token still stops at once.
      let lookup = this.tokenLookups.get(credential);
      if (!lookup) {
        lookup = findTokenBySecret(this.db, credential).then((grant) => grant && principalOfToken(grant))
          .finally(() => this.tokenLookups.delete(credential));
        this.tokenLookups.set(credential, lookup);
      }
      return lookup;
    }
    return this.keys.principalFor(credential);
  }

  /** The principal of a live session cookie, or null. */
  async session(token: string): Promise<Principal | null> {
    const session = await findSession(this.db, token, this.sessions);
    if (!session) return null;
    if (session.user) return principalOfUser(session.user, 'session');
    const principal = session.keyFingerprint ? this.keys.principalForFingerprint(session.keyFingerprint) : null;
    return principal && { ...principal, via: 'session' };
  }

  /** The person with this email and password, or null; disabled people cannot sign in. Always costs one hash. */
  async checkPassword(email: string, password: string): Promise<User | null> {
    const found = await userWithHashByEmail(this.db, email);
    const valid = await verifyPassword(password, found?.passwordHash ?? null);
    return valid && found && !found.user.disabled ? found.user : null;
  }

  startSession(owner: SessionOwner): Promise<{ token: string; expiresAt: Date }> {
    return createSession(this.db, owner, this.sessions);
  }

  endSession(token: string): Promise<void> {
    return endSession(this.db, token);
  }
}
