import { createHash } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FastifyRequest } from 'fastify';
import { hashPassword } from '../../src/access/passwords.ts';
import type { ClientRole, Role } from '../../src/access/principal.ts';
import { createUser, type User } from '../../src/access/users.ts';
import { rateLimitKey } from '../../src/http/security.ts';
import { SESSION_COOKIE } from '../../src/http/session.ts';
import { LOG_REDACT } from '../../src/main/logger.ts';
import { loadSydneyFixture } from '../fixtures/sydneyFixture.ts';
import { TOKEN_SECRET_PATTERN } from '../helpers/apiTokens.ts';
import { bearer, buildTestApp, KEYS, runtimeOf, testClient } from '../helpers/buildTestApp.ts';
import { SAME_ORIGIN } from '../helpers/sessionCookies.ts';
import { createTestDatabase, type TestDatabase } from '../helpers/testDatabase.ts';

/**
 * API tokens against real PostgreSQL: personal tokens act as their owner does now, service tokens read one client;
 * the secret is shown once and stored hashed; revocation, expiry, removing or disabling the owner stop a token at
 * the very next request; who may create, list and revoke which tokens; every field validated. Two clients with real
 * data (alpha, beta), a legacy admin key and an alpha client key.
 */
type App = Awaited<ReturnType<typeof buildTestApp>>;
let db: TestDatabase;
let app: App;
let passwordHash: string;
const logLines: string[] = [];
/** Every secret this file was given, to look for in the logs at the end. */
const secrets: string[] = [];
const PASSWORD = 'amber-harbour-lattice-9031';
const SECRET_SHAPE = { personal: /^cba_pat_[A-Za-z0-9_-]{43}$/, service: /^cba_svc_[A-Za-z0-9_-]{43}$/ };

let adminCookie: string;
let alphaViewer: { user: User; cookie: string };
let alphaEditor: { user: User; cookie: string };

beforeAll(async () => {
  db = await createTestDatabase('tokens');
  await loadSydneyFixture(db.pool, 'public', 'timestamp');
  app = await buildTestApp([testClient('alpha', 'Australia/Sydney', db.url), testClient('beta', 'Australia/Sydney', db.url)], {
    admin: KEYS.admin, clients: { alpha: KEYS.alpha }, logLines,
  });
  passwordHash = await hashPassword(PASSWORD);
  adminCookie = (await person('ada@agency.example', 'admin')).cookie;
  alphaViewer = await person('vera@alpha.example', 'member', { alpha: 'viewer' });
  alphaEditor = await person('ed@alpha.example', 'member', { alpha: 'editor' });
}, 60_000);
afterAll(async () => {
  await app?.close();
  await db?.drop();
});

/** A person created in the platform database, signed in through `POST /api/session`: their user and cookie. */
async function person(email: string, role: Role, clients: Record<string, ClientRole> = {}) {
  const user = await createUser(runtimeOf(app).platform.pool, { email, name: email.split('@')[0]!, role, allClients: false, clients, passwordHash });
  if (!user) throw new Error(`${email} exists already`);
  const res = await app.inject({ method: 'POST', url: '/api/session', payload: { email, password: PASSWORD }, headers: SAME_ORIGIN });
  const value = new RegExp(`${SESSION_COOKIE}=([^;]+)`).exec(String(res.headers['set-cookie'] ?? ''))?.[1];
  if (res.statusCode !== 200 || !value) throw new Error(`sign-in of ${email} failed: ${res.statusCode} ${res.body}`);
  return { user, cookie: `${SESSION_COOKIE}=${value}` };
}

const asBrowser = (cookie: string) => ({ cookie, ...SAME_ORIGIN });
const post = (body: object, headers: Record<string, string>) => app.inject({ method: 'POST', url: '/api/tokens', payload: body, headers });

/** Creates a token as the signed-in person behind `cookie`; returns the create answer (with the secret). */
async function mint(cookie: string, body: { name: string; kind: 'personal' | 'service'; clientId?: string; expiresAt?: string }) {
  const res = await post(body, asBrowser(cookie));
  if (res.statusCode !== 201) throw new Error(`creating a token failed: ${res.statusCode} ${res.body}`);
  const created = res.json<{ token: string; id: string; prefix: string; name: string; lastUsedAt: string | null }>();
  secrets.push(created.token);
  return created;
}

const funnel = (client: string, headers: Record<string, string>) =>
  app.inject({ method: 'GET', url: `/api/${client}/funnel?from=2024-04-06&to=2024-04-08`, headers });
const statusOf = async (client: string, secret: string) => (await funnel(client, bearer(secret))).statusCode;
const listAs = async (headers: Record<string, string>) => {
  const res = await app.inject({ method: 'GET', url: '/api/tokens', headers });
  expect(res.statusCode, res.body).toBe(200);
  return res.json<{ id: string; kind: string; name: string; clientId: string | null; ownerEmail: string | null; lastUsedAt: string | null; revokedAt: string | null }[]>();
};
const revoke = (id: string, headers: Record<string, string>) => app.inject({ method: 'DELETE', url: `/api/tokens/${id}`, headers });
const sql = <R extends Record<string, unknown>>(text: string, values: unknown[] = []) => runtimeOf(app).platform.pool.query<R>(text, values);

describe('what a token may read', () => {
  it('lets a personal token read exactly what its owner may: a member of alpha reads alpha, and beta is a 404 like an unknown client', async () => {
    const { token } = await mint(alphaViewer.cookie, { name: 'vera laptop script', kind: 'personal' });
    expect([await statusOf('alpha', token), await statusOf('beta', token), await statusOf('nobody', token)]).toEqual([200, 404, 404]);
    expect((await funnel('beta', bearer(token))).json().error.code).toBe((await funnel('nobody', bearer(token))).json().error.code);
    const clients = await app.inject({ method: 'GET', url: '/clients', headers: bearer(token) });
    expect(clients.json().map((c: { id: string }) => c.id)).toEqual(['alpha']);
    const me = (await app.inject({ method: 'GET', url: '/api/me', headers: bearer(token) })).json();
    expect(me).toMatchObject({ kind: 'token', label: 'vera laptop script', userId: alphaViewer.user.id, role: 'member', clients: [{ id: 'alpha', role: 'viewer' }] });
  });

  it('lets an admin\'s personal token read every client', async () => {
    const { token } = await mint(adminCookie, { name: 'ops dashboard', kind: 'personal' });
    expect([await statusOf('alpha', token), await statusOf('beta', token)]).toEqual([200, 200]);
  });

  it("follows its owner's current access: an operator's token loses beta the moment beta is taken from them", async () => {
    const otto = await person('otto@agency.example', 'operator', { alpha: 'viewer', beta: 'viewer' });
    const { token } = await mint(otto.cookie, { name: 'otto reports', kind: 'personal' });
    expect([await statusOf('alpha', token), await statusOf('beta', token)]).toEqual([200, 200]);
    const patched = await app.inject({ method: 'PATCH', url: `/api/users/${otto.user.id}`, payload: { clients: { alpha: 'viewer' } }, headers: asBrowser(adminCookie) });
    expect(patched.statusCode, patched.body).toBe(200);
    expect([await statusOf('alpha', token), await statusOf('beta', token)]).toEqual([200, 404]);
  });

  it('lets a service token read only its client, as a viewer with no person behind it', async () => {
    const { token } = await mint(alphaEditor.cookie, { name: 'alpha warehouse sync', kind: 'service', clientId: 'alpha' });
    expect(token).toMatch(SECRET_SHAPE.service);
    expect([await statusOf('alpha', token), await statusOf('beta', token)]).toEqual([200, 404]);
    const me = (await app.inject({ method: 'GET', url: '/api/me', headers: bearer(token) })).json();
    expect(me).toMatchObject({ kind: 'token', label: 'alpha warehouse sync', userId: null, role: 'member', allClients: false, clients: [{ id: 'alpha', role: 'viewer' }] });
  });

  it('is its own actor (kind token, its id and name): the rate limiter buckets by it, apart from its owner', async () => {
    const created = await mint(alphaViewer.cookie, { name: 'bucketed', kind: 'personal' });
    const principal = (await runtimeOf(app).access.bearer(created.token))!;
    expect(principal.actor).toEqual({ kind: 'token', id: created.id, label: 'bucketed' });
    expect(principal.via).toBe('bearer');
    expect(rateLimitKey({ principal, ip: '203.0.113.9' } as FastifyRequest)).toBe(`token:${created.id}`);
  });

  it('keeps the legacy keys working, and refuses a token-shaped credential nobody issued with 401', async () => {
    expect((await funnel('alpha', bearer(KEYS.alpha))).statusCode).toBe(200);
    expect((await funnel('beta', bearer(KEYS.alpha))).statusCode).toBe(404);
    expect((await funnel('beta', bearer(KEYS.admin))).statusCode).toBe(200);
    for (const forged of [`cba_pat_${'A'.repeat(43)}`, `cba_svc_${'b'.repeat(43)}`, 'cba_pat_short', 'cba_']) {
      const res = await funnel('alpha', bearer(forged));
      expect([forged, res.statusCode, res.json().error.code]).toEqual([forged, 401, 'UNAUTHORIZED']);
    }
  });
});

describe('the secret', () => {
  it('is shown once, in the cba_pat_ format: the list never has it, and the table holds only its SHA-256 and 12-character prefix', async () => {
    const res = await post({ name: 'shown once', kind: 'personal' }, asBrowser(alphaViewer.cookie));
    expect(res.statusCode, res.body).toBe(201);
    expect(res.headers['cache-control']).toBe('no-store');
    const created = res.json();
    secrets.push(created.token);
    expect(created.token).toMatch(SECRET_SHAPE.personal);
    expect(created).toMatchObject({ kind: 'personal', name: 'shown once', prefix: created.token.slice(0, 12), clientId: null, ownerEmail: 'vera@alpha.example', expiresAt: null, lastUsedAt: null, revokedAt: null });
    expect(created.prefix).toHaveLength(12);

    const list = await app.inject({ method: 'GET', url: '/api/tokens', headers: { cookie: alphaViewer.cookie } });
    const listed = list.json().find((t: { id: string }) => t.id === created.id);
    expect(Object.keys(listed).sort()).toEqual(['clientId', 'createdAt', 'expiresAt', 'id', 'kind', 'lastUsedAt', 'name', 'ownerEmail', 'prefix', 'revokedAt']);
    expect(list.body).not.toContain(created.token.slice(12));
    expect(list.body).not.toMatch(TOKEN_SECRET_PATTERN);

    const { rows } = await sql<{ secret_hash: Buffer; prefix: string }>('SELECT * FROM access.tokens WHERE id = $1', [created.id]);
    expect(rows[0]!.secret_hash.equals(createHash('sha256').update(created.token).digest())).toBe(true);
    expect(rows[0]!.prefix).toBe(created.token.slice(0, 12));
    const stored = JSON.stringify(rows[0], (_key, value) => (value?.type === 'Buffer' ? Buffer.from(value.data).toString('base64url') : value));
    expect(stored).not.toContain(created.token.slice(12, 32));
    const columns = await sql<{ column_name: string }>(`SELECT column_name FROM information_schema.columns WHERE table_schema = 'access' AND table_name = 'tokens'`);
    expect(columns.rows.map((c) => c.column_name).sort()).toEqual(
      ['client_id', 'created_at', 'created_by', 'expires_at', 'id', 'kind', 'last_used_at', 'name', 'prefix', 'revoked_at', 'secret_hash', 'user_id']);
  });

  it('is caught by the log scan when whole, while its display prefix is not', async () => {
    const { token, prefix } = await mint(alphaViewer.cookie, { name: 'scan check', kind: 'personal' });
    expect(TOKEN_SECRET_PATTERN.test(`{"msg":"${token}"}`)).toBe(true);
    expect(TOKEN_SECRET_PATTERN.test(`{"prefix":"${prefix}","name":"scan check"}`)).toBe(false);
    expect(TOKEN_SECRET_PATTERN.test(`${prefix} ${prefix}-${prefix}`)).toBe(false);
    expect(LOG_REDACT).toContain('req.headers.authorization');
  });
});

describe('ending a token', () => {
  it('refuses the very next call after revocation with 401, and the list says when it was revoked', async () => {
    const created = await mint(alphaViewer.cookie, { name: 'to revoke', kind: 'personal' });
    expect(await statusOf('alpha', created.token)).toBe(200);
    const res = await revoke(created.id, asBrowser(alphaViewer.cookie));
    expect(res.statusCode, res.body).toBe(204);
    expect(await statusOf('alpha', created.token)).toBe(401);
    const listed = (await listAs({ cookie: alphaViewer.cookie })).find((t) => t.id === created.id)!;
    expect(listed.revokedAt).toEqual(expect.stringMatching(/^\d{4}-\d{2}-\d{2}T/));
    expect((await revoke(created.id, asBrowser(alphaViewer.cookie))).statusCode).toBe(204); // again: nothing changes
  });

  it('refuses an expired token with 401, and accepts one whose expiry is still ahead', async () => {
    const later = new Date(Date.now() + 30 * 86_400_000).toISOString();
    const created = await mint(alphaViewer.cookie, { name: 'expiring', kind: 'personal', expiresAt: later });
    expect(await statusOf('alpha', created.token)).toBe(200);
    await sql(`UPDATE access.tokens SET expires_at = now() - interval '1 second' WHERE id = $1`, [created.id]);
    expect(await statusOf('alpha', created.token)).toBe(401);
  });

  it('ends every token of a person removed by an admin (DELETE /api/users/:id) at once', async () => {
    const rita = await person('rita@alpha.example', 'member', { alpha: 'editor' });
    const personal = await mint(rita.cookie, { name: 'rita script', kind: 'personal' });
    const service = await mint(rita.cookie, { name: 'rita made this for alpha', kind: 'service', clientId: 'alpha' });
    expect(await statusOf('alpha', personal.token)).toBe(200);
    const res = await app.inject({ method: 'DELETE', url: `/api/users/${rita.user.id}`, headers: asBrowser(adminCookie) });
    expect(res.statusCode, res.body).toBe(204);
    expect(await statusOf('alpha', personal.token)).toBe(401);
    expect((await sql('SELECT 1 FROM access.tokens WHERE id = $1', [personal.id])).rows).toEqual([]);
    // A service token belongs to its client, not to the person who made it.
    expect(await statusOf('alpha', service.token)).toBe(200);
  });

  it("stops a disabled person's tokens at once", async () => {
    const dan = await person('dan@alpha.example', 'member', { alpha: 'viewer' });
    const { token } = await mint(dan.cookie, { name: 'dan script', kind: 'personal' });
    expect(await statusOf('alpha', token)).toBe(200);
    const res = await app.inject({ method: 'PATCH', url: `/api/users/${dan.user.id}`, payload: { disabled: true }, headers: asBrowser(adminCookie) });
    expect(res.statusCode, res.body).toBe(200);
    expect(await statusOf('alpha', token)).toBe(401);
  });
});

describe('last used', () => {
  it('appears after the first use, and is written at most once a minute', async () => {
    const created = await mint(alphaViewer.cookie, { name: 'counting', kind: 'personal' });
    const lastUsed = async () => (await listAs({ cookie: alphaViewer.cookie })).find((t) => t.id === created.id)!.lastUsedAt;
    expect(created.lastUsedAt).toBeNull();
    expect(await lastUsed()).toBeNull();
    await statusOf('alpha', created.token);
    const first = await lastUsed();
    expect(first).toEqual(expect.stringMatching(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/));
    expect(Math.abs(Date.parse(first!) - Date.now())).toBeLessThan(60_000);
    await statusOf('alpha', created.token);
    expect(await lastUsed()).toBe(first);
    await sql(`UPDATE access.tokens SET last_used_at = now() - interval '2 minutes' WHERE id = $1`, [created.id]);
    const stale = await lastUsed();
    await statusOf('alpha', created.token);
    expect(Date.parse((await lastUsed())!)).toBeGreaterThan(Date.parse(stale!));
  });
});

describe('who may create, list and revoke', () => {
  it('refuses a member a service token for another client with 404, exactly like an unknown client', async () => {
    const beta = await post({ name: 'x', kind: 'service', clientId: 'beta' }, asBrowser(alphaEditor.cookie));
    const nobody = await post({ name: 'x', kind: 'service', clientId: 'nobody' }, asBrowser(alphaEditor.cookie));
    expect([beta.statusCode, nobody.statusCode]).toEqual([404, 404]);
    expect(beta.json()).toEqual(nobody.json());
  });

  it("refuses a viewer a service token for its own client with 403, and gives an editor one", async () => {
    const viewer = await post({ name: 'x', kind: 'service', clientId: 'alpha' }, asBrowser(alphaViewer.cookie));
    expect([viewer.statusCode, viewer.json().error.code]).toEqual([403, 'FORBIDDEN']);
    const editor = await post({ name: 'alpha editor token', kind: 'service', clientId: 'alpha' }, asBrowser(alphaEditor.cookie));
    expect(editor.statusCode, editor.body).toBe(201);
    secrets.push(editor.json().token);
    expect(editor.json()).toMatchObject({ kind: 'service', clientId: 'alpha', ownerEmail: null });
  });

  it('refuses to mint tokens with a legacy key or any token (403): only a signed-in person creates them', async () => {
    const service = await mint(alphaEditor.cookie, { name: 'cannot mint', kind: 'service', clientId: 'alpha' });
    const personal = await mint(alphaEditor.cookie, { name: 'cannot mint either', kind: 'personal' });
    const attempts = [
      [KEYS.admin, { name: 'x', kind: 'personal' }], [KEYS.admin, { name: 'x', kind: 'service', clientId: 'alpha' }],
      [KEYS.alpha, { name: 'x', kind: 'service', clientId: 'alpha' }],
      [service.token, { name: 'x', kind: 'personal' }], [service.token, { name: 'x', kind: 'service', clientId: 'alpha' }],
      [personal.token, { name: 'x', kind: 'personal' }], [personal.token, { name: 'x', kind: 'service', clientId: 'alpha' }],
    ] as const;
    for (const [credential, body] of attempts) {
      const res = await post(body, bearer(credential));
      expect([body, res.statusCode, res.json().error.code]).toEqual([body, 403, 'FORBIDDEN']);
    }
    expect((await sql(`SELECT count(*)::int AS n FROM access.tokens WHERE name = 'x'`)).rows[0]).toEqual({ n: 0 });
  });

  it("lists your own personal tokens and the service tokens of clients you manage, never other people's; admins see every token", async () => {
    const betaEditor = await person('bo@beta.example', 'member', { beta: 'editor' });
    const betaService = await mint(betaEditor.cookie, { name: 'beta only', kind: 'service', clientId: 'beta' });
    const boPersonal = await mint(betaEditor.cookie, { name: 'bo personal', kind: 'personal' });
    const alphaService = await mint(alphaEditor.cookie, { name: 'alpha listed', kind: 'service', clientId: 'alpha' });

    const editorSees = (await listAs({ cookie: alphaEditor.cookie })).map((t) => t.id);
    expect(editorSees).toContain(alphaService.id);
    expect(editorSees).not.toContain(betaService.id);
    expect(editorSees).not.toContain(boPersonal.id);
    const viewerSees = await listAs({ cookie: alphaViewer.cookie });
    expect(viewerSees.every((t) => t.kind === 'personal' && t.ownerEmail === 'vera@alpha.example')).toBe(true);

    const adminSees = await listAs(bearer(KEYS.admin));
    expect(adminSees.find((t) => t.id === boPersonal.id)).toMatchObject({ kind: 'personal', ownerEmail: 'bo@beta.example', clientId: null });
    expect(adminSees.find((t) => t.id === betaService.id)).toMatchObject({ kind: 'service', clientId: 'beta', ownerEmail: null });
    expect(await listAs(bearer(KEYS.alpha))).toEqual([]); // a client key is a viewer: it manages no tokens
  });

  it("answers revoking another client's token, or another person's, with 404 exactly like a missing one, and leaves it working", async () => {
    const betaEditor = await person('bea@beta.example', 'member', { beta: 'editor' });
    const betaService = await mint(betaEditor.cookie, { name: 'beta keep', kind: 'service', clientId: 'beta' });
    const beaPersonal = await mint(betaEditor.cookie, { name: 'bea keep', kind: 'personal' });
    const missing = await revoke('00000000-0000-4000-8000-00000000dead', asBrowser(alphaEditor.cookie));
    const other = await revoke(betaService.id, asBrowser(alphaEditor.cookie));
    const person2 = await revoke(beaPersonal.id, asBrowser(alphaEditor.cookie));
    const malformed = await revoke('not-a-uuid', asBrowser(alphaEditor.cookie));
    expect([missing.statusCode, other.statusCode, person2.statusCode, malformed.statusCode]).toEqual([404, 404, 404, 404]);
    expect(other.json()).toEqual(missing.json());
    expect(person2.json()).toEqual(missing.json());
    expect(await statusOf('beta', betaService.token)).toBe(200);
    expect(await statusOf('beta', beaPersonal.token)).toBe(200);
    // An editor of alpha revokes alpha's service tokens; an admin key revokes anyone's (the emergency path).
    const alphaService = await mint(alphaEditor.cookie, { name: 'alpha revocable', kind: 'service', clientId: 'alpha' });
    expect((await revoke(alphaService.id, asBrowser(alphaEditor.cookie))).statusCode).toBe(204);
    expect(await statusOf('alpha', alphaService.token)).toBe(401);
    expect((await revoke(beaPersonal.id, bearer(KEYS.admin))).statusCode).toBe(204);
    expect(await statusOf('beta', beaPersonal.token)).toBe(401);
  });

  it('refuses a revocation posted from another site', async () => {
    const created = await mint(alphaViewer.cookie, { name: 'csrf target', kind: 'personal' });
    const res = await revoke(created.id, { cookie: alphaViewer.cookie, origin: 'https://evil.example' });
    expect([res.statusCode, res.json().error.code]).toEqual([403, 'CROSS_SITE_REQUEST']);
    expect(await statusOf('alpha', created.token)).toBe(200);
  });
});

describe('input', () => {
  const past = new Date(Date.now() - 60_000).toISOString();
  const tooFar = new Date(Date.now() + 4 * 366 * 86_400_000).toISOString();
  it.each([
    ['a blank name', { name: '   ', kind: 'personal' }, 'name'],
    ['a name too long', { name: 'n'.repeat(101), kind: 'personal' }, 'name'],
    ['no name', { kind: 'personal' }, 'name'],
    ['a name with a control character', { name: 'a\u0000b', kind: 'personal' }, 'name'],
    ['an unknown kind', { name: 'x', kind: 'robot' }, 'kind'],
    ['no kind', { name: 'x' }, 'kind'],
    ['a service token without a client', { name: 'x', kind: 'service' }, 'clientId'],
    ['a personal token with a client', { name: 'x', kind: 'personal', clientId: 'alpha' }, 'clientId'],
    ['an unknown client (for an admin, who sees every client)', { name: 'x', kind: 'service', clientId: 'nobody' }, 'clientId'],
    ['an expiry in the past', { name: 'x', kind: 'personal', expiresAt: past }, 'expiresAt'],
    ['an expiry too far ahead', { name: 'x', kind: 'personal', expiresAt: tooFar }, 'expiresAt'],
    ['an expiry that is no date-time', { name: 'x', kind: 'personal', expiresAt: 'next tuesday' }, 'expiresAt'],
    ['an expiry on a day that does not exist', { name: 'x', kind: 'personal', expiresAt: '2031-02-30T00:00:00Z' }, 'expiresAt'],
    ['an expiry without an offset', { name: 'x', kind: 'personal', expiresAt: '2031-01-01T00:00:00' }, 'expiresAt'],
    ['an expiry that is a number', { name: 'x', kind: 'personal', expiresAt: 1 }, 'expiresAt'],
  ])('answers %s with 400 naming the field', async (_what, body, field) => {
    const res = await post(body, asBrowser(adminCookie));
    expect(res.statusCode, res.body).toBe(400);
    expect(res.json().error).toEqual({ code: 'INVALID_PARAMETER', message: expect.stringMatching(new RegExp(`^${field}: `)) });
  });

  it('accepts an expiry with an offset and answers it in UTC', async () => {
    const created = await mint(alphaViewer.cookie, { name: '  trimmed  ', kind: 'personal', expiresAt: '2026-12-31T10:00:00+10:00' });
    expect(created).toMatchObject({ name: 'trimmed', expiresAt: '2026-12-31T00:00:00.000Z' });
  });
});

describe('the audit log and the logs', () => {
  it('records token-created and token-revoked with the name, client, kind and prefix, never the secret', async () => {
    const created = await mint(alphaEditor.cookie, { name: 'audited', kind: 'service', clientId: 'alpha' });
    await revoke(created.id, asBrowser(alphaEditor.cookie));
    const { rows } = await sql<{ action: string; target: string; client_id: string; details: object; actor_label: string }>(
      `SELECT action, target, client_id, details, actor_label FROM access.audit WHERE target = 'audited' ORDER BY id`);
    expect(rows).toEqual([
      { action: 'token-created', target: 'audited', client_id: 'alpha', details: { kind: 'service', prefix: created.prefix }, actor_label: 'ed@alpha.example' },
      { action: 'token-revoked', target: 'audited', client_id: 'alpha', details: { kind: 'service', prefix: created.prefix }, actor_label: 'ed@alpha.example' },
    ]);
    const all = JSON.stringify((await sql('SELECT * FROM access.audit')).rows);
    for (const secret of secrets) expect(all).not.toContain(secret.slice(12));
  });

  it('never writes a token to the log, though every request above was logged', () => {
    expect(logLines.length).toBeGreaterThan(50);
    expect(secrets.length).toBeGreaterThan(10);
    const leaks = logLines.filter((line) => TOKEN_SECRET_PATTERN.test(line) || secrets.some((s) => line.includes(s.slice(12))));
    expect(leaks).toEqual([]);
  });
});
