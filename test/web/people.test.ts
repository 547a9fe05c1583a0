import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import type { User } from '../../src/access/users.ts';
import { PERSON_PASSWORD } from '../helpers/people.ts';
import { errorsOf, launchBrowser, openPage, saveScreenshot, settled, signInAs } from './support/browser.ts';
import { acceptNextDialog, linkIn, loaded, startAccountsWorld, type AccountsWorld } from './support/accounts.ts';
import { ensureWebBuild } from './support/webBuild.ts';

/**
 * The People page and the pages behind emailed links, in Chromium against the real app, a real SMTP server and
 * PostgreSQL: an admin invites, the invitee accepts from the email and sees only their client; a person resets a
 * forgotten password; an admin changes, signs out, disables and removes a person — all through clicks and typing.
 */
let world: AccountsWorld;
let browser: Browser;
let admin: User;
const NEW_PASSWORD = 'copper-meadow-lantern-2291';
const RESET_PASSWORD = 'violet-harbour-compass-7734';

beforeAll(async () => {
  await ensureWebBuild();
  [world, browser] = await Promise.all([startAccountsWorld('people', { smtp: true }), launchBrowser()]);
  admin = await world.person({ email: 'ada@agency.example', role: 'admin' });
});
afterAll(async () => {
  await browser?.close();
  await world?.close();
});
beforeEach(() => {
  world.smtp!.messages.length = 0;
});

const signedInAdmin = async (next = '/settings/people'): Promise<Page> => {
  const page = await openPage(browser);
  await signInAs(page, world.base, admin.email, PERSON_PASSWORD, next);
  await loaded(page);
  return page;
};
const row = (page: Page, email: string) => page.locator(`tr[data-person="${email}"]`);

describe('an invitation, from the People page to a signed-in person', () => {
  const email = 'new.member@alpha.example';
  let firstLink = '';

  it('invites a member of alpha: the page shows the link, says it was emailed, and the email holds the same link', async () => {
    const page = await signedInAdmin();
    expect(await page.locator('.settings-nav a').allTextContents()).toEqual(['Account', 'People', 'Clients', 'Tokens', 'Channels', 'Outbox', 'Reports', 'Audit log']);
    expect(await page.locator('.settings-nav a[aria-current="page"]').textContent()).toBe('People');
    const form = page.locator('form[data-form="invite"]');
    await form.getByLabel('Email').fill(email);
    await form.getByLabel('Role', { exact: true }).selectOption('member');
    await form.getByRole('checkbox', { name: 'Client alpha' }).check();
    await form.getByLabel('Role in Client alpha').selectOption('viewer');
    await form.getByRole('button', { name: 'Invite' }).click();

    const secret = page.locator('.secret');
    await secret.waitFor();
    const shown = await secret.locator('input.secret-value').inputValue();
    expect(shown).toMatch(new RegExp(`^${world.base}/invitations/[A-Za-z0-9_-]{43}$`));
    expect(await secret.locator('.delivery').textContent()).toBe(`Emailed to ${email}. You can also send them the link yourself.`);
    const [mail] = await world.smtp!.waitForMessages(1);
    expect(mail!.to).toMatchObject({ text: email });
    expect(linkIn(mail!.text, 'invitations')).toBe(shown);
    firstLink = shown;

    const pending = page.locator(`tr[data-invitation="${email}"]`);
    await pending.waitFor();
    expect(await pending.locator('td').allTextContents()).toEqual(['Client member', 'Client alpha (viewer)', admin.email, expect.stringMatching(/ UTC$/), 'Withdraw']);
    await saveScreenshot(page, 'settings-people-invited');
    expect(errorsOf(page)).toEqual([]);
  });

  it('accepts from the emailed link, is signed in, and sees only alpha (beta is the 404 page)', async () => {
    const admins = await signedInAdmin();
    const form = admins.locator('form[data-form="invite"]');
    const invitee = 'vera.new@alpha.example';
    await form.getByLabel('Email').fill(invitee);
    await form.getByRole('checkbox', { name: 'Client alpha' }).check();
    await form.getByRole('button', { name: 'Invite' }).click();
    const [mail] = await world.smtp!.waitForMessages(1);

    const page = await openPage(browser);
    await page.goto(linkIn(mail!.text, 'invitations'));
    expect(await page.locator('main').textContent()).toContain(`You are invited as a member of Client alpha`);
    await page.getByLabel('Your name').fill('Vera New');
    await page.getByLabel('Password').fill(NEW_PASSWORD);
    await page.getByRole('button', { name: 'Create my account' }).click();
    await page.waitForURL(`${world.base}/`);
    expect(await page.locator('.signed-in').textContent()).toBe(`Signed in as ${invitee} · Settings`);
    expect(await page.locator('.clients a').evaluateAll((links) => links.map((a) => a.getAttribute('href')))).toEqual(['/alpha/dashboard']);
    expect(await page.locator('.clients li').count()).toBe(1);

    const other = await page.goto(`${world.base}/beta/dashboard`);
    expect(other!.status()).toBe(404);
    expect(await page.locator('main').textContent()).toContain('There is no such client.');
    await page.goto(`${world.base}/alpha/dashboard`);
    await settled(page);
    const metrics = await world.api('/api/alpha/metrics');
    expect(await page.locator('.tile[data-metric="sessions"]').getAttribute('data-value')).toBe(String(metrics.sessions));
    expect(await page.locator('.site-header .signed-in').textContent()).toBe(`Signed in as ${invitee}`);

    // Their account page: who they are, and only the page a viewer may use.
    await page.getByRole('link', { name: 'Settings' }).click();
    await page.waitForURL(`${world.base}/settings/account`);
    await loaded(page);
    expect(await page.locator('.settings-nav a').allTextContents()).toEqual(['Account']);
    expect(await page.locator('#who dd').allTextContents()).toEqual([invitee, 'Vera New', 'Client member', 'Client alpha (viewer)', expect.stringMatching(/ UTC$/)]);
    await saveScreenshot(page, 'settings-account-member');

    // The admin's list has them now, and the invitation is no longer pending.
    await admins.reload();
    await loaded(admins);
    expect(await row(admins, invitee).locator('td').allTextContents()).toEqual(['Vera New', 'Client member', 'Client alpha (viewer)', 'Active', expect.stringContaining('Change…')]);
    expect(await admins.locator(`tr[data-invitation="${invitee}"]`).count()).toBe(0);
    expect(errorsOf(page)).toEqual([]);
  });

  it('withdraws a pending invitation: its link then answers the page that says so', async () => {
    const page = await signedInAdmin();
    const pending = page.locator(`tr[data-invitation="${email}"]`);
    await pending.waitFor();
    acceptNextDialog(page);
    await pending.getByRole('button', { name: `Withdraw the invitation of ${email}` }).click();
    await page.locator('.status-line .notice.ok', { hasText: `The invitation of ${email} is withdrawn.` }).waitFor();
    await pending.waitFor({ state: 'detached' });
    const rows = await world.sql(`SELECT revoked_at IS NOT NULL AS revoked FROM access.invitations WHERE email = $1 AND purpose = 'invite'`, [email]);
    expect(rows).toEqual([{ revoked: true }]);
    const gone = await page.goto(firstLink);
    expect(gone!.status()).toBe(410);
    expect(await page.locator('main').textContent()).toContain('This link was withdrawn');
  });
});

describe('the settings tabs of an operator', () => {
  it("shows an operator of alpha the pages of its work (people, alpha's tokens, channels, reports), not the admins' (clients, outbox, audit log)", async () => {
    const operator = await world.person({ email: 'otto@agency.example', role: 'operator', clients: { alpha: 'viewer' } });
    const page = await openPage(browser);
    await signInAs(page, world.base, operator.email, PERSON_PASSWORD, '/settings/account');
    await loaded(page);
    expect(await page.locator('.settings-nav a').allTextContents()).toEqual(['Account', 'People', 'Tokens', 'Channels', 'Reports']);
    expect(errorsOf(page)).toEqual([]);
  });
});

describe('a forgotten password', () => {
  it('is reset from "Forgot your password?" through the emailed link: the old password fails, the new one works', async () => {
    const person = await world.person({ email: 'rosa@alpha.example', role: 'member', clients: { alpha: 'viewer' } });
    const page = await openPage(browser);
    await page.goto(`${world.base}/login`);
    await page.getByRole('link', { name: 'Forgot your password?' }).click();
    await page.waitForURL(`${world.base}/password-reset`);
    await page.getByLabel('Email').fill(person.email);
    await page.getByRole('button', { name: 'Send me a link' }).click();
    await page.getByRole('heading', { name: 'Check your email' }).waitFor();
    const [mail] = await world.smtp!.waitForMessages(1);
    expect(mail!.to).toMatchObject({ text: person.email });

    await page.goto(linkIn(mail!.text, 'password-reset'));
    expect(await page.locator('main').textContent()).toContain(`For ${person.email}.`);
    await page.getByLabel('New password').fill(RESET_PASSWORD);
    await page.getByRole('button', { name: 'Set the password' }).click();
    await page.waitForURL(`${world.base}/`);
    expect(await page.locator('.signed-in').textContent()).toBe(`Signed in as ${person.email} · Settings`);
    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.waitForURL(`${world.base}/login`);

    // The old password is refused on the sign-in page; the new one signs in.
    await page.getByLabel('Email').fill(person.email);
    await page.getByLabel('Password').fill(PERSON_PASSWORD);
    const refused = page.waitForResponse((r) => r.url() === `${world.base}/login` && r.request().method() === 'POST');
    await page.getByRole('button', { name: 'Sign in', exact: true }).click();
    expect((await refused).status()).toBe(401);
    expect(await page.getByRole('alert').textContent()).toBe('That email and password do not match an account.');
    await signInAs(page, world.base, person.email, RESET_PASSWORD);
    expect(await page.locator('.signed-in').textContent()).toBe(`Signed in as ${person.email} · Settings`);
  });
});

describe('managing a person on the People page', () => {
  it("changes a member's client, signs them out everywhere, creates a reset link, disables, enables and removes them", async () => {
    const otto = await world.person({ email: 'otto@alpha.example', role: 'member', clients: { alpha: 'viewer' } });
    const theirs = await openPage(browser);
    await signInAs(theirs, world.base, otto.email, PERSON_PASSWORD);
    const page = await signedInAdmin();
    const person = row(page, otto.email);
    const said = (text: string) => page.locator('.status-line .notice.ok', { hasText: text }).waitFor();

    await person.getByRole('button', { name: `Change role or clients of ${otto.email}` }).click();
    const editor = page.locator(`form[aria-label="Change ${otto.email}"]`);
    await editor.getByRole('checkbox', { name: 'Client alpha' }).uncheck();
    await editor.getByRole('checkbox', { name: 'Client beta' }).check();
    await editor.getByLabel('Role in Client beta').selectOption('editor');
    await editor.getByRole('button', { name: 'Save' }).click();
    await said(`${otto.email} is now client member of Client beta (editor).`);
    await person.locator('td', { hasText: 'Client beta (editor)' }).waitFor();
    expect(await world.api(`/api/users/${otto.id}`)).toMatchObject({ role: 'member', clients: { beta: 'editor' } });
    await theirs.reload();
    expect(await theirs.locator('.clients a').evaluateAll((links) => links.map((a) => a.getAttribute('href')))).toEqual(['/beta/dashboard']);

    await person.getByRole('button', { name: `Sign out everywhere ${otto.email}` }).click();
    await said(`${otto.email} is signed out everywhere (1 session ended).`);
    await theirs.reload();
    expect(new URL(theirs.url()).pathname).toBe('/login');

    await person.getByRole('button', { name: `Create reset link ${otto.email}` }).click();
    const secret = page.locator('.secret', { hasText: `Password reset link for ${otto.email}` });
    await secret.waitFor();
    const link = await secret.locator('input.secret-value').inputValue();
    expect(link).toMatch(new RegExp(`^${world.base}/password-reset/[A-Za-z0-9_-]{43}$`));
    expect(await secret.textContent()).toContain(`It was emailed to ${otto.email} too.`);
    expect(linkIn((await world.smtp!.waitForMessages(1))[0]!.text, 'password-reset')).toBe(link);
    await saveScreenshot(page, 'settings-people');

    acceptNextDialog(page);
    await person.getByRole('button', { name: `Disable ${otto.email}` }).click();
    await said(`${otto.email} is disabled`);
    await person.locator('.person-state', { hasText: 'Disabled' }).waitFor();
    const refused = await fetch(`${world.base}/api/session`, {
      method: 'POST', headers: { 'content-type': 'application/json', origin: world.base }, body: JSON.stringify({ email: otto.email, password: PERSON_PASSWORD }),
    });
    expect(refused.status).toBe(401);
    await person.getByRole('button', { name: `Enable ${otto.email}` }).click();
    await person.locator('.person-state', { hasText: 'Active' }).waitFor();
    await signInAs(theirs, world.base, otto.email, PERSON_PASSWORD);

    acceptNextDialog(page);
    await person.getByRole('button', { name: `Remove ${otto.email}` }).click();
    await said(`${otto.email} is removed`);
    await person.waitFor({ state: 'detached' });
    expect(await world.sql('SELECT id FROM access.users WHERE id = $1', [otto.id])).toEqual([]);
    await theirs.reload();
    expect(new URL(theirs.url()).pathname).toBe('/login');
    expect(errorsOf(page)).toEqual([]);
  });

  it('shows the API 400 next to the invite form, naming the field', async () => {
    const page = await signedInAdmin();
    const form = page.locator('form[data-form="invite"]');
    await form.getByLabel('Email').fill(admin.email);
    await form.getByRole('checkbox', { name: 'Client alpha' }).check();
    await form.getByRole('button', { name: 'Invite' }).click();
    await form.locator('.form-error [role="alert"]').waitFor();
    expect(await form.locator('.form-error').textContent()).toBe('email: already has an account.');
    expect(await form.getByLabel('Email').getAttribute('aria-invalid')).toBe('true');
    // A member needs exactly one client: with two, the API says so and the form shows it.
    await form.getByLabel('Email').fill('two.clients@alpha.example');
    await form.getByRole('checkbox', { name: 'Client beta' }).check();
    await form.getByRole('button', { name: 'Invite' }).click();
    await form.locator('.form-error', { hasText: 'clients: a member belongs to exactly one client.' }).waitFor();
    expect(await world.sql(`SELECT count(*)::int AS n FROM access.invitations WHERE email = 'two.clients@alpha.example'`)).toEqual([{ n: 0 }]);
  });
});
