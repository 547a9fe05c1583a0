import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FastifyInstance } from 'fastify';
import { createUser, updateUser } from '../../src/access/users.ts';
import { parseSsoDomains, type SsoConfig } from '../../src/config/sso.ts';
import { SESSION_COOKIE } from '../../src/http/session.ts';
import { SSO_FLOW_COOKIE } from '../../src/http/routes/sso.ts';
import { bearer, buildTestApp, KEYS, runtimeOf, testClient } from '../helpers/buildTestApp.ts';
import { CookieBrowser, formOf, type Hop } from '../helpers/cookieBrowser.ts';
import { freePort } from '../helpers/freePort.ts';
import { startOidcProvider, type TestProvider } from '../helpers/oidcProvider.ts';
import { OIDC_CLIENT_SECRET } from '../helpers/secrets.ts';

/**
 * Single sign-on against a real OpenID Connect provider (oidc-provider, started here on a loopback port): every step
 * is a real HTTP request — our start page, the provider's authorization endpoint, its sign-in and consent forms, our
 * callback — with cookies carried by hand, as a browser would. Nothing of ours is mocked.
 */
const CLIENT_ID = 'chatbot-analytics';
const DOMAINS = 'example.com:operator, partner.example:member@maple, gone.example:member@removed-client';
const NEXT = '/maple/dashboard?range=7d';

interface Platform {
  app: FastifyInstance;
  base: string;
  provider: TestProvider;
  logs: string[];
}

/** A provider, and our app listening on the port its redirect URI names. */
async function startPlatform(options: { conformIdTokenClaims?: boolean; issuer?: string } = {}): Promise<Platform> {
  const port = await freePort();
  const base = `http://127.0.0.1:${port}`;
  const provider = await startOidcProvider({
    clientId: CLIENT_ID, clientSecret: OIDC_CLIENT_SECRET, redirectUri: `${base}/auth/oidc/callback`, conformIdTokenClaims: options.conformIdTokenClaims,
  });
  const sso: SsoConfig = {
    issuer: options.issuer ?? provider.issuer, clientId: CLIENT_ID, clientSecret: OIDC_CLIENT_SECRET, label: 'Sign in with Acme ID', domains: parseSsoDomains(DOMAINS).rules,
  };
  const logs: string[] = [];
  const app = await buildTestApp([testClient('maple', 'Europe/London', null), testClient('birch', 'Europe/Paris', null)], {
    admin: KEYS.admin, logLines: logs, publicUrl: base, sso,
  });
  await app.listen({ port, host: '127.0.0.1' });
  return { app, base, provider, logs };
}

async function stopPlatform(platform: Platform | undefined): Promise<void> {
  await platform?.app.close();
  await platform?.provider.close();
}

const isCallback = (base: string) => (url: URL) => url.origin === base && url.pathname === '/auth/oidc/callback';

/**
 * Starts single sign-on at our `/auth/oidc/start`, signs in at the provider as `login` (its sign-in form, then its
 * consent form, or neither when the provider remembers both), and returns the redirect to our callback — not yet
 * followed, so a test may tamper with it (or with the authorization request, through `rewrite`).
 */
async function throughProvider(platform: Platform, browser: CookieBrowser, login: string, next = NEXT, rewrite?: (authorize: URL) => void): Promise<URL> {
  const stop = isCallback(platform.base);
  const start = await browser.request(`${platform.base}/auth/oidc/start?next=${encodeURIComponent(next)}`);
  if (start.status !== 303) throw new Error(`start answered ${start.status} ${start.body.slice(0, 300)}`);
  const authorize = new URL(start.location!);
  rewrite?.(authorize);
  let hop: Hop = await browser.follow(authorize.href, stop);
  for (let step = 0; !(hop.location && stop(new URL(hop.location))); step++) {
    if (step > 4 || hop.status !== 200) throw new Error(`unexpected answer at ${hop.url}: ${hop.status} ${hop.body.slice(0, 300)}`);
    const form = formOf(hop.body, hop.url);
    if (form.fields.prompt === 'login') Object.assign(form.fields, { login, password: 'any password: the dev provider checks none' });
    hop = await browser.follow(form.action, stop, { form: form.fields });
  }
  return new URL(hop.location!);
}

/** The whole sign-in; the answer of our callback. */
async function signInWithSso(platform: Platform, browser: CookieBrowser, login: string, next = NEXT): Promise<Hop> {
  return browser.request((await throughProvider(platform, browser, login, next)).href);
}

async function me(platform: Platform, browser: CookieBrowser) {
  const res = await fetch(`${platform.base}/api/me`, { headers: { cookie: browser.cookieHeader(new URL(`${platform.base}/api/me`)) } });
  return { status: res.status, body: await res.json() as { kind: string; label: string; userId: string; role: string; allClients: boolean; clients: { id: string; role: string }[] } };
}

const pool = (platform: Platform) => runtimeOf(platform.app).platform.pool;

async function people(platform: Platform, email: string) {
  const { rows } = await pool(platform).query<{ id: string; role: string; password_hash: string | null; all_clients: boolean; clients: Record<string, string> | null }>(
    `SELECT u.id, u.role, u.password_hash, u.all_clients,
            (SELECT jsonb_object_agg(c.client_id, c.client_role) FROM access.user_clients c WHERE c.user_id = u.id) AS clients
       FROM access.users u WHERE lower(u.email) = $1`, [email]);
  return rows;
}

async function auditOf(platform: Platform, action: string, target?: string) {
  const { rows } = await pool(platform).query<{ actor_label: string; target: string | null; details: Record<string, unknown> }>(
    'SELECT actor_label, target, details FROM access.audit WHERE action = $1 AND ($2::text IS NULL OR target = $2 OR actor_label = $2) ORDER BY id',
    [action, target ?? null]);
  return rows;
}

const sessionCookieSet = (browser: CookieBrowser, base: string) => browser.cookie(base, SESSION_COOKIE) !== undefined;

describe('single sign-on with OpenID Connect (a real provider)', () => {
  let platform: Platform;

  beforeAll(async () => {
    platform = await startPlatform();
    const accounts = platform.provider.accounts;
    accounts.set('ana', { email: 'Ana@Example.com', email_verified: true, name: 'Ana Lima' });
    accounts.set('pat', { email: 'pat@partner.example', email_verified: true, name: 'Pat Partner' });
    accounts.set('gus', { email: 'gus@gmail.com', email_verified: true });
    accounts.set('uma', { email: 'uma@example.com', email_verified: false });
    accounts.set('noemail', { name: 'No Email' });
    accounts.set('entra', { email: 'eve@example.com', xms_edov: true, name: 'Eve Entra' });
    accounts.set('entra-false', { email: 'fay@example.com', email_verified: false, xms_edov: true });
    accounts.set('olga', { email: 'olga@gone.example', email_verified: true });
  }, 60_000);
  afterAll(() => stopPlatform(platform));

  it('offers the button on the sign-in page, keeping next', async () => {
    const res = await fetch(`${platform.base}/login?next=${encodeURIComponent(NEXT)}`);
    const html = await res.text();
    expect(res.status).toBe(200);
    expect(html).toContain('Sign in with Acme ID');
    expect(html).toContain(`href="/auth/oidc/start?next=${encodeURIComponent(NEXT)}"`);
  });

  it('sends the browser to the provider with the code flow, PKCE S256, state and nonce, in a signed httpOnly cookie', async () => {
    const browser = new CookieBrowser();
    const hop = await browser.request(`${platform.base}/auth/oidc/start?next=${encodeURIComponent(NEXT)}`);
    expect(hop.status).toBe(303);
    const url = new URL(hop.location!);
    expect(url.origin).toBe(platform.provider.issuer);
    expect(Object.fromEntries(url.searchParams)).toMatchObject({
      response_type: 'code', client_id: CLIENT_ID, redirect_uri: `${platform.base}/auth/oidc/callback`, scope: 'openid email profile', code_challenge_method: 'S256',
    });
    for (const name of ['state', 'nonce', 'code_challenge']) expect(url.searchParams.get(name)).toMatch(/^[A-Za-z0-9_-]{43,}$/);
    // The value is signed with SESSION_SECRET (`payload.signature`).
    expect(browser.cookie(platform.base, SSO_FLOW_COOKIE)).toMatch(/^[A-Za-z0-9_-]+\.[A-Za-z0-9%+/=_-]+$/);
    const res = await fetch(`${platform.base}/auth/oidc/start`, { redirect: 'manual' });
    const flowCookie = res.headers.getSetCookie().find((c) => c.startsWith(`${SSO_FLOW_COOKIE}=`));
    expect(flowCookie).toMatch(/; HttpOnly/i);
    expect(flowCookie).toMatch(/; SameSite=Lax/i);
    expect(flowCookie).toMatch(/; Path=\/auth\/oidc\//);
    expect(flowCookie).toMatch(/; Max-Age=600/);
  });

  it('creates a person of an allowed domain with its role, no password, and lands them signed in on next', async () => {
    const browser = new CookieBrowser();
    const callback = await signInWithSso(platform, browser, 'ana');
    expect(callback.status).toBe(303);
    expect(callback.location).toBe(`${platform.base}${NEXT}`);
    expect(sessionCookieSet(browser, platform.base)).toBe(true);
    expect(browser.cookie(platform.base, SSO_FLOW_COOKIE)).toBeUndefined(); // used once, then cleared

    const who = await me(platform, browser);
    expect(who.status).toBe(200);
    expect(who.body).toMatchObject({ kind: 'user', label: 'ana@example.com', role: 'operator', allClients: true });
    const [ana] = await people(platform, 'ana@example.com');
    expect(ana).toMatchObject({ role: 'operator', all_clients: true, password_hash: null });
    const { rows: identities } = await pool(platform).query('SELECT user_id, issuer, subject, email FROM access.user_identities WHERE user_id = $1', [ana!.id]);
    expect(identities).toEqual([{ user_id: ana!.id, issuer: platform.provider.issuer, subject: 'ana', email: 'ana@example.com' }]);

    const signIns = await auditOf(platform, 'sign-in', 'ana@example.com');
    expect(signIns.at(-1)!.details).toMatchObject({ with: 'sso', created: true });
    expect(await auditOf(platform, 'person-created', 'ana@example.com')).toHaveLength(1);
  });

  it('makes a person of a member domain a viewer of that one client', async () => {
    const browser = new CookieBrowser();
    expect((await signInWithSso(platform, browser, 'pat', '/')).location).toBe(`${platform.base}/`);
    const who = await me(platform, browser);
    expect(who.body).toMatchObject({ role: 'member', allClients: false, clients: [{ id: 'maple', role: 'viewer' }] });
  });

  it('signs the same person in again on a second sign-in (a fresh browser, and one the provider remembers)', async () => {
    const [before] = await people(platform, 'ana@example.com');
    const { rows: [count] } = await pool(platform).query<{ n: number }>('SELECT count(*)::int AS n FROM access.users');
    const fresh = new CookieBrowser();
    expect((await signInWithSso(platform, fresh, 'ana')).status).toBe(303);
    expect((await me(platform, fresh)).body.userId).toBe(before!.id);
    // The provider remembers its session and the consent: it sends the browser straight back.
    const providerHops = fresh.hops.length;
    expect((await signInWithSso(platform, fresh, 'ana')).status).toBe(303);
    expect(fresh.hops.slice(providerHops).every((hop) => !hop.body.includes('<form'))).toBe(true);
    expect((await me(platform, fresh)).body.userId).toBe(before!.id);
    const { rows: [after] } = await pool(platform).query<{ n: number }>('SELECT count(*)::int AS n FROM access.users');
    expect(after!.n).toBe(count!.n);
    expect((await auditOf(platform, 'sign-in', 'ana@example.com')).at(-1)!.details).toMatchObject({ with: 'sso', created: false });
  });

  it('refuses a domain that is not allowed: no account, a clear page, audited', async () => {
    const browser = new CookieBrowser();
    const callback = await signInWithSso(platform, browser, 'gus');
    expect(callback.status).toBe(403);
    expect(callback.body).toContain('Accounts of gmail.com cannot sign in here');
    expect(sessionCookieSet(browser, platform.base)).toBe(false);
    expect(await people(platform, 'gus@gmail.com')).toEqual([]);
    expect(await auditOf(platform, 'sign-in-failed', 'gus@gmail.com')).toEqual([
      { actor_label: 'gus@gmail.com', target: 'gus@gmail.com', details: { with: 'sso', reason: 'domain-not-allowed' } },
    ]);
  });

  it('refuses an email the provider has not verified, and an account without an email', async () => {
    const uma = await signInWithSso(platform, new CookieBrowser(), 'uma');
    expect(uma.status).toBe(403);
    expect(uma.body).toContain('has not verified uma@example.com');
    expect(await people(platform, 'uma@example.com')).toEqual([]);
    expect((await auditOf(platform, 'sign-in-failed', 'uma@example.com'))[0]!.details).toEqual({ with: 'sso', reason: 'unverified-email' });

    const none = await signInWithSso(platform, new CookieBrowser(), 'noemail');
    expect(none.status).toBe(403);
    expect(none.body).toContain('did not tell us your email address');
  });

  it('accepts Microsoft Entra ID\'s xms_edov in place of a missing email_verified, never over email_verified: false', async () => {
    const eve = new CookieBrowser();
    expect((await signInWithSso(platform, eve, 'entra')).status).toBe(303);
    expect((await me(platform, eve)).body).toMatchObject({ label: 'eve@example.com', role: 'operator' });
    const fay = await signInWithSso(platform, new CookieBrowser(), 'entra-false');
    expect(fay.status).toBe(403);
    expect(await people(platform, 'fay@example.com')).toEqual([]);
  });

  it('refuses a tampered state, a missing or forged flow cookie, and a replayed code', async () => {
    // The state in the provider's answer changed: it is no longer the sign-in this browser started.
    const tampered = new CookieBrowser();
    const callback = await throughProvider(platform, tampered, 'ana');
    const state = callback.searchParams.get('state')!;
    callback.searchParams.set('state', `${state.slice(0, -1)}${state.endsWith('A') ? 'B' : 'A'}`);
    const refused = await tampered.request(callback.href);
    expect(refused.status).toBe(400);
    expect(refused.body).toContain('does not match the sign-in that was started here');
    expect(platform.logs.some((line) => line.includes('"reason":"invalid-response","detail":"OAUTH_INVALID_RESPONSE"'))).toBe(true);
    expect(sessionCookieSet(tampered, platform.base)).toBe(false);

    // A genuine answer opened in another browser (login CSRF: someone else's sign-in planted on you).
    const victim = new CookieBrowser();
    const planted = await victim.request((await throughProvider(platform, new CookieBrowser(), 'ana')).href);
    expect(planted.status).toBe(400);
    expect(planted.body).toContain('was not started in this browser');
    expect(sessionCookieSet(victim, platform.base)).toBe(false);

    // The flow cookie's signature broken.
    const forged = new CookieBrowser();
    const answer = await throughProvider(platform, forged, 'ana');
    const flow = forged.cookie(platform.base, SSO_FLOW_COOKIE)!;
    forged.setCookie(platform.base, SSO_FLOW_COOKIE, `${flow.slice(0, -2)}xx`, '/auth/oidc/');
    expect((await forged.request(answer.href)).status).toBe(400);

    // A code used once cannot sign in again, even with the flow cookie put back.
    const replay = new CookieBrowser();
    const first = await throughProvider(platform, replay, 'ana');
    const cookie = replay.cookie(platform.base, SSO_FLOW_COOKIE)!;
    expect((await replay.request(first.href)).status).toBe(303);
    const fresh = new CookieBrowser();
    fresh.setCookie(platform.base, SSO_FLOW_COOKIE, cookie, '/auth/oidc/');
    const again = await fresh.request(first.href);
    expect(again.status).toBe(401);
    expect(sessionCookieSet(fresh, platform.base)).toBe(false);

    const reasons = (await auditOf(platform, 'sign-in-failed')).map((row) => row.details.reason);
    expect(reasons).toEqual(expect.arrayContaining(['invalid-response', 'provider-error']));
  });

  it('refuses an ID token whose nonce is not the one this browser sent, and a code whose PKCE challenge was changed', async () => {
    // Someone swapped the nonce in the authorization request: the provider's ID token carries theirs, not ours.
    const nonce = new CookieBrowser();
    const swapped = await throughProvider(platform, nonce, 'ana', NEXT, (authorize) => authorize.searchParams.set('nonce', 'a-nonce-of-someone-else-0123456789abcdef'));
    const refused = await nonce.request(swapped.href);
    expect(refused.status).toBe(400);
    expect(platform.logs.some((line) => line.includes('"reason":"invalid-response","detail":"OAUTH_JWT_CLAIM_COMPARISON_FAILED"'))).toBe(true);
    expect(sessionCookieSet(nonce, platform.base)).toBe(false);

    // Someone swapped the PKCE challenge: the provider will not give the code's tokens for our verifier.
    const pkce = new CookieBrowser();
    const challenged = await throughProvider(platform, pkce, 'ana', NEXT, (authorize) => authorize.searchParams.set('code_challenge', 'A'.repeat(43)));
    const denied = await pkce.request(challenged.href);
    expect(denied.status).toBe(401);
    expect(denied.body).toContain('did not sign you in (invalid_grant)');
    expect(sessionCookieSet(pkce, platform.base)).toBe(false);
  });

  it('answers hostile callbacks with a refusal, never a 500 and never a session', async () => {
    const queries = ['', '?', '?code=', '?state=', '?code=a&code=b', '?state=a&state=b', `?code=${'x'.repeat(3000)}`, '?code=%00%ff&state=%E0%A4%A',
      '?error=', '?error=server_error&error_description=%3Cscript%3E', '?iss=http%3A%2F%2Fevil.example&code=x', '?response=eyJhbGciOiJub25lIn0.e30.'];
    for (const query of queries) {
      const browser = new CookieBrowser();
      const real = await throughProvider(platform, browser, 'ana');
      const withState = query.includes('state=') ? query : `${query}${query.includes('?') ? '&' : '?'}state=${real.searchParams.get('state')}`;
      const hop = await browser.request(`${platform.base}/auth/oidc/callback${withState}`);
      expect([400, 401, 414], `${query} → ${hop.status} ${hop.body.slice(0, 200)}`).toContain(hop.status);
      expect(sessionCookieSet(browser, platform.base)).toBe(false);
      expect(hop.body).not.toContain('<script>');
    }
  });

  it('answers JSON in our error shape to a caller that asks for it', async () => {
    const res = await fetch(`${platform.base}/auth/oidc/callback?code=x&state=y`, { headers: { accept: 'application/json' } });
    expect(res.status).toBe(400);
    expect(await res.json()).toEqual({ error: { code: 'SSO_INVALID_RESPONSE', message: expect.stringContaining('not started in this browser') } });
  });

  it('says so when the person cancels at the provider', async () => {
    const browser = new CookieBrowser();
    const stop = isCallback(platform.base);
    const login = await browser.follow(`${platform.base}/auth/oidc/start`, stop);
    const abort = /href="([^"]*\/abort)"/.exec(login.body)?.[1];
    expect(abort).toBeDefined();
    const back = await browser.follow(new URL(abort!, login.url).href, stop);
    expect(new URL(back.location!).searchParams.get('error')).toBe('access_denied');
    const callback = await browser.request(back.location!);
    expect(callback.status).toBe(401);
    expect(callback.body).toContain('did not sign you in (access_denied)');
  });

  it('lets an existing person sign in keeping their own role, and refuses a disabled one', async () => {
    const db = pool(platform);
    const admin = await createUser(db, { email: 'root@example.com', name: 'Root', role: 'admin', allClients: true, clients: {}, passwordHash: null });
    platform.provider.accounts.set('root', { email: 'root@example.com', email_verified: true });
    const browser = new CookieBrowser();
    expect((await signInWithSso(platform, browser, 'root')).status).toBe(303);
    expect((await me(platform, browser)).body).toMatchObject({ userId: admin!.id, role: 'admin' }); // not the domain's operator

    const member = await createUser(db, { email: 'dan@example.com', name: 'Dan', role: 'member', allClients: false, clients: { birch: 'editor' }, passwordHash: null });
    await updateUser(db, member!.id, { disabled: true });
    platform.provider.accounts.set('dan', { email: 'dan@example.com', email_verified: true });
    const refused = await signInWithSso(platform, new CookieBrowser(), 'dan');
    expect(refused.status).toBe(403);
    expect(refused.body).toContain('This account is disabled');
    expect((await auditOf(platform, 'sign-in-failed', 'dan@example.com'))[0]!.details).toEqual({ with: 'sso', reason: 'disabled' });
  });

  it('follows the subject, not the email: a changed email at the provider takes over nobody', async () => {
    const db = pool(platform);
    const [ana] = await people(platform, 'ana@example.com');
    const bob = await createUser(db, { email: 'bob@example.com', name: 'Bob', role: 'member', allClients: false, clients: { birch: 'viewer' }, passwordHash: null });
    // At the provider, ana's account now says bob's address: it still signs in ana.
    platform.provider.accounts.set('ana', { email: 'bob@example.com', email_verified: true });
    const browser = new CookieBrowser();
    expect((await signInWithSso(platform, browser, 'ana')).status).toBe(303);
    expect((await me(platform, browser)).body.userId).toBe(ana!.id);
    expect((await me(platform, browser)).body.userId).not.toBe(bob!.id);

    // A different subject asserting ana's address (an account re-created at the provider) is refused.
    platform.provider.accounts.set('ana-again', { email: 'ana@example.com', email_verified: true });
    const other = await signInWithSso(platform, new CookieBrowser(), 'ana-again');
    expect(other.status).toBe(403);
    expect(other.body).toContain('already linked to a different single sign-on account');
    platform.provider.accounts.set('ana', { email: 'ana@example.com', email_verified: true, name: 'Ana Lima' });
  });

  it('refuses a domain mapped to a client that does not exist', async () => {
    const refused = await signInWithSso(platform, new CookieBrowser(), 'olga');
    expect(refused.status).toBe(403);
    expect(await people(platform, 'olga@gone.example')).toEqual([]);
  });

  it('never writes the client secret, a token, the code or the state to the log', async () => {
    const lines = platform.logs.join('\n');
    expect(platform.logs.length, 'lines captured').toBeGreaterThan(20);
    expect(lines.includes(OIDC_CLIENT_SECRET), 'the client secret').toBe(false);
    expect(/eyJ[A-Za-z0-9_-]{8,}\.eyJ/.exec(lines)?.[0], 'a JWT').toBeUndefined();
    expect(lines, 'the callback is logged, redacted').toContain('/auth/oidc/callback?code=[redacted]');
    expect(/\/auth\/oidc\/callback\?[^"\s]*\b(?:code|state)=(?!\[redacted\])[^"\s]*/.exec(lines)?.[0], 'a code or state').toBeUndefined();
  });
});

describe('single sign-on with a provider that keeps the email out of the ID token', () => {
  let platform: Platform;
  beforeAll(async () => {
    platform = await startPlatform({ conformIdTokenClaims: true });
    platform.provider.accounts.set('ivy', { email: 'ivy@partner.example', email_verified: true, name: 'Ivy' });
    platform.provider.accounts.set('ned', { email: 'ned@partner.example', email_verified: false });
  }, 60_000);
  afterAll(() => stopPlatform(platform));

  it('reads the email from UserInfo, for the ID token\'s subject', async () => {
    const browser = new CookieBrowser();
    expect((await signInWithSso(platform, browser, 'ivy')).status).toBe(303);
    expect((await me(platform, browser)).body).toMatchObject({ label: 'ivy@partner.example', role: 'member', clients: [{ id: 'maple', role: 'viewer' }] });
    expect((await signInWithSso(platform, new CookieBrowser(), 'ned')).status).toBe(403);
  });
});

describe('single sign-on when the provider cannot be reached', () => {
  let platform: Platform;
  let providerPort: number;
  let late: TestProvider | undefined;
  beforeAll(async () => {
    providerPort = await freePort();
    platform = await startPlatform({ issuer: `http://127.0.0.1:${providerPort}` });
  }, 60_000);
  afterAll(async () => {
    await stopPlatform(platform);
    await late?.close();
  });

  it('answers a clear page (502), not a 500, and tries again on the next sign-in', async () => {
    const res = await fetch(`${platform.base}/auth/oidc/start`, { redirect: 'manual', headers: { accept: 'text/html' } });
    expect(res.status).toBe(502);
    expect(await res.text()).toContain('could not be reached');
    const json = await fetch(`${platform.base}/auth/oidc/start`, { redirect: 'manual', headers: { accept: 'application/json' } });
    expect(json.status).toBe(502);
    expect((await json.json() as { error: { code: string } }).error.code).toBe('SSO_PROVIDER_UNAVAILABLE');
    expect((await auditOf(platform, 'sign-in-failed')).map((row) => row.details)).toEqual([
      { with: 'sso', reason: 'provider-unavailable' }, { with: 'sso', reason: 'provider-unavailable' },
    ]);

    // The provider comes up: the failed discovery was not kept, and the next sign-in goes through.
    late = await startOidcProvider({ clientId: CLIENT_ID, clientSecret: OIDC_CLIENT_SECRET, redirectUri: `${platform.base}/auth/oidc/callback`, port: providerPort });
    late.accounts.set('kim', { email: 'kim@example.com', email_verified: true });
    const browser = new CookieBrowser();
    expect((await signInWithSso({ ...platform, provider: late }, browser, 'kim')).status).toBe(303);
    expect((await me(platform, browser)).body).toMatchObject({ label: 'kim@example.com', role: 'operator' });
  });

  it('refuses a next that is not a path on this site before going anywhere', async () => {
    const res = await fetch(`${platform.base}/auth/oidc/start?next=${encodeURIComponent('//evil.example/')}`, { redirect: 'manual' });
    expect(res.status).toBe(400);
    expect((await res.json() as { error: { message: string } }).error.message).toMatch(/^next:/);
  });
});

describe('without single sign-on configured', () => {
  it('has no /auth/oidc routes and no button', async () => {
    const app = await buildTestApp([testClient('maple', 'Europe/London', null)], { admin: KEYS.admin });
    try {
      expect((await app.inject({ method: 'GET', url: '/auth/oidc/start', headers: bearer(KEYS.admin) })).statusCode).toBe(404);
      expect((await app.inject({ method: 'GET', url: '/auth/oidc/callback?code=x&state=y', headers: bearer(KEYS.admin) })).statusCode).toBe(404);
      expect((await app.inject({ method: 'GET', url: '/login' })).body).not.toContain('/auth/oidc/start');
    } finally {
      await app.close();
    }
  });
});
