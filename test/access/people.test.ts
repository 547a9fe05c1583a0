import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { User } from '../../src/access/users.ts';
import { bearer, buildTestApp, KEYS, runtimeOf, testClient } from '../helpers/buildTestApp.ts';
import { addPerson, asBrowser, PERSON_PASSWORD, signInPerson } from '../helpers/people.ts';
import { SAME_ORIGIN } from '../helpers/sessionCookies.ts';
import { createTestDatabase, type TestDatabase } from '../helpers/testDatabase.ts';
import { loadSydneyFixture } from '../fixtures/sydneyFixture.ts';

/**
 * People with roles, signed in with email and password: what each role may see and change, how sessions end,
 * and what the audit log keeps. Two clients with real data (alpha, beta).
 */
type App = Awaited<ReturnType<typeof buildTestApp>>;
let db: TestDatabase;
let app: App;
const people = {} as Record<'admin' | 'operator' | 'alphaViewer' | 'alphaEditor' | 'betaViewer', User>;

beforeAll(async () => {
  db = await createTestDatabase('people');
  await loadSydneyFixture(db.pool, 'public', 'timestamp');
  app = await buildTestApp([testClient('alpha', 'Australia/Sydney', db.url), testClient('beta', 'Australia/Sydney', db.url)], { admin: KEYS.admin });
  people.admin = await addPerson(app, { email: 'ada@agency.example', role: 'admin' });
  people.operator = await addPerson(app, { email: 'otto@agency.example', role: 'operator', clients: { alpha: 'editor' } });
  people.alphaViewer = await addPerson(app, { email: 'vera@alpha.example', role: 'member', clients: { alpha: 'viewer' } });
  people.alphaEditor = await addPerson(app, { email: 'ed@alpha.example', role: 'member', clients: { alpha: 'editor' } });
  people.betaViewer = await addPerson(app, { email: 'bea@beta.example', role: 'member', clients: { beta: 'viewer' } });
}, 60_000);
afterAll(async () => {
  await app?.close();
  await db?.drop();
});

const get = (url: string, cookie: string) => app.inject({ method: 'GET', url, headers: { cookie } });
const funnel = (client: string, cookie: string) => get(`/api/${client}/funnel?from=2024-04-06&to=2024-04-08`, cookie);
const patch = (id: string, body: object, cookie: string) => app.inject({ method: 'PATCH', url: `/api/users/${id}`, payload: body, headers: asBrowser(cookie) });

describe('signing in with email and password', () => {
  it('signs a person in, whatever the case of the email, and tells them who they are', async () => {
    const cookie = await signInPerson(app, 'VERA@Alpha.Example');
    const me = (await get('/api/me', cookie)).json();
    expect(me).toMatchObject({ kind: 'user', label: 'vera@alpha.example', role: 'member', allClients: false, clients: [{ id: 'alpha', role: 'viewer' }] });
  });

  it('refuses a wrong password and an unknown email with the same answer', async () => {
    const wrong = await app.inject({ method: 'POST', url: '/api/session', payload: { email: 'vera@alpha.example', password: 'not-the-password-1' }, headers: SAME_ORIGIN });
    const unknown = await app.inject({ method: 'POST', url: '/api/session', payload: { email: 'nobody@alpha.example', password: 'not-the-password-1' }, headers: SAME_ORIGIN });
    expect([wrong.statusCode, unknown.statusCode]).toEqual([401, 401]);
    expect(wrong.json()).toEqual(unknown.json());
    expect(wrong.headers['set-cookie']).toBeUndefined();
  });

  it('refuses a sign-in posted from another site (login CSRF), and a sign-out too', async () => {
    const foreign = await app.inject({ method: 'POST', url: '/login', payload: { email: 'vera@alpha.example', password: PERSON_PASSWORD }, headers: { origin: 'https://evil.example' } });
    expect([foreign.statusCode, foreign.json().error.code, foreign.headers['set-cookie']]).toEqual([403, 'CROSS_SITE_REQUEST', undefined]);
    const cookie = await signInPerson(app, 'vera@alpha.example');
    const out = await app.inject({ method: 'POST', url: '/logout', headers: { cookie, origin: 'https://evil.example' } });
    expect(out.statusCode).toBe(403);
    expect((await funnel('alpha', cookie)).statusCode).toBe(200); // still signed in
  });

  it.each([
    ['a tab that browsers strip', '/\t/evil.example/phish'],
    ['a newline', '/a\nb'],
    ['a carriage return', '/a\rb'],
    ['a NUL', '/a\u0000b'],
    ['U+2028', '/a\u2028b'],
    ['another host', '//evil.example/x'],
    ['a backslash', '/\\evil.example'],
    ['an absolute URL', 'https://evil.example/'],
  ])('refuses a next with %s in our error shape, never a redirect or a 500', async (_what, next) => {
    const res = await app.inject({ method: 'POST', url: '/login', payload: { email: 'vera@alpha.example', password: PERSON_PASSWORD, next }, headers: SAME_ORIGIN });
    expect([res.statusCode, res.headers.location]).toEqual([400, undefined]);
    expect(res.json()).toEqual({ error: { code: 'INVALID_PARAMETER', message: 'next: must be a path on this site' } });
    const page = await app.inject({ method: 'GET', url: `/login?next=${encodeURIComponent(next)}` });
    expect(page.statusCode).toBe(400);
  });

  it('follows a next on this site after sign-in', async () => {
    const res = await app.inject({ method: 'POST', url: '/login', payload: { email: 'vera@alpha.example', password: PERSON_PASSWORD, next: '/alpha/dashboard?from=2024-04-06' }, headers: SAME_ORIGIN });
    expect([res.statusCode, res.headers.location]).toEqual([303, '/alpha/dashboard?from=2024-04-06']);
  });
});

describe('what each role sees', () => {
  it("gives a member their own client's data only; another client looks like an unknown one", async () => {
    const cookie = await signInPerson(app, 'vera@alpha.example');
    expect((await funnel('alpha', cookie)).json().sessions).toBe(9);
    const other = await funnel('beta', cookie);
    const unknown = await funnel('gamma', cookie);
    expect([other.statusCode, other.json().error.code]).toEqual([404, 'NOT_FOUND']);
    expect(other.json().error.message.replace('beta', 'gamma')).toBe(unknown.json().error.message);
  });

  it('gives an assigned operator its clients only, and an admin every client', async () => {
    const operator = await signInPerson(app, 'otto@agency.example');
    expect([(await funnel('alpha', operator)).statusCode, (await funnel('beta', operator)).statusCode]).toEqual([200, 404]);
    const admin = await signInPerson(app, 'ada@agency.example');
    expect([(await funnel('alpha', admin)).statusCode, (await funnel('beta', admin)).statusCode]).toEqual([200, 200]);
  });

  it('lists people by who may manage them: admins everyone, operators the members of their clients, members nobody', async () => {
    const emails = async (cookie: string) => (await get('/api/users', cookie)).json().map((p: { email: string }) => p.email).sort();
    expect(await emails(await signInPerson(app, 'ada@agency.example'))).toEqual(
      ['ada@agency.example', 'bea@beta.example', 'ed@alpha.example', 'otto@agency.example', 'vera@alpha.example']);
    expect(await emails(await signInPerson(app, 'otto@agency.example'))).toEqual(['ed@alpha.example', 'otto@agency.example', 'vera@alpha.example']);
    expect((await get('/api/users', await signInPerson(app, 'vera@alpha.example'))).statusCode).toBe(403);
    // a person outside the operator's clients looks missing
    expect((await get(`/api/users/${people.betaViewer.id}`, await signInPerson(app, 'otto@agency.example'))).statusCode).toBe(404);
  });
});

describe('privilege escalation', () => {
  it('never lets anyone change their own role, clients or access', async () => {
    const vera = await signInPerson(app, 'vera@alpha.example');
    expect((await patch(people.alphaViewer.id, { clients: { alpha: 'editor' } }, vera)).statusCode).toBe(403);
    const otto = await signInPerson(app, 'otto@agency.example');
    expect((await patch(people.operator.id, { allClients: true }, otto)).statusCode).toBe(403);
  });

  it('lets an operator manage members of its clients but never make operators or admins, or reach other clients', async () => {
    const otto = await signInPerson(app, 'otto@agency.example');
    expect((await patch(people.alphaViewer.id, { role: 'admin' }, otto)).statusCode).toBe(403);
    expect((await patch(people.alphaViewer.id, { role: 'operator' }, otto)).statusCode).toBe(403);
    expect((await patch(people.alphaViewer.id, { clients: { beta: 'viewer' } }, otto)).statusCode).toBe(400);
    const promoted = await patch(people.alphaEditor.id, { clients: { alpha: 'viewer' } }, otto);
    expect([promoted.statusCode, promoted.json().clients]).toEqual([200, { alpha: 'viewer' }]);
  });

  it('keeps a member out of the audit log and of the people list', async () => {
    const vera = await signInPerson(app, 'vera@alpha.example');
    expect((await get('/api/audit', vera)).statusCode).toBe(403);
    expect((await get('/api/users', vera)).statusCode).toBe(403);
  });

  it('keeps the last admin an admin', async () => {
    const ada = await signInPerson(app, 'ada@agency.example');
    const legacy = await app.inject({ method: 'PATCH', url: `/api/users/${people.admin.id}`, payload: { role: 'operator' }, headers: bearer(KEYS.admin) });
    expect([legacy.statusCode, legacy.json().error.message]).toEqual([400, 'role: the last admin must stay an admin']);
    expect((await app.inject({ method: 'DELETE', url: `/api/users/${people.admin.id}`, headers: bearer(KEYS.admin) })).statusCode).toBe(400);
    expect((await funnel('beta', ada)).statusCode).toBe(200);
  });
});

describe('sessions end when they should', () => {
  it('ends every session of a disabled person at once', async () => {
    const bea = await signInPerson(app, 'bea@beta.example');
    expect((await funnel('beta', bea)).statusCode).toBe(200);
    const ada = await signInPerson(app, 'ada@agency.example');
    expect((await patch(people.betaViewer.id, { disabled: true }, ada)).json().disabled).toBe(true);
    expect((await funnel('beta', bea)).statusCode).toBe(401);
    const again = await app.inject({ method: 'POST', url: '/api/session', payload: { email: 'bea@beta.example', password: PERSON_PASSWORD }, headers: SAME_ORIGIN });
    expect(again.statusCode).toBe(401);
    await patch(people.betaViewer.id, { disabled: false }, ada);
  });

  it("signs a person out everywhere, and a password change ends the other sessions but not the current one", async () => {
    const [first, second] = [await signInPerson(app, 'ed@alpha.example'), await signInPerson(app, 'ed@alpha.example')];
    const changed = await app.inject({ method: 'POST', url: '/api/me/password', payload: { current: PERSON_PASSWORD, password: 'violet-harbor-canvas-8812' }, headers: asBrowser(first) });
    expect(changed.statusCode).toBe(204);
    expect([(await funnel('alpha', first)).statusCode, (await funnel('alpha', second)).statusCode]).toEqual([200, 401]);
    const ada = await signInPerson(app, 'ada@agency.example');
    const out = await app.inject({ method: 'POST', url: `/api/users/${people.alphaEditor.id}/sign-out-everywhere`, headers: asBrowser(ada) });
    expect(out.json()).toEqual({ ended: 1 });
    expect((await funnel('alpha', first)).statusCode).toBe(401);
  });

  it('refuses a weak new password and a wrong current one, naming the field', async () => {
    const vera = await signInPerson(app, 'vera@alpha.example');
    const change = (body: object) => app.inject({ method: 'POST', url: '/api/me/password', payload: body, headers: asBrowser(vera) });
    expect((await change({ current: 'wrong-password-42', password: 'violet-harbor-canvas-8812' })).json().error.message).toBe('current: is not your password');
    expect((await change({ current: PERSON_PASSWORD, password: 'short' })).json().error.message).toBe('password: must be at least 12 characters');
    expect((await change({ current: PERSON_PASSWORD, password: 'password1234' })).json().error.message).toMatch(/^password: is too easy to guess/);
  });

  it('ends a session unused for longer than the idle limit, and any session past its end', async () => {
    const pool = runtimeOf(app).platform.pool;
    const idle = await signInPerson(app, 'vera@alpha.example');
    await pool.query(`UPDATE access.sessions SET last_seen_at = now() - interval '8 days' WHERE user_id = $1`, [people.alphaViewer.id]);
    expect((await funnel('alpha', idle)).statusCode).toBe(401);
    const old = await signInPerson(app, 'vera@alpha.example');
    await pool.query(`UPDATE access.sessions SET expires_at = now() - interval '1 second' WHERE user_id = $1`, [people.alphaViewer.id]);
    expect((await funnel('alpha', old)).statusCode).toBe(401);
  });
});

describe('the audit log', () => {
  it('records sign-ins, failed attempts and changes with who, when and from where, and never a password', async () => {
    const ada = await signInPerson(app, 'ada@agency.example');
    await app.inject({ method: 'POST', url: '/api/session', payload: { email: 'ada@agency.example', password: 'guessing-again-999' }, headers: SAME_ORIGIN });
    const { entries } = (await get('/api/audit?limit=200', ada)).json();
    const actions = entries.map((e: { action: string }) => e.action);
    expect(actions).toEqual(expect.arrayContaining(['sign-in', 'sign-in-failed', 'person-changed', 'password-changed', 'sign-out-everywhere']));
    const failed = entries.find((e: { action: string; target: string }) => e.action === 'sign-in-failed' && e.target === 'ada@agency.example');
    expect(failed).toMatchObject({ actor: { kind: 'anonymous', label: 'ada@agency.example' }, ip: '127.0.0.1' });
    const { rows } = await runtimeOf(app).platform.pool.query(`SELECT count(*)::int AS n FROM access.audit WHERE details::text ~ $1 OR target ~ $1`, ['guessing-again|quiet-lantern|argon2']);
    expect(rows[0].n).toBe(0);
  });

  it('exports as CSV for admins, and the export itself is recorded', async () => {
    const ada = await signInPerson(app, 'ada@agency.example');
    const csv = await get('/api/audit?format=csv', ada);
    expect(csv.headers['content-type']).toMatch(/^text\/csv/);
    expect(csv.body.split('\n')[0]).toBe('at,actor_kind,actor,ip,action,target,client_id,details');
    expect((await get('/api/audit?action=audit-exported', ada)).json().entries).toHaveLength(1);
  });

  it('records data exports with the client they came from', async () => {
    const vera = await signInPerson(app, 'vera@alpha.example');
    const csv = await get('/api/alpha/daily?from=2024-04-06&to=2024-04-08&format=csv', vera);
    expect(csv.statusCode, csv.body).toBe(200);
    const { entries } = (await app.inject({ method: 'GET', url: '/api/audit?action=export', headers: bearer(KEYS.admin) })).json();
    expect(entries[0]).toMatchObject({ action: 'export', clientId: 'alpha', target: 'daily', actor: { kind: 'user', label: 'vera@alpha.example' } });
  });
});
