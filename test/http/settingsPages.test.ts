import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readWebAssets, SETTINGS_ENTRY, WEB_BUILD_DIR } from '../../src/http/pages/assets.ts';
import { SETTINGS_BOOT_ID } from '../../src/http/pages/boot.ts';
import { bearer, buildTestApp, KEYS, testClient } from '../helpers/buildTestApp.ts';
import { addPerson, asBrowser, signInPerson } from '../helpers/people.ts';
import { signIn } from '../helpers/sessionCookies.ts';
import { ensureWebBuild } from '../web/support/webBuild.ts';

/**
 * The settings pages as HTTP (their behaviour in a browser is in test/web): who gets a page and who is sent to sign
 * in, the headers they carry, what the boot data holds — `GET /api/me` with `may`, which the pages' navigation
 * follows — and what `may` says for each kind of principal.
 */
type App = Awaited<ReturnType<typeof buildTestApp>>;
let app: App;
const cookies = {} as Record<'admin' | 'operator' | 'viewer' | 'editor' | 'key', string>;
let serviceToken = '';

beforeAll(async () => {
  await ensureWebBuild();
  app = await buildTestApp([testClient('alpha', 'UTC', null), testClient('beta', 'UTC', null)], { admin: KEYS.admin, clients: { alpha: KEYS.alpha } });
  await addPerson(app, { email: 'ada@agency.example', role: 'admin' });
  await addPerson(app, { email: 'otto@agency.example', role: 'operator', clients: { beta: 'viewer' } });
  await addPerson(app, { email: 'vera@alpha.example', role: 'member', clients: { alpha: 'viewer' } });
  await addPerson(app, { email: 'ed@alpha.example', role: 'member', clients: { alpha: 'editor' } });
  cookies.admin = await signInPerson(app, 'ada@agency.example');
  cookies.operator = await signInPerson(app, 'otto@agency.example');
  cookies.viewer = await signInPerson(app, 'vera@alpha.example');
  cookies.editor = await signInPerson(app, 'ed@alpha.example');
  cookies.key = await signIn(app, KEYS.alpha);
  const created = await app.inject({ method: 'POST', url: '/api/tokens', headers: asBrowser(cookies.editor), payload: { name: 'report', kind: 'service', clientId: 'alpha' } });
  serviceToken = created.json().token;
}, 60_000);
afterAll(async () => {
  await app?.close();
});

const get = (url: string, headers: Record<string, string> = {}) => app.inject({ method: 'GET', url, headers });
const bootOf = (html: string) => JSON.parse(new RegExp(`<script type="application/json" id="${SETTINGS_BOOT_ID}">(.*?)</script>`).exec(html)![1]!);

describe('the settings pages', () => {
  it('send a browser without a session to sign in and back, and /settings to the account page', async () => {
    for (const page of ['account', 'people', 'audit']) {
      const res = await get(`/settings/${page}`);
      expect([res.statusCode, res.headers.location]).toEqual([302, `/login?next=%2Fsettings%2F${page}`]);
    }
    // A bearer credential is for the API: pages need the browser's session.
    expect((await get('/settings/account', bearer(KEYS.admin))).headers.location).toBe('/login?next=%2Fsettings%2Faccount');
    expect((await get('/settings', { cookie: cookies.admin })).headers.location).toBe('/settings/account');
  });

  it('answer the 404 page for a page there is not', async () => {
    const res = await get('/settings/dashboard', { cookie: cookies.admin });
    expect(res.statusCode).toBe(404);
    expect(res.body).toContain('There is no such settings page.');
  });

  it("load only this site's code, are never cached, and hold /api/me's answer and who is signed in", async () => {
    const res = await get('/settings/people', { cookie: cookies.admin });
    expect(res.statusCode).toBe(200);
    expect(res.headers['cache-control']).toBe('no-store');
    expect(res.headers['content-security-policy']).toBe((await get('/alpha/dashboard', { cookie: cookies.admin })).headers['content-security-policy']);
    expect(res.headers['content-security-policy']).toContain("script-src 'self'");
    const assets = readWebAssets(WEB_BUILD_DIR, SETTINGS_ENTRY)!;
    expect(res.body).toContain(`<script type="module" src="${assets.script}"></script>`);
    for (const style of assets.styles) expect(res.body).toContain(`href="${style}"`);
    const boot = bootOf(res.body);
    expect(boot).toEqual({
      page: 'people', me: (await get('/api/me', { cookie: cookies.admin })).json(), who: 'Signed in as ada@agency.example', demo: false, signedIn: true,
    });
    expect(res.body).not.toContain(cookies.admin.split('=')[1]);
  });

  it('show who is signed in on the client list, with the way to the settings', async () => {
    const list = await get('/', { cookie: cookies.key });
    expect(list.body).toContain('Signed in with the key ALPHA_API_KEY · <a href="/settings/account">Settings</a>');
    expect(list.headers['cache-control']).toBe('no-store');
  });
});

describe('what /api/me says each principal may do (the pages offer just that)', () => {
  const mayOf = async (headers: Record<string, string>) => (await get('/api/me', headers)).json().may;

  it('admins everything but tokens without an account; operators people and their clients\' tokens; editors their tokens', async () => {
    expect(await mayOf({ cookie: cookies.admin })).toEqual({
      managePeople: true, manageClients: true, readAudit: true, createTokens: true, manageTokens: true, manageChannels: true, readOutbox: true, serviceTokenClients: ['alpha', 'beta'],
    });
    expect(await mayOf({ cookie: cookies.operator })).toEqual({
      managePeople: true, manageClients: false, readAudit: false, createTokens: true, manageTokens: true, manageChannels: true, readOutbox: false, serviceTokenClients: ['beta'],
    });
    expect(await mayOf({ cookie: cookies.editor })).toEqual({
      managePeople: false, manageClients: false, readAudit: false, createTokens: true, manageTokens: true, manageChannels: false, readOutbox: false, serviceTokenClients: ['alpha'],
    });
    expect(await mayOf({ cookie: cookies.viewer })).toEqual({
      managePeople: false, manageClients: false, readAudit: false, createTokens: true, manageTokens: false, manageChannels: false, readOutbox: false, serviceTokenClients: [],
    });
  });

  it('keys and service tokens create no tokens, and the open demo admin neither', async () => {
    expect(await mayOf({ cookie: cookies.key })).toEqual({
      managePeople: false, manageClients: false, readAudit: false, createTokens: false, manageTokens: false, manageChannels: false, readOutbox: false, serviceTokenClients: [],
    });
    expect(await mayOf(bearer(KEYS.admin))).toMatchObject({ managePeople: true, manageClients: true, createTokens: false });
    expect(await mayOf(bearer(serviceToken))).toEqual({
      managePeople: false, manageClients: false, readAudit: false, createTokens: false, manageTokens: false, manageChannels: false, readOutbox: false, serviceTokenClients: [],
    });
    const open = await buildTestApp([testClient('alpha', 'UTC', null)]);
    try {
      const me = (await open.inject({ method: 'GET', url: '/api/me' })).json();
      expect(me).toMatchObject({ kind: 'open', role: 'admin', may: { managePeople: true, manageClients: true, readAudit: true, createTokens: false, manageTokens: true } });
      // And the API agrees with what the page says: the demo admin's token request is refused.
      const refused = await open.inject({ method: 'POST', url: '/api/tokens', headers: { origin: 'http://localhost' }, payload: { name: 'x', kind: 'personal' } });
      expect([refused.statusCode, refused.json().error.code]).toEqual([403, 'FORBIDDEN']);
      const page = await open.inject({ method: 'GET', url: '/settings/account' });
      expect(bootOf(page.body)).toMatchObject({ who: 'Signed in as the demo admin', signedIn: false, me: { kind: 'open' } });
    } finally {
      await open.close();
    }
  });
});
