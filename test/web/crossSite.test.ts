import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import type { User } from '../../src/access/users.ts';
import { escapeHtml } from '../../src/http/pages/html.ts';
import { bearer, KEYS } from '../helpers/buildTestApp.ts';
import { asBrowser, PERSON_PASSWORD, signInPerson } from '../helpers/people.ts';
import { launchBrowser, openPage, signInAs } from './support/browser.ts';
import { startAccountsWorld, type AccountsWorld } from './support/accounts.ts';
import { ensureWebBuild } from './support/webBuild.ts';

/**
 * Cross-site requests in Chromium. A page of another origin auto-submits a form to every POST route the app has while
 * the victim (an admin) is signed in: each is refused in our error shape and nothing changes — the victim is still
 * signed in as themselves, no row is added or changed. And `next` values that would leave our origin after sign-in
 * are refused with a 400 naming `next`, the browser never leaving our origin.
 */
let world: AccountsWorld;
let browser: Browser;
let victim: User;
let bystander: User;
let attacker: Server;
let attackerPort = 0;
let victimPage: Page;
let bystanderCookie = '';
/** Live links a successful forgery could use: an invitation, and a reset of the victim's password. */
let inviteToken = '';
let resetToken = '';
/** A channel a forged test would send on (an attempt and an email). */
let channelId = '';

/** The attacker's site: `/attack?form=<json>` is a page that posts that form to the app at once. */
function startAttacker(): Promise<Server> {
  const server = createServer((request, response) => {
    const url = new URL(request.url!, 'http://attacker.invalid');
    const { action, fields } = JSON.parse(url.searchParams.get('form') ?? '{}') as { action: string; fields: Record<string, string> };
    const inputs = Object.entries(fields).map(([name, value]) => `<input type="hidden" name="${escapeHtml(name)}" value="${escapeHtml(value)}">`).join('');
    // With no-referrer, Chromium sends `Origin: null`: then Sec-Fetch-Site must decide.
    const referrer = url.searchParams.get('referrer') === 'none' ? '<meta name="referrer" content="no-referrer">' : '';
    response.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
    response.end(`<!doctype html><html><head>${referrer}<title>Win a prize</title></head><body>
<form method="post" action="${escapeHtml(action)}">${inputs}</form><script>document.forms[0].submit()</script></body></html>`);
  });
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve(server)));
}

/** Every POST route the app has, from its own route tree (a new one is attacked without editing this file). */
function postRoutes(app: AccountsWorld['app']): string[] {
  const parents: string[] = [];
  const routes: string[] = [];
  for (const line of app.printRoutes({ commonPrefix: false, method: 'POST' }).split('\n')) {
    const match = /^((?:│ {3}| {4})*)[├└]── (\S+)(?: \(([^)]*)\))?/.exec(line);
    if (!match) continue;
    const depth = match[1]!.length / 4;
    const path = `${parents[depth - 1] ?? ''}${match[2]}`;
    parents[depth] = path;
    parents.length = depth + 1;
    if (match[3]?.split(', ').includes('POST')) routes.push(path);
  }
  return routes;
}

/** What each forged form sends: what a successful forgery would change, with real ids and live links. */
function formFor(route: string): { path: string; fields: Record<string, string> } {
  const attackerLogin = { email: 'mallory@alpha.example', password: PERSON_PASSWORD };
  const forms: Record<string, { path?: string; fields: Record<string, string> }> = {
    '/login': { fields: { ...attackerLogin, next: '/' } }, // login CSRF: the victim would be signed in as the attacker
    '/logout': { fields: {} },
    '/api/session': { fields: attackerLogin },
    '/api/users/:id/sign-out-everywhere': { path: `/api/users/${bystander.id}/sign-out-everywhere`, fields: {} },
    '/api/users/:id/password-reset': { path: `/api/users/${bystander.id}/password-reset`, fields: {} },
    '/api/me/password': { fields: { current: PERSON_PASSWORD, password: 'attacker-chosen-password-1234' } },
    '/api/invitations': { fields: { email: 'mallory.admin@evil.example', role: 'admin' } },
    '/api/invitations/accept': { fields: { token: inviteToken, name: 'Mallory', password: 'attacker-chosen-password-1234' } },
    '/api/password-resets': { fields: { email: victim.email } },
    '/api/password-resets/complete': { fields: { token: resetToken, password: 'attacker-chosen-password-1234' } },
    '/api/admin/clients': { fields: { id: 'evil', name: 'Evil', timezone: 'UTC' } },
    '/api/admin/clients/test-connection': { fields: { databaseUrl: 'postgres://127.0.0.1:5432/postgres' } },
    '/api/tokens': { fields: { name: 'stolen', kind: 'personal' } },
    '/api/channels': { fields: { name: 'Leak', kind: 'webhook', url: 'https://evil.example/hook' } }, // every client's alerts to the attacker
    '/api/channels/:id/test': { path: `/api/channels/${channelId}/test`, fields: {} },
    '/invitations/:token': { path: `/invitations/${inviteToken}`, fields: { name: 'Mallory', password: 'attacker-chosen-password-1234' } },
    '/password-reset': { fields: { email: victim.email } },
    '/password-reset/:token': { path: `/password-reset/${resetToken}`, fields: { password: 'attacker-chosen-password-1234' } },
    '/grafana': { fields: {} },
    '/grafana*': { path: '/grafana/api/dashboards/db', fields: { dashboard: '{}' } }, // the tree prints /grafana/* so
  };
  const form = forms[route];
  if (!form) throw new Error(`no forged form for the POST route ${route}: add one`);
  return { path: form.path ?? route, fields: form.fields };
}

/** Everything a forgery could change, as one comparable value (hashes digested in SQL, never read out). */
const snapshot = () => world.sql(`SELECT
  (SELECT md5(string_agg(id || role || coalesce(password_hash, '') || (disabled_at IS NULL)::text, ',' ORDER BY id)) FROM access.users) AS users,
  (SELECT count(*)::int FROM access.sessions) AS sessions,
  (SELECT count(*)::int FROM access.invitations) AS invitations,
  (SELECT count(*)::int FROM access.invitations WHERE used_at IS NOT NULL OR revoked_at IS NOT NULL) AS "usedLinks",
  (SELECT count(*)::int FROM access.tokens) AS tokens,
  (SELECT count(*)::int FROM tenants.clients) AS clients,
  (SELECT count(*)::int FROM notify.outbox) AS emails,
  (SELECT count(*)::int FROM notify.channels) AS channels,
  (SELECT count(*)::int FROM notify.delivery_attempts) AS attempts,
  (SELECT count(*)::int FROM access.audit) AS audit`);

beforeAll(async () => {
  await ensureWebBuild();
  [world, browser, attacker] = await Promise.all([startAccountsWorld('cross_site'), launchBrowser(), startAttacker()]);
  attackerPort = (attacker.address() as AddressInfo).port;
  victim = await world.person({ email: 'ada@agency.example', role: 'admin' });
  bystander = await world.person({ email: 'vera@alpha.example', role: 'member', clients: { alpha: 'viewer' } });
  await world.person({ email: 'mallory@alpha.example', role: 'member', clients: { alpha: 'viewer' } });
  bystanderCookie = await signInPerson(world.app, bystander.email);
  const invited = await fetch(`${world.base}/api/invitations`, {
    method: 'POST', headers: { ...bearer(KEYS.admin), 'content-type': 'application/json' }, body: JSON.stringify({ email: 'someone@alpha.example', role: 'member', clientIds: ['alpha'] }),
  });
  inviteToken = ((await invited.json()) as { link: string }).link.split('/').at(-1)!;
  const reset = await fetch(`${world.base}/api/users/${victim.id}/password-reset`, { method: 'POST', headers: bearer(KEYS.admin) });
  resetToken = ((await reset.json()) as { link: string }).link.split('/').at(-1)!;
  const channel = await fetch(`${world.base}/api/channels`, {
    method: 'POST', headers: { ...bearer(KEYS.admin), 'content-type': 'application/json' }, body: JSON.stringify({ name: 'Ops', kind: 'email', addresses: ['ops@agency.example'] }),
  });
  channelId = ((await channel.json()) as { channel: { id: string } }).channel.id;
  victimPage = await openPage(browser);
  await signInAs(victimPage, world.base, victim.email, PERSON_PASSWORD);
});
afterAll(async () => {
  await browser?.close();
  await new Promise((resolve) => attacker?.close(resolve));
  await world?.close();
});

/** The victim opens the attacker's page, which posts the form; returns the app's answer to that post. */
async function forge(attackerOrigin: string, route: string, referrer: 'default' | 'none' = 'default') {
  const { path, fields } = formFor(route);
  const target = `${world.base}${path}`;
  const answered = victimPage.waitForResponse((r) => r.url() === target && r.request().method() === 'POST');
  const form = encodeURIComponent(JSON.stringify({ action: target, fields }));
  await victimPage.goto(`${attackerOrigin}/attack?referrer=${referrer}&form=${form}`);
  const response = await answered;
  const body = (await response.json().catch(() => null)) as { error?: { code: string } } | null;
  return { status: response.status(), code: body?.error?.code ?? null, sentOrigin: (await response.request().headerValue('origin')) ?? null };
}

async function stillSignedIn(): Promise<void> {
  await victimPage.goto(`${world.base}/`);
  expect(await victimPage.evaluate(() => fetch('/api/me').then(async (r) => [r.status, (await r.json()).label]))).toEqual([200, victim.email]);
  const bystanders = await world.app.inject({ method: 'GET', url: '/api/me', headers: asBrowser(bystanderCookie) });
  expect(bystanders.statusCode).toBe(200);
}

describe('cross-site form posts to every POST route, while an admin is signed in', () => {
  it('knows a forged form for every POST route the app has', () => {
    const routes = postRoutes(world.app);
    expect(routes).toEqual(expect.arrayContaining(['/login', '/logout', '/invitations/:token', '/password-reset', '/password-reset/:token', '/api/tokens', '/api/invitations']));
    for (const route of routes) expect(formFor(route).path).toMatch(/^\//);
  });

  it('refuses them from a sibling origin (same site: the session cookie goes along) with 403, in our error shape, and nothing changes', async () => {
    await stillSignedIn();
    const before = await snapshot();
    const sibling = `http://127.0.0.1:${attackerPort}`;
    const answers: Record<string, unknown> = {};
    for (const route of postRoutes(world.app)) answers[route] = await forge(sibling, route);
    // 403 and not 401 on routes that need a session: the cookie did arrive, and the Origin check refused it.
    for (const [route, answer] of Object.entries(answers)) {
      expect({ route, answer }).toEqual({ route, answer: { status: 403, code: 'CROSS_SITE_REQUEST', sentOrigin: sibling } });
    }
    expect(await snapshot()).toEqual(before);
    await stillSignedIn();
  });

  it('refuses them when the page sends `Origin: null` (no-referrer): Sec-Fetch-Site says same-site, not same-origin', async () => {
    const before = await snapshot();
    for (const route of postRoutes(world.app)) {
      expect({ route, answer: await forge(`http://127.0.0.1:${attackerPort}`, route, 'none') }).toEqual({ route, answer: { status: 403, code: 'CROSS_SITE_REQUEST', sentOrigin: 'null' } });
    }
    expect(await snapshot()).toEqual(before);
    await stillSignedIn();
  });

  it('refuses them from another site (localhost): the cookie stays home (401), public forms get 403, nothing changes', async () => {
    const before = await snapshot();
    const site = `http://localhost:${attackerPort}`;
    const publicRoutes = new Set(['/login', '/logout', '/api/session', '/api/invitations/accept', '/api/password-resets', '/api/password-resets/complete',
      '/invitations/:token', '/password-reset', '/password-reset/:token', '/grafana', '/grafana*']);
    for (const route of postRoutes(world.app)) {
      const expected = publicRoutes.has(route) ? { status: 403, code: 'CROSS_SITE_REQUEST' } : { status: 401, code: 'UNAUTHORIZED' };
      expect({ route, answer: await forge(site, route) }).toEqual({ route, answer: { ...expected, sentOrigin: site } });
    }
    expect(await snapshot()).toEqual(before);
    await stillSignedIn();
  });
});

describe('`next` after sign-in never leaves our origin', () => {
  const BAD = ['/\t/evil.example/phish', '/\n/evil.example/phish', '/\r/evil.example/phish', '/\0/evil.example/phish', '/\u2028/evil.example/phish',
    '//evil.example/phish', '/\\evil.example/phish', 'https://evil.example/phish'];

  /** A fresh browser that records every host it asks anything of. */
  async function watchedPage(): Promise<{ page: Page; hosts: Set<string> }> {
    const page = await openPage(browser);
    const hosts = new Set<string>();
    page.on('request', (request) => void hosts.add(new URL(request.url()).host));
    return { page, hosts };
  }

  it('refuses /login?next=/%09/evil.example/phish and newline, CR, NUL and U+2028 values with a 400 naming next', async () => {
    const { page, hosts } = await watchedPage();
    const answer = await page.goto(`${world.base}/login?next=/%09/evil.example/phish`);
    expect(answer!.status()).toBe(400);
    expect(await answer!.json()).toEqual({ error: { code: 'INVALID_PARAMETER', message: 'next: must be a path on this site' } });
    for (const next of BAD) {
      const refused = await page.goto(`${world.base}/login?next=${encodeURIComponent(next)}`);
      expect({ next, status: refused!.status(), body: await refused!.json() }).toEqual({
        next, status: 400, body: { error: { code: 'INVALID_PARAMETER', message: 'next: must be a path on this site' } },
      });
    }
    expect([...hosts]).toEqual([new URL(world.base).host]);
  });

  it('refuses them in the sign-in form itself (a crafted hidden field): no session starts, the browser stays here', async () => {
    const { page, hosts } = await watchedPage();
    for (const next of BAD) {
      await page.goto(`${world.base}/login?next=%2Fsettings%2Faccount`);
      await page.locator('input[name="next"]').first().evaluate((input, value) => ((input as HTMLInputElement).value = value), next);
      await page.getByLabel('Email').fill(victim.email);
      await page.getByLabel('Password').fill(PERSON_PASSWORD);
      const answered = page.waitForResponse((r) => r.url() === `${world.base}/login` && r.request().method() === 'POST');
      await page.getByRole('button', { name: 'Sign in', exact: true }).click();
      const response = await answered;
      await page.waitForURL(`${world.base}/login`);
      expect({ next, status: response.status(), body: await response.json() }).toEqual({
        next, status: 400, body: { error: { code: 'INVALID_PARAMETER', message: 'next: must be a path on this site' } },
      });
      expect(await page.evaluate(() => fetch('/api/me').then((r) => r.status))).toBe(401);
    }
    expect([...hosts]).toEqual([new URL(world.base).host]);
    // A path of ours is where sign-in goes.
    await signInAs(page, world.base, victim.email, PERSON_PASSWORD, '/settings/account');
    expect(page.url()).toBe(`${world.base}/settings/account`);
  });
});
