import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import type { User } from '../../src/access/users.ts';
import { bearer, buildTestApp, testClient } from '../helpers/buildTestApp.ts';
import { PERSON_PASSWORD } from '../helpers/people.ts';
import { errorsOf, launchBrowser, openPage, saveScreenshot, settled, signInAs } from './support/browser.ts';
import { acceptNextDialog, loaded, openSettings, startAccountsWorld, type AccountsWorld } from './support/accounts.ts';
import { ensureWebBuild } from './support/webBuild.ts';

/**
 * API tokens through the Account and Tokens pages in Chromium: the secret is shown once and copied from the page,
 * works against the API, and stops at its revocation on the page; an editor makes a service token for its client;
 * the open platform's demo admin is told why it cannot make one, and every page says who it is.
 */
let world: AccountsWorld;
let browser: Browser;
let member: User;
let editor: User;

beforeAll(async () => {
  await ensureWebBuild();
  [world, browser] = await Promise.all([startAccountsWorld('tokens'), launchBrowser()]);
  member = await world.person({ email: 'vera@alpha.example', role: 'member', clients: { alpha: 'viewer' } });
  editor = await world.person({ email: 'eddie@beta.example', role: 'member', clients: { beta: 'editor' } });
});
afterAll(async () => {
  await browser?.close();
  await world?.close();
});

/** A page whose clipboard the test may read back (what "Copy" put there). */
async function pageWithClipboard(): Promise<Page> {
  const page = await openPage(browser);
  await page.context().grantPermissions(['clipboard-read', 'clipboard-write'], { origin: world.base });
  return page;
}

const funnel = (token: string, clientId = 'alpha') => fetch(`${world.base}/api/${clientId}/funnel`, { headers: bearer(token) });

describe('a personal token made on the Account page', () => {
  it('is shown once, copied, answers the API, and is refused right after it is revoked on the page', async () => {
    const page = await pageWithClipboard();
    await signInAs(page, world.base, member.email, PERSON_PASSWORD, '/settings/account');
    await loaded(page);
    const form = page.locator('form[data-form="personal-token"]');
    await form.getByLabel('Name').fill('Weekly export');
    await form.getByRole('button', { name: 'Create personal token' }).click();

    const secret = page.locator('.secret');
    await secret.waitFor();
    expect(await secret.locator('.warning').textContent()).toContain('you will not see it again');
    await secret.getByRole('button', { name: 'Copy' }).click();
    await secret.locator('.copied', { hasText: 'Copied' }).waitFor();
    const copied = await page.evaluate(() => navigator.clipboard.readText());
    expect(copied).toBe(await secret.locator('input.secret-value').inputValue());
    expect(copied).toMatch(/^cba_pat_[A-Za-z0-9_-]{43}$/);

    const row = page.locator('#my-tokens tr[data-state="active"]', { hasText: 'Weekly export' });
    await row.waitFor();
    expect(await row.getAttribute('data-prefix')).toBe(copied.slice(0, 12));
    expect(await row.locator('td').allTextContents()).toEqual([`${copied.slice(0, 12)}…`, expect.stringMatching(/ UTC$/), 'never', 'never', 'Active', 'Revoke']);
    await saveScreenshot(page, 'settings-account-token');

    const answer = await funnel(copied);
    expect(answer.status).toBe(200);
    expect((await answer.json()).sessions).toBe((await world.api('/api/alpha/funnel')).sessions);
    expect((await funnel(copied, 'beta')).status).toBe(404); // it acts as its owner: alpha only

    // Reloading never shows the secret again; the list says when it was last used.
    await page.reload();
    await loaded(page);
    expect(await page.content()).not.toContain(copied);
    expect(await row.locator('td').nth(2).textContent()).toMatch(/ UTC$/);

    acceptNextDialog(page);
    await row.getByRole('button', { name: 'Revoke Weekly export' }).click();
    await page.locator('.notice.ok', { hasText: 'Revoked "Weekly export"' }).waitFor();
    await page.locator('#my-tokens tr[data-state="revoked"]', { hasText: 'Weekly export' }).waitFor();
    const refused = await funnel(copied);
    expect(refused.status).toBe(401);
    expect(await refused.json()).toEqual({ error: { code: 'UNAUTHORIZED', message: 'Invalid API key or token' } });
    expect(errorsOf(page)).toEqual([]);
  });

  it('shows the API 400 next to the form, naming the field', async () => {
    const page = await openPage(browser);
    await signInAs(page, world.base, member.email, PERSON_PASSWORD, '/settings/account');
    await loaded(page);
    const form = page.locator('form[data-form="personal-token"]');
    await form.getByLabel('Name').fill('   ');
    await form.getByRole('button', { name: 'Create personal token' }).click();
    await form.locator('.form-error', { hasText: 'name: must not be blank.' }).waitFor();
    expect(await form.getByLabel('Name').getAttribute('aria-invalid')).toBe('true');
    expect(await page.locator('.secret').count()).toBe(0);
  });

  it('changes the password on the same page: a wrong current one is named, then the new one signs in', async () => {
    const person = await world.person({ email: 'paul@alpha.example', role: 'member', clients: { alpha: 'viewer' } });
    const page = await openPage(browser);
    await signInAs(page, world.base, person.email, PERSON_PASSWORD, '/settings/account');
    await loaded(page);
    const form = page.locator('form[data-form="password"]');
    await form.getByLabel('Current password').fill('not-my-password-at-all');
    await form.getByLabel('New password').fill('amber-quarry-thistle-6620');
    await form.getByRole('button', { name: 'Change password' }).click();
    await form.locator('.form-error', { hasText: 'current: is not your password.' }).waitFor();
    expect(await form.getByLabel('Current password').getAttribute('aria-invalid')).toBe('true');
    await form.getByLabel('Current password').fill(PERSON_PASSWORD);
    await form.getByRole('button', { name: 'Change password' }).click();
    await page.locator('#password .notice.ok').waitFor();
    const other = await openPage(browser);
    await signInAs(other, world.base, person.email, 'amber-quarry-thistle-6620');
  });
});

describe('service tokens on the Tokens page', () => {
  it("lets a client's editor make one for its client: it reads that client and nothing else, until revoked", async () => {
    const page = await openPage(browser);
    await signInAs(page, world.base, editor.email, PERSON_PASSWORD, '/settings/tokens');
    await loaded(page);
    expect(await page.locator('.settings-nav a').allTextContents()).toEqual(['Account', 'Tokens']);
    const form = page.locator('form[data-form="service-token"]');
    expect(await form.getByLabel('Client').locator('option').allTextContents()).toEqual(['Client beta (beta)']);
    await form.getByLabel('Name').fill('Spreadsheet');
    await form.getByLabel('Expires after (optional)').fill('2099-01-31');
    await form.getByRole('button', { name: 'Create service token' }).click();
    await form.locator('.form-error', { hasText: 'expiresAt: must be at most 3 years from now.' }).waitFor();
    const lastDay = new Date(Date.now() + 30 * 86_400_000).toISOString().slice(0, 10);
    await form.getByLabel('Expires after (optional)').fill(lastDay);
    await form.getByRole('button', { name: 'Create service token' }).click();
    const secret = await page.locator('.secret input.secret-value').inputValue();
    expect(secret).toMatch(/^cba_svc_/);

    const row = page.locator('#tokens tr[data-state="active"]', { hasText: 'Spreadsheet' });
    await row.waitFor();
    expect(await row.locator('td').allTextContents()).toEqual(['Service', 'beta', `${secret.slice(0, 12)}…`, expect.stringMatching(/ UTC$/), 'never', expect.stringMatching(/ UTC$/), 'Active', 'Revoke']);
    // Its last day is the chosen day, to its end on the viewer's clock (Los Angeles here).
    const endOfDay = await page.evaluate((day) => new Date(`${day}T23:59:59`).getTime(), lastDay);
    expect(Date.parse((await row.locator('td time').nth(1).getAttribute('datetime'))!)).toBe(endOfDay);
    await saveScreenshot(page, 'settings-tokens');
    expect((await funnel(secret, 'beta')).status).toBe(200);
    expect((await funnel(secret, 'alpha')).status).toBe(404);

    acceptNextDialog(page);
    await row.getByRole('button', { name: 'Revoke Spreadsheet' }).click();
    await page.locator('#tokens tr[data-state="revoked"]', { hasText: 'Spreadsheet' }).waitFor();
    expect((await funnel(secret, 'beta')).status).toBe(401);
  });

  it('tells a viewer it may not see this page (403), and that an ended session needs a sign-in (401)', async () => {
    const page = await openPage(browser);
    await signInAs(page, world.base, member.email, PERSON_PASSWORD, '/settings/people');
    await loaded(page);
    expect(await page.locator('.settings-nav a').allTextContents()).toEqual(['Account']);
    expect(await page.locator('#people [role="alert"]').textContent()).toBe('You may not see the people. Members do not manage people.');
    await openSettings(page, world.base, 'clients');
    expect(await page.locator('#clients [role="alert"]').textContent()).toBe('You may not see the clients. Only admins manage clients.');
    await openSettings(page, world.base, 'audit');
    expect(await page.locator('#audit [role="alert"]').textContent()).toBe('You may not read the audit log. Only admins read the audit log.');

    // The session ends elsewhere (signed out everywhere): the next request says so and links back here.
    await openSettings(page, world.base, 'account');
    await world.sql('DELETE FROM access.sessions WHERE user_id = $1', [member.id]);
    const form = page.locator('form[data-form="personal-token"]');
    await form.getByLabel('Name').fill('After the end');
    await form.getByRole('button', { name: 'Create personal token' }).click();
    const signIn = form.locator('.form-error').getByRole('link', { name: 'sign in again' });
    await signIn.waitFor();
    expect(await signIn.getAttribute('href')).toBe('/login?next=%2Fsettings%2Faccount');
    await signIn.click();
    await page.getByLabel('Email').fill(member.email);
    await page.getByLabel('Password').fill(PERSON_PASSWORD);
    await page.getByRole('button', { name: 'Sign in', exact: true }).click();
    await page.waitForURL(`${world.base}/settings/account`);
  });

  it('says when the server cannot be reached', async () => {
    const page = await openPage(browser);
    await signInAs(page, world.base, editor.email, PERSON_PASSWORD, '/settings/account');
    await page.route('**/api/tokens', (route) => route.abort('connectionrefused'));
    await openSettings(page, world.base, 'tokens');
    expect(await page.locator('#tokens [role="alert"]').textContent()).toBe('Could not see the tokens: The server could not be reached. Check the connection and try again.');
  });
});

describe('the open platform (no key, no person: as `npm start` on a fresh machine)', () => {
  let open: Awaited<ReturnType<typeof buildTestApp>>;
  let base: string;
  beforeAll(async () => {
    open = await buildTestApp([testClient('alpha', 'Australia/Sydney', world.db.url, 'alpha'), testClient('beta', 'Australia/Sydney', world.db.url, 'beta')]);
    base = await open.listen({ port: 0, host: '127.0.0.1' });
  });
  afterAll(async () => {
    await open?.close();
  });

  it('says "Signed in as the demo admin" on the client list, the dashboard and every settings page, and why it makes no tokens', async () => {
    const page = await openPage(browser);
    await page.goto(`${base}/`);
    expect(await page.locator('.signed-in').textContent()).toBe('Signed in as the demo admin · Settings');
    expect(await page.getByRole('button', { name: 'Sign out' }).count()).toBe(0);
    await page.getByRole('link', { name: 'Client alpha' }).click();
    await settled(page);
    expect(await page.locator('.site-header .signed-in').textContent()).toBe('Signed in as the demo admin');
    await page.locator('.site-header').getByRole('link', { name: 'Settings' }).click();
    await page.waitForURL(`${base}/settings/account`);

    for (const name of ['account', 'people', 'clients', 'tokens', 'channels', 'outbox', 'reports', 'audit']) {
      await openSettings(page, base, name);
      expect(await page.locator('.site-header .signed-in').textContent()).toBe('Signed in as the demo admin');
      expect(await page.locator('.settings-nav a').allTextContents()).toEqual(['Account', 'People', 'Clients', 'Tokens', 'Channels', 'Outbox', 'Reports', 'Audit log']);
      expect(await page.locator('[role="alert"]').count()).toBe(0);
      await saveScreenshot(page, `settings-demo-${name}`);
    }
    await openSettings(page, base, 'account');
    expect(await page.locator('#who dd').allTextContents()).toEqual(['the demo admin', 'Admin', 'every client']);
    expect(await page.locator('#personal-tokens .notice.info').textContent()).toContain('The demo admin is everyone who opens this platform');
    expect(await page.locator('#password .notice.info').textContent()).toContain('so it has no password');
    await openSettings(page, base, 'tokens');
    expect(await page.locator('#new-service-token .notice.info').textContent()).toContain('Tokens are created by a signed-in person');
    expect(await page.locator('form[data-form="service-token"]').count()).toBe(0);
    expect(errorsOf(page)).toEqual([]);
  });
});
