import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { User } from '../../src/access/users.ts';
import { SESSION_COOKIE } from '../../src/http/session.ts';
import { bearer, buildTestApp, KEYS, runtimeOf, testClient } from '../helpers/buildTestApp.ts';
import { addPerson, asBrowser, PERSON_PASSWORD, signInPerson } from '../helpers/people.ts';
import { SAME_ORIGIN } from '../helpers/sessionCookies.ts';
import { eventually, startSmtpServer, type TestSmtp } from '../helpers/smtpServer.ts';

/**
 * Invitations and password resets end to end, with a real SMTP server (smtp-server on the loopback, mail read back
 * with mailparser): who may invite whom, the emailed link that sets a password and signs the person in, links that
 * work once and expire, resets that never tell whether an address has an account, and no link in any log line.
 */
type App = Awaited<ReturnType<typeof buildTestApp>>;
let smtp: TestSmtp;
let app: App;
const logLines: string[] = [];
const people = {} as Record<'admin' | 'operator' | 'member' | 'betaMember', User>;
const cookies = {} as Record<'admin' | 'operator' | 'member', string>;

const NEW_PASSWORD = 'marble-hollow-kestrel-5830';
const WEAK = 'password1234';
const LINK = /http:\/\/localhost\/invitations\/([A-Za-z0-9_-]{43})/;
const RESET_LINK = /http:\/\/localhost\/password-reset\/([A-Za-z0-9_-]{43})/;

beforeAll(async () => {
  smtp = await startSmtpServer();
  app = await buildTestApp([testClient('alpha', 'UTC', null), testClient('beta', 'UTC', null)], {
    admin: KEYS.admin, notify: { smtpUrl: smtp.url, mailFrom: 'Analytics <analytics@agency.example>' }, logLines,
  });
  people.admin = await addPerson(app, { email: 'ada@agency.example', role: 'admin' });
  people.operator = await addPerson(app, { email: 'otto@agency.example', role: 'operator', clients: { alpha: 'editor' } });
  people.member = await addPerson(app, { email: 'vera@alpha.example', role: 'member', clients: { alpha: 'viewer' } });
  people.betaMember = await addPerson(app, { email: 'bea@beta.example', role: 'member', clients: { beta: 'viewer' } });
  cookies.admin = await signInPerson(app, people.admin.email);
  cookies.operator = await signInPerson(app, people.operator.email);
  cookies.member = await signInPerson(app, people.member.email);
}, 60_000);
afterAll(async () => {
  await app?.close();
  await smtp?.close();
});
beforeEach(() => {
  smtp.messages.length = 0;
});

const db = () => runtimeOf(app).platform.pool;
const invite = (cookie: string, body: object) => app.inject({ method: 'POST', url: '/api/invitations', payload: body, headers: asBrowser(cookie) });
const form = (url: string, fields: Record<string, string>, headers: Record<string, string> = SAME_ORIGIN) => app.inject({
  method: 'POST', url, payload: new URLSearchParams(fields).toString(), headers: { ...headers, 'content-type': 'application/x-www-form-urlencoded' },
});
const cookieOf = (res: { headers: Record<string, unknown> }) => {
  const value = new RegExp(`${SESSION_COOKIE}=([^;]+)`).exec(String(res.headers['set-cookie'] ?? ''))?.[1];
  return value ? `${SESSION_COOKIE}=${value}` : null;
};
const tokenOf = (link: string) => link.split('/').at(-1)!;
const auditOf = async (action: string) => (await db().query(`SELECT target, details::text AS details FROM access.audit WHERE action = $1 ORDER BY id`, [action])).rows;

describe('an admin invites a member of alpha', () => {
  let link = '';
  const email = 'new.member@alpha.example';

  it('answers 201 with the link (shown once, to the inviter), and the email with the same link arrives', async () => {
    const res = await invite(cookies.admin, { email: 'New.Member@Alpha.Example', role: 'member', clientIds: ['alpha'] });
    expect(res.statusCode, res.body).toBe(201);
    const body = res.json();
    expect(body).toMatchObject({
      invitation: { email, role: 'member', allClients: false, clients: { alpha: 'viewer' }, invitedBy: { id: people.admin.id, label: people.admin.email } },
      emailed: true, delivery: { status: 'sent', error: null },
    });
    expect(body.link).toMatch(LINK);
    link = body.link;
    expect(Date.parse(body.invitation.expiresAt) - Date.now()).toBeGreaterThan(47.9 * 3_600_000);
    expect(Date.parse(body.invitation.expiresAt) - Date.now()).toBeLessThan(48.1 * 3_600_000);
    expect(JSON.stringify(body.invitation)).not.toContain(tokenOf(link));

    const [mail] = await smtp.waitForMessages(1);
    expect(mail!.to).toMatchObject({ text: email });
    expect(mail!.from?.text).toBe('"Analytics" <analytics@agency.example>');
    expect(mail!.subject).toBe('You are invited to Chatbot Analytics');
    expect(mail!.text).toContain(link);
    expect(mail!.text).toContain('a member of Client alpha');
    expect(mail!.html).toContain(`href="${link}"`);
  });

  it('lists it as pending for the admin (never with its token), and stores only the hash of the token', async () => {
    const list = (await app.inject({ method: 'GET', url: '/api/invitations', headers: { cookie: cookies.admin } })).json();
    expect(list.map((i: { email: string }) => i.email)).toContain(email);
    expect(JSON.stringify(list)).not.toContain(tokenOf(link));
    const { rows } = await db().query(`SELECT encode(token_hash, 'hex') AS hash FROM access.invitations WHERE email = $1`, [email]);
    expect(rows).toHaveLength(1);
    expect(rows[0].hash).toHaveLength(64);
    expect(JSON.stringify(await db().query('SELECT * FROM access.invitations'))).not.toContain(tokenOf(link));
  });

  it('opens on a page with a form for a name and a password, never cached', async () => {
    const page = await app.inject({ method: 'GET', url: new URL(link).pathname });
    expect(page.statusCode).toBe(200);
    expect(page.headers['content-type']).toMatch(/^text\/html/);
    expect(page.headers['cache-control']).toBe('no-store');
    expect(page.body).toContain(email);
    expect(page.body).toMatch(/name="name"[\s\S]*name="password"/);
    expect(page.body).toContain(`action="/invitations/${tokenOf(link)}"`);
  });

  it('refuses a weak password with 400 naming password, on the page and in JSON, and the link still works', async () => {
    const page = await form(new URL(link).pathname, { name: 'New Member', password: WEAK });
    expect(page.statusCode).toBe(400);
    expect(page.body).toContain('The password ');
    expect(cookieOf(page)).toBeNull();
    const json = await app.inject({ method: 'POST', url: '/api/invitations/accept', payload: { token: tokenOf(link), name: 'New Member', password: WEAK }, headers: SAME_ORIGIN });
    expect(json.statusCode).toBe(400);
    expect(json.json().error).toMatchObject({ code: 'INVALID_PARAMETER', message: expect.stringMatching(/^password: /) });
    expect((await app.inject({ method: 'GET', url: new URL(link).pathname })).statusCode).toBe(200);
  });

  it('refuses the form posted from another site', async () => {
    const res = await form(new URL(link).pathname, { name: 'New Member', password: NEW_PASSWORD }, { origin: 'https://evil.example' });
    expect([res.statusCode, res.json().error.code]).toEqual([403, 'CROSS_SITE_REQUEST']);
  });

  it('sets the password, signs the person in and sends them to /; they see alpha and not beta', async () => {
    const res = await form(new URL(link).pathname, { name: 'New Member', password: NEW_PASSWORD });
    expect([res.statusCode, res.headers.location]).toEqual([303, '/']);
    const cookie = cookieOf(res)!;
    expect(cookie).toBeTruthy();
    const me = (await app.inject({ method: 'GET', url: '/api/me', headers: { cookie } })).json();
    expect(me).toMatchObject({ kind: 'user', label: email, role: 'member', allClients: false, clients: [{ id: 'alpha', role: 'viewer' }] });
    const clients = (await app.inject({ method: 'GET', url: '/clients', headers: { cookie } })).json();
    expect(JSON.stringify(clients)).toContain('"alpha"');
    expect(JSON.stringify(clients)).not.toContain('"beta"');
    expect((await app.inject({ method: 'GET', url: '/api/beta/funnel', headers: { cookie } })).statusCode).toBe(404);
    const home = await app.inject({ method: 'GET', url: '/', headers: { cookie } });
    expect(home.body).toContain('Client alpha');
    expect(home.body).not.toContain('Client beta');
    // The password is theirs now: they sign in with it like anyone.
    expect(await signInPerson(app, email, NEW_PASSWORD)).toMatch(SESSION_COOKIE);
  });

  it('works once: the link is refused afterwards with 410, on the page and in JSON', async () => {
    const page = await app.inject({ method: 'GET', url: new URL(link).pathname });
    expect(page.statusCode).toBe(410);
    expect(page.body).toContain('used already');
    const again = await form(new URL(link).pathname, { name: 'Someone Else', password: NEW_PASSWORD });
    expect(again.statusCode).toBe(410);
    expect(cookieOf(again)).toBeNull();
    const json = await app.inject({ method: 'POST', url: '/api/invitations/accept', payload: { token: tokenOf(link), name: 'X', password: NEW_PASSWORD }, headers: SAME_ORIGIN });
    expect([json.statusCode, json.json().error.code]).toEqual([410, 'LINK_USED']);
  });

  it('audits the invitation and its acceptance, never with the link or its token', async () => {
    const created = (await auditOf('invitation-created')).filter((e) => e.target === email);
    expect(created).toHaveLength(1);
    expect(JSON.parse(created[0]!.details)).toMatchObject({ role: 'member', clients: 'alpha', delivery: 'sent' });
    expect((await auditOf('invitation-accepted')).map((e) => e.target)).toContain(email);
    const all = JSON.stringify((await db().query('SELECT * FROM access.audit')).rows);
    expect(all).not.toContain(tokenOf(link));
    expect(all).not.toContain('/invitations/');
  });
});

describe('links that cannot be used', () => {
  it('refuses an expired invitation with 410 (a clear page, and LINK_EXPIRED in JSON)', async () => {
    const { link, invitation } = (await invite(cookies.admin, { email: 'late@alpha.example', role: 'member', clients: { alpha: 'editor' } })).json();
    await db().query(`UPDATE access.invitations SET expires_at = now() - interval '1 second' WHERE id = $1`, [invitation.id]);
    const page = await app.inject({ method: 'GET', url: new URL(link).pathname });
    expect([page.statusCode, page.body.includes('expired')]).toEqual([410, true]);
    const json = await app.inject({ method: 'POST', url: '/api/invitations/accept', payload: { token: tokenOf(link), name: 'Late', password: NEW_PASSWORD }, headers: SAME_ORIGIN });
    expect([json.statusCode, json.json().error.code]).toEqual([410, 'LINK_EXPIRED']);
    expect((await app.inject({ method: 'GET', url: '/api/invitations', headers: { cookie: cookies.admin } })).json().map((i: { id: string }) => i.id)).not.toContain(invitation.id);
  });

  it('withdraws an invitation (DELETE): its link answers 410 at once, and a second DELETE is a 404', async () => {
    const { link, invitation } = (await invite(cookies.admin, { email: 'withdrawn@alpha.example', role: 'member', clientIds: ['alpha'] })).json();
    const del = await app.inject({ method: 'DELETE', url: `/api/invitations/${invitation.id}`, headers: asBrowser(cookies.admin) });
    expect(del.statusCode).toBe(204);
    const json = await app.inject({ method: 'POST', url: '/api/invitations/accept', payload: { token: tokenOf(link), name: 'W', password: NEW_PASSWORD }, headers: SAME_ORIGIN });
    expect([json.statusCode, json.json().error.code]).toEqual([410, 'LINK_REVOKED']);
    expect((await app.inject({ method: 'DELETE', url: `/api/invitations/${invitation.id}`, headers: asBrowser(cookies.admin) })).statusCode).toBe(404);
    expect((await auditOf('invitation-revoked')).map((e) => e.target)).toContain('withdrawn@alpha.example');
  });

  it('replaces a pending invitation with a new one for the same address: only the newest link works', async () => {
    const first = (await invite(cookies.admin, { email: 'twice@alpha.example', role: 'member', clientIds: ['alpha'] })).json();
    const second = (await invite(cookies.admin, { email: 'twice@alpha.example', role: 'member', clientIds: ['alpha'] })).json();
    expect((await app.inject({ method: 'GET', url: new URL(first.link).pathname })).statusCode).toBe(410);
    expect((await app.inject({ method: 'GET', url: new URL(second.link).pathname })).statusCode).toBe(200);
  });

  it('lets exactly one of two uses at the same moment through, and one of invitations made at once work', async () => {
    const made = await Promise.all([1, 2, 3].map(() => invite(cookies.admin, { email: 'race@alpha.example', role: 'member', clientIds: ['alpha'] })));
    expect(made.map((r) => r.statusCode)).toEqual([201, 201, 201]);
    const pages = await Promise.all(made.map((r) => app.inject({ method: 'GET', url: new URL(r.json().link).pathname })));
    expect(pages.map((p) => p.statusCode).sort()).toEqual([200, 410, 410]);
    const live = made[pages.findIndex((p) => p.statusCode === 200)]!.json().link;
    const accept = () => app.inject({ method: 'POST', url: '/api/invitations/accept', payload: { token: tokenOf(live), name: 'Race', password: NEW_PASSWORD }, headers: SAME_ORIGIN });
    const answers = await Promise.all([accept(), accept()]);
    expect(answers.map((a) => a.statusCode).sort()).toEqual([200, 410]);
    const { rows } = await db().query(`SELECT count(*)::int AS n FROM access.users WHERE email = 'race@alpha.example'`);
    expect(rows[0].n).toBe(1);
  });

  it('answers a token never issued with 400, and a malformed one too, never a 500', async () => {
    const never = 'A'.repeat(43);
    expect((await app.inject({ method: 'GET', url: `/invitations/${never}` })).statusCode).toBe(400);
    expect((await app.inject({ method: 'GET', url: '/invitations/short' })).statusCode).toBe(400);
    expect((await app.inject({ method: 'GET', url: `/password-reset/${never}` })).statusCode).toBe(400);
    const json = await app.inject({ method: 'POST', url: '/api/invitations/accept', payload: { token: 'x%00y', name: 'N', password: NEW_PASSWORD }, headers: SAME_ORIGIN });
    expect([json.statusCode, json.json().error.message]).toEqual([400, expect.stringMatching(/^token: /)]);
    const reset = await app.inject({ method: 'POST', url: '/api/password-resets/complete', payload: { token: never, password: NEW_PASSWORD }, headers: SAME_ORIGIN });
    expect([reset.statusCode, reset.json().error.message]).toEqual([400, expect.stringMatching(/^token: /)]);
  });
});

describe('who may invite whom', () => {
  it('lets an operator invite a member of its own client', async () => {
    const res = await invite(cookies.operator, { email: 'op.invited@alpha.example', role: 'member', clients: { alpha: 'editor' } });
    expect(res.statusCode, res.body).toBe(201);
    expect(res.json().invitation).toMatchObject({ role: 'member', clients: { alpha: 'editor' }, invitedBy: { id: people.operator.id } });
    const list = (await app.inject({ method: 'GET', url: '/api/invitations', headers: { cookie: cookies.operator } })).json();
    expect(list.every((i: { role: string; clients: Record<string, string> }) => i.role === 'member' && Object.keys(i.clients).every((c) => c === 'alpha'))).toBe(true);
    expect(list.map((i: { email: string }) => i.email)).toContain('op.invited@alpha.example');
  });

  it.each([['an operator', 'operator', { clientIds: ['alpha'] }], ['an admin', 'admin', {}]])('refuses an operator inviting %s: 403', async (_what, role, clients) => {
    const res = await invite(cookies.operator, { email: `${role}.by.op@agency.example`, role, ...clients });
    expect([res.statusCode, res.json().error.code]).toEqual([403, 'FORBIDDEN']);
  });

  it('answers an operator inviting a member of a client it cannot see with 404, like an unknown one', async () => {
    const beta = await invite(cookies.operator, { email: 'x@beta.example', role: 'member', clientIds: ['beta'] });
    const unknown = await invite(cookies.operator, { email: 'x@gamma.example', role: 'member', clientIds: ['gamma'] });
    expect([beta.statusCode, unknown.statusCode]).toEqual([404, 404]);
    expect(beta.json()).toEqual(unknown.json());
  });

  it('refuses a member inviting anyone: 403', async () => {
    const res = await invite(cookies.member, { email: 'friend@alpha.example', role: 'member', clientIds: ['alpha'] });
    expect([res.statusCode, res.json().error.code]).toEqual([403, 'FORBIDDEN']);
    expect((await app.inject({ method: 'GET', url: '/api/invitations', headers: { cookie: cookies.member } })).statusCode).toBe(403);
  });

  it('hides an admin\'s invitation of an operator from an operator, who can neither list nor withdraw it', async () => {
    const { invitation } = (await invite(cookies.admin, { email: 'new.operator@agency.example', role: 'operator', allClients: true })).json();
    expect(invitation).toMatchObject({ role: 'operator', allClients: true, clients: {} });
    const list = (await app.inject({ method: 'GET', url: '/api/invitations', headers: { cookie: cookies.operator } })).json();
    expect(list.map((i: { id: string }) => i.id)).not.toContain(invitation.id);
    expect((await app.inject({ method: 'DELETE', url: `/api/invitations/${invitation.id}`, headers: asBrowser(cookies.operator) })).statusCode).toBe(404);
    // Nor replace it by inviting the same address as a member.
    const replace = await invite(cookies.operator, { email: 'new.operator@agency.example', role: 'member', clientIds: ['alpha'] });
    expect([replace.statusCode, replace.json().error.message]).toEqual([400, 'email: already has a pending invitation']);
  });

  it.each([
    [{ email: 'not-an-email', role: 'member', clientIds: ['alpha'] }, /^email: /],
    [{ email: 'vera@alpha.example', role: 'member', clientIds: ['alpha'] }, /^email: already has an account$/],
    [{ email: 'VERA@ALPHA.EXAMPLE', role: 'member', clientIds: ['alpha'] }, /^email: already has an account$/],
    [{ email: 'r@alpha.example', role: 'owner', clientIds: ['alpha'] }, /^role: /],
    [{ email: 'r@alpha.example', role: 'member', clientIds: ['gamma'] }, /^clients: unknown client "gamma"$/],
    [{ email: 'r@alpha.example', role: 'member', clientIds: ['alpha', 'beta'] }, /^clients: a member belongs to exactly one client$/],
    [{ email: 'r@alpha.example', role: 'member' }, /^clients: a member belongs to exactly one client$/],
    [{ email: 'r@alpha.example', role: 'member', clients: { alpha: 'owner' } }, /^clients: /],
    [{ email: 'r@alpha.example', role: 'member', clientIds: ['alpha'], allClients: true }, /^allClients: /],
  ])('answers a malformed invitation %j with 400 naming the field', async (body, message) => {
    const res = await invite(cookies.admin, body);
    expect(res.statusCode, res.body).toBe(400);
    expect(res.json().error.message).toMatch(message);
  });

  it('lets the admin key invite too, and refuses no credential with 401', async () => {
    const res = await app.inject({ method: 'POST', url: '/api/invitations', payload: { email: 'bykey@alpha.example', role: 'member', clientIds: ['alpha'] }, headers: bearer(KEYS.admin) });
    expect(res.statusCode, res.body).toBe(201);
    expect(res.json().invitation.invitedBy).toEqual({ id: null, label: 'ADMIN_API_KEY' });
    const none = await app.inject({ method: 'POST', url: '/api/invitations', payload: { email: 'x@alpha.example', role: 'member', clientIds: ['alpha'] }, headers: SAME_ORIGIN });
    expect(none.statusCode).toBe(401);
  });
});

describe('password resets', () => {
  it('answers a reset for an unknown address exactly like one for a known address; only the known one gets an email', async () => {
    const unknown = await app.inject({ method: 'POST', url: '/api/password-resets', payload: { email: 'nobody@alpha.example' }, headers: SAME_ORIGIN });
    const known = await app.inject({ method: 'POST', url: '/api/password-resets', payload: { email: people.betaMember.email }, headers: SAME_ORIGIN });
    expect(unknown.statusCode).toBe(202);
    expect([known.statusCode, known.body, known.headers['content-type']]).toEqual([unknown.statusCode, unknown.body, unknown.headers['content-type']]);
    const pageUnknown = await form('/password-reset', { email: 'nobody@alpha.example' });
    const pageKnown = await form('/password-reset', { email: people.betaMember.email });
    expect(pageUnknown.statusCode).toBe(200);
    expect([pageKnown.statusCode, pageKnown.body]).toEqual([pageUnknown.statusCode, pageUnknown.body]);

    // The emails go out after the answer: wait for both of the known address's, then check nothing else came.
    const mails = await smtp.waitForMessages(2);
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(smtp.messages).toHaveLength(2);
    expect(mails.map((m) => (m.to as { text: string }).text)).toEqual([people.betaMember.email, people.betaMember.email]);
    expect(mails[1]!.text).toMatch(RESET_LINK);
    const { rows } = await db().query(`SELECT "to" FROM notify.outbox WHERE subject LIKE '%password%'`);
    expect(rows.map((r) => r.to)).not.toContain('nobody@alpha.example');
    // Only the newer link works (the two are made after their answers, in either order).
    const tokens = mails.map((m) => RESET_LINK.exec(m.text!)![1]!);
    const statuses = await Promise.all(tokens.map(async (token) => (await app.inject({ method: 'GET', url: `/password-reset/${token}` })).statusCode));
    expect(statuses.sort()).toEqual([200, 410]);
    const audit = await auditOf('password-reset-requested');
    expect(audit.filter((e) => e.target === 'nobody@alpha.example').map((e) => JSON.parse(e.details))).toEqual([{ account: false }, { account: false }]);
  });

  it('sets the new password once, ends every old session of that person, and signs them in', async () => {
    const before = await signInPerson(app, people.betaMember.email);
    const otherDevice = await signInPerson(app, people.betaMember.email);
    expect((await app.inject({ method: 'GET', url: '/api/me', headers: { cookie: before } })).statusCode).toBe(200);
    await app.inject({ method: 'POST', url: '/api/password-resets', payload: { email: people.betaMember.email }, headers: SAME_ORIGIN });
    const [mail] = await smtp.waitForMessages(1);
    const token = RESET_LINK.exec(mail!.text!)![1]!;

    const page = await app.inject({ method: 'GET', url: `/password-reset/${token}` });
    expect([page.statusCode, page.body.includes(people.betaMember.email)]).toEqual([200, true]);
    const weak = await form(`/password-reset/${token}`, { password: WEAK });
    expect([weak.statusCode, weak.body.includes('The password ')]).toEqual([400, true]);
    const weakJson = await app.inject({ method: 'POST', url: '/api/password-resets/complete', payload: { token, password: WEAK }, headers: SAME_ORIGIN });
    expect([weakJson.statusCode, weakJson.json().error.message]).toEqual([400, expect.stringMatching(/^password: /)]);

    const done = await form(`/password-reset/${token}`, { password: NEW_PASSWORD });
    expect([done.statusCode, done.headers.location]).toEqual([303, '/']);
    const fresh = cookieOf(done)!;
    expect((await app.inject({ method: 'GET', url: '/api/me', headers: { cookie: fresh } })).json()).toMatchObject({ label: people.betaMember.email });
    for (const old of [before, otherDevice]) expect((await app.inject({ method: 'GET', url: '/api/me', headers: { cookie: old } })).statusCode).toBe(401);
    const { rows } = await db().query('SELECT count(*)::int AS n FROM access.sessions WHERE user_id = $1', [people.betaMember.id]);
    expect(rows[0].n).toBe(1);

    await expect(signInPerson(app, people.betaMember.email, PERSON_PASSWORD)).rejects.toThrow(/401/);
    expect(await signInPerson(app, people.betaMember.email, NEW_PASSWORD)).toMatch(SESSION_COOKIE);
    const again = await app.inject({ method: 'POST', url: '/api/password-resets/complete', payload: { token, password: NEW_PASSWORD }, headers: SAME_ORIGIN });
    expect([again.statusCode, again.json().error.code]).toEqual([410, 'LINK_USED']);
    expect((await auditOf('password-reset')).map((e) => e.target)).toContain(people.betaMember.email);
  });

  it('lets an admin create a reset link for a person (48 hours), shown once and emailed', async () => {
    const res = await app.inject({ method: 'POST', url: `/api/users/${people.member.id}/password-reset`, headers: asBrowser(cookies.admin) });
    expect(res.statusCode, res.body).toBe(201);
    expect(res.json()).toMatchObject({ link: expect.stringMatching(RESET_LINK), emailed: true, delivery: { status: 'sent' } });
    expect(Date.parse(res.json().expiresAt) - Date.now()).toBeGreaterThan(47.9 * 3_600_000);
    const [mail] = await smtp.waitForMessages(1);
    expect(mail!.text).toContain(res.json().link);
    expect(mail!.text).toContain(people.admin.email);
  });

  it('lets an operator create one for a member it manages, not for an admin (404), and no member at all (403)', async () => {
    expect((await app.inject({ method: 'POST', url: `/api/users/${people.member.id}/password-reset`, headers: asBrowser(cookies.operator) })).statusCode).toBe(201);
    expect((await app.inject({ method: 'POST', url: `/api/users/${people.admin.id}/password-reset`, headers: asBrowser(cookies.operator) })).statusCode).toBe(404);
    expect((await app.inject({ method: 'POST', url: `/api/users/${people.betaMember.id}/password-reset`, headers: asBrowser(cookies.operator) })).statusCode).toBe(404);
    expect((await app.inject({ method: 'POST', url: `/api/users/${people.member.id}/password-reset`, headers: asBrowser(cookies.member) })).statusCode).toBe(403);
  });

  it('builds links from PUBLIC_URL when it is set', async () => {
    const other = await buildTestApp([testClient('alpha', 'UTC', null)], { admin: KEYS.admin, publicUrl: 'https://analytics.agency.example' });
    try {
      const res = await other.inject({ method: 'POST', url: '/api/invitations', payload: { email: 'p@alpha.example', role: 'member', clientIds: ['alpha'] }, headers: bearer(KEYS.admin) });
      expect(res.json().link).toMatch(/^https:\/\/analytics\.agency\.example\/invitations\/[A-Za-z0-9_-]{43}$/);
    } finally {
      await other.close();
    }
  });
});

describe('secrets', () => {
  it('never writes a link, or its token, into a log line; Fastify logs the path as /invitations/[token]', async () => {
    const { link } = (await invite(cookies.admin, { email: 'logged@alpha.example', role: 'member', clientIds: ['alpha'] })).json();
    await app.inject({ method: 'GET', url: new URL(link).pathname });
    await form(new URL(link).pathname, { name: 'L', password: WEAK });
    const token = tokenOf(link);
    const incoming = await eventually(async () => logLines.filter((line) => line.includes('incoming request') && line.includes('/invitations/[token]')), (found) => found.length >= 2);
    expect(incoming.length).toBeGreaterThanOrEqual(2);
    expect(logLines.length).toBeGreaterThan(10);
    expect(logLines.filter((line) => line.includes(token))).toEqual([]);
    expect(logLines.filter((line) => /\/(?:invitations|password-reset)\/[A-Za-z0-9_-]{43}/.test(line))).toEqual([]);
    expect(logLines.some((line) => line.includes('/api/invitations/accept') || line.includes('"url":"/api/invitations"'))).toBe(true);
  });
});
