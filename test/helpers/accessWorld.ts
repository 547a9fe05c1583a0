import { createHash } from 'node:crypto';
import type { FastifyInstance, LightMyRequestResponse } from 'fastify';
import { createInvitation, createReset, type Invitation } from '../../src/access/invitations.ts';
import { hashPassword } from '../../src/access/passwords.ts';
import type { ClientRole, Role } from '../../src/access/principal.ts';
import { createToken, type Token } from '../../src/access/tokens.ts';
import { createUser, userById, type User } from '../../src/access/users.ts';
import { SESSION_COOKIE } from '../../src/http/session.ts';
import { ALPHA, BETA, loadChatFixture } from '../fixtures/chatFixture.ts';
import { bearer, buildTestApp, KEYS, runtimeOf, testClient, type TestAppOptions } from './buildTestApp.ts';
import { PERSON_PASSWORD } from './secrets.ts';
import { SAME_ORIGIN } from './sessionCookies.ts';
import { createTestDatabase, type TestDatabase } from './testDatabase.ts';

/**
 * The people, tokens, keys and dead credentials the access tests act as, against two clients (alpha, beta) whose
 * chatbot data lives in one database (a schema each). Everything is made straight in the platform database, fresh
 * whenever a test asks, so that tests acting on the same kind of principal never share one.
 */
export const LIVE = [
  'admin', 'operator (all clients)', 'operator (alpha)', 'alpha viewer', 'alpha editor', 'beta viewer',
  "alpha viewer's personal token", 'alpha service token', 'admin key', 'alpha key',
] as const;
/** Credentials that no longer (or never did) prove anyone — an admin's, where they were anyone's. */
export const DEAD = [
  'revoked token', 'expired token', "removed person's session", "disabled person's session", 'signed-out session',
  'expired invitation link', 'none',
] as const;
export const PRINCIPALS = [...LIVE, ...DEAD] as const;
export type Live = (typeof LIVE)[number];
export type PrincipalName = (typeof PRINCIPALS)[number];

export interface Actor {
  name: PrincipalName;
  /** What its requests carry: a cookie (with our own Origin, as our pages send it), a bearer credential, or nothing. */
  headers: Record<string, string>;
  /** The person behind it (a personal token's owner too, or the person a dead credential was of), or null. */
  person: User | null;
  /** A session's cookie value, to look it up. */
  session: string | null;
}

export interface Request {
  method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
  url: string;
  payload?: object;
}

export const UNKNOWN_ID = '00000000-0000-4000-8000-00000000dead';
const by = { id: null, label: 'the access tests' };
const userOf = async (world: AccessWorld, id: string) => (await userById(world.db, id))!;
const digest = (value: string) => createHash('sha256').update(value).digest();

export class AccessWorld {
  private count = 0;

  private constructor(readonly app: FastifyInstance, readonly clientData: TestDatabase, private readonly passwordHash: string) {}

  static async start(label: string, options: TestAppOptions = {}): Promise<AccessWorld> {
    const clientData = await createTestDatabase(`${label}_clients`);
    const fixture = { kind: 'timestamp', chat: { role: 'role', text: 'message' }, leadSource: 'source' } as const;
    await loadChatFixture(clientData.pool, 'alpha', { ...fixture, data: ALPHA });
    await loadChatFixture(clientData.pool, 'beta', { ...fixture, data: BETA });
    const app = await buildTestApp([
      testClient('alpha', 'Australia/Sydney', clientData.url, 'alpha'), testClient('beta', 'Australia/Sydney', clientData.url, 'beta'),
    ], { admin: KEYS.admin, clients: { alpha: KEYS.alpha }, ...options });
    return new AccessWorld(app, clientData, await hashPassword(PERSON_PASSWORD));
  }

  async close(): Promise<void> {
    await this.app.close();
    await this.clientData.drop();
  }

  get db() {
    return runtimeOf(this.app).platform.pool;
  }

  /** A name no other call of this world returns. */
  unique(prefix: string): string {
    return `${prefix}-${++this.count}`;
  }

  /** A person with PERSON_PASSWORD; `label` goes into the email. */
  async person(role: Role, clients: Record<string, ClientRole> = {}, allClients = false, label: string = role): Promise<User> {
    const email = `${this.unique(label.replace(/[^a-z0-9]+/gi, '-').toLowerCase())}@people.example`;
    const user = await createUser(this.db, { email, name: label, role, allClients, clients, passwordHash: this.passwordHash });
    if (!user) throw new Error(`${email} exists already`);
    return user;
  }

  /** A live session of `user`: its cookie value. */
  async session(user: User): Promise<string> {
    return (await runtimeOf(this.app).access.startSession({ userId: user.id })).token;
  }

  async token(spec: { personal: User } | { service: string }, expiresAt: Date | null = null): Promise<{ secret: string; token: Token }> {
    const name = this.unique('token');
    return createToken(this.db, 'personal' in spec
      ? { kind: 'personal', userId: spec.personal.id, name, expiresAt, createdBy: spec.personal.id }
      : { kind: 'service', clientId: spec.service, name, expiresAt, createdBy: null });
  }

  /** A pending invitation (or one whose 48 hours are over). */
  async invitation(grant: { role: Role; clients?: Record<string, ClientRole>; allClients?: boolean }, expired = false): Promise<{ invitation: Invitation; token: string }> {
    const email = `${this.unique('invited')}@people.example`;
    const made = await createInvitation(this.db, { email, role: grant.role, clients: grant.clients ?? {}, allClients: grant.allClients ?? false }, by);
    if (expired) await this.db.query(`UPDATE access.invitations SET expires_at = now() - interval '1 minute' WHERE id = $1`, [made.invitation.id]);
    return made;
  }

  /** A live password-reset link of `user` (or an expired one). */
  async reset(user: User, expired = false): Promise<{ invitation: Invitation; token: string }> {
    const made = await createReset(this.db, user, by, 3_600_000);
    if (expired) await this.db.query(`UPDATE access.invitations SET expires_at = now() - interval '1 minute' WHERE id = $1`, [made.invitation.id]);
    return made;
  }

  async sessionExists(session: string): Promise<boolean> {
    return (await this.db.query('SELECT 1 FROM access.sessions WHERE id_hash = $1', [digest(session)])).rows.length > 0;
  }

  /** As a page of this site sends it (cross-site requests are refused, and tested, elsewhere). */
  inject(actor: Actor | null, request: Request, extra: Record<string, string> = {}): Promise<LightMyRequestResponse> {
    const { method, url, payload } = request;
    return this.app.inject({ method, url, headers: { ...SAME_ORIGIN, ...actor?.headers, ...extra }, ...(payload ? { payload } : {}) });
  }

  private async browser(name: PrincipalName, person: User): Promise<Actor> {
    const session = await this.session(person);
    return { name, headers: { cookie: `${SESSION_COOKIE}=${session}` }, person, session };
  }

  private async admin(action: Request): Promise<void> {
    const res = await this.inject(null, action, bearer(KEYS.admin));
    if (res.statusCode >= 300) throw new Error(`${action.method} ${action.url} failed: ${res.statusCode} ${res.body}`);
  }

  /** A fresh principal of that name: its own person, session or token. */
  async actor(name: PrincipalName): Promise<Actor> {
    const withBearer = (secret: string, person: User | null): Actor => ({ name, headers: bearer(secret), person, session: null });
    switch (name) {
      case 'admin': return this.browser(name, await this.person('admin'));
      case 'operator (all clients)': return this.browser(name, await this.person('operator', {}, true, 'operator-all'));
      case 'operator (alpha)': return this.browser(name, await this.person('operator', { alpha: 'viewer' }, false, 'operator-alpha'));
      case 'alpha viewer': return this.browser(name, await this.person('member', { alpha: 'viewer' }, false, 'alpha-viewer'));
      case 'alpha editor': return this.browser(name, await this.person('member', { alpha: 'editor' }, false, 'alpha-editor'));
      case 'beta viewer': return this.browser(name, await this.person('member', { beta: 'viewer' }, false, 'beta-viewer'));
      case "alpha viewer's personal token": {
        const owner = await this.person('member', { alpha: 'viewer' }, false, 'token-owner');
        return withBearer((await this.token({ personal: owner })).secret, owner);
      }
      case 'alpha service token': return withBearer((await this.token({ service: 'alpha' })).secret, null);
      case 'admin key': return withBearer(KEYS.admin, null);
      case 'alpha key': return withBearer(KEYS.alpha, null);
      case 'revoked token': {
        const { secret, token } = await this.token({ personal: await this.person('admin', {}, false, 'revoked-owner') });
        await this.admin({ method: 'DELETE', url: `/api/tokens/${token.id}` });
        return withBearer(secret, await userOf(this, token.userId!));
      }
      case 'expired token': {
        const { secret, token } = await this.token({ personal: await this.person('admin', {}, false, 'expired-owner') });
        await this.db.query(`UPDATE access.tokens SET expires_at = now() - interval '1 second' WHERE id = $1`, [token.id]);
        return withBearer(secret, await userOf(this, token.userId!));
      }
      case "removed person's session": {
        const actor = await this.browser(name, await this.person('admin', {}, false, 'removed'));
        await this.admin({ method: 'DELETE', url: `/api/users/${actor.person!.id}` });
        return { ...actor, person: null };
      }
      case "disabled person's session": {
        const actor = await this.browser(name, await this.person('admin', {}, false, 'disabled'));
        await this.admin({ method: 'PATCH', url: `/api/users/${actor.person!.id}`, payload: { disabled: true } });
        return actor;
      }
      case 'signed-out session': {
        const actor = await this.browser(name, await this.person('admin', {}, false, 'signed-out'));
        const out = await this.inject(actor, { method: 'DELETE', url: '/api/session' });
        if (out.statusCode !== 204) throw new Error(`sign-out failed: ${out.statusCode}`);
        return actor;
      }
      case 'expired invitation link': // holds a link and nothing else: the link routes use an expired one
      case 'none':
        return { name, headers: {}, person: null, session: null };
    }
  }
}
