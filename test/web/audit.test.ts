import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import type { User } from '../../src/access/users.ts';
import { asBrowser, PERSON_PASSWORD, signInPerson } from '../helpers/people.ts';
import { SAME_ORIGIN } from '../helpers/sessionCookies.ts';
import { errorsOf, launchBrowser, openPage, PHONE, saveScreenshot, signInAs } from './support/browser.ts';
import { lowContrastText } from './support/contrast.ts';
import { loaded, openSettings, startAccountsWorld, type AccountsWorld } from './support/accounts.ts';
import { ensureWebBuild } from './support/webBuild.ts';

/**
 * The Audit log page in Chromium, on entries the real app wrote (an invitation made and accepted, sign-ins): what
 * each entry shows, filters as the API applies them, paging with its cursor, the CSV export; and every settings page
 * at AA contrast, with named controls, on a phone too.
 */
let world: AccountsWorld;
let browser: Browser;
let admin: User;
const INVITEE = 'new.member@alpha.example';

beforeAll(async () => {
  await ensureWebBuild();
  [world, browser] = await Promise.all([startAccountsWorld('audit'), launchBrowser()]);
  admin = await world.person({ email: 'ada@agency.example', role: 'admin' });
  // Set-up through the API: an invitation the admin makes and the invitee accepts, and a few sign-ins.
  const cookie = await signInPerson(world.app, admin.email);
  const invited = await world.app.inject({ method: 'POST', url: '/api/invitations', headers: asBrowser(cookie), payload: { email: INVITEE, role: 'member', clientIds: ['alpha'] } });
  const token = (invited.json() as { link: string }).link.split('/').at(-1)!;
  const accepted = await world.app.inject({ method: 'POST', url: '/api/invitations/accept', headers: SAME_ORIGIN, payload: { token, name: 'New Member', password: 'copper-meadow-lantern-2291' } });
  expect(accepted.statusCode, accepted.body).toBe(200);
  for (let i = 0; i < 3; i++) await signInPerson(world.app, admin.email);
});
afterAll(async () => {
  await browser?.close();
  await world?.close();
});

const signedInAdmin = async (next: string): Promise<Page> => {
  const page = await openPage(browser);
  await signInAs(page, world.base, admin.email, PERSON_PASSWORD, next);
  await loaded(page);
  return page;
};

describe('the audit log page', () => {
  const ids = (page: Page) => page.locator('#audit tbody tr').evaluateAll((rows) => rows.map((r) => Number((r as HTMLElement).dataset.entry)));

  it('shows who did what, from where, filtered by action, client and actor as the API filters', async () => {
    const page = await signedInAdmin('/settings/audit');
    const invited = page.locator('#audit tr[data-action="invitation-created"]', { hasText: INVITEE });
    expect(await invited.locator('td').allTextContents()).toEqual([
      expect.stringMatching(/^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2} UTC$/), `${admin.email} (user)`, 'invitation-created', INVITEE, 'alpha', '127.0.0.1',
      expect.stringContaining('role: member'),
    ]);
    await saveScreenshot(page, 'settings-audit');

    await page.getByLabel('Action').selectOption('invitation-accepted');
    await page.getByLabel('Client').selectOption('alpha');
    await page.getByRole('button', { name: 'Apply' }).click();
    await page.waitForURL(/action=invitation-accepted/);
    await loaded(page);
    const api = await world.api('/api/audit?action=invitation-accepted&clientId=alpha');
    expect(api.entries.length).toBeGreaterThan(0);
    expect(await ids(page)).toEqual(api.entries.map((e: { id: number }) => e.id));
    expect(await page.getByLabel('Action').inputValue()).toBe('invitation-accepted');

    await page.goto(`${world.base}/settings/audit`);
    await loaded(page);
    await page.getByLabel('Actor').selectOption({ label: admin.email });
    await page.getByRole('button', { name: 'Apply' }).click();
    await page.waitForURL(new RegExp(`actor=${admin.id}`));
    await loaded(page);
    const mine = await world.api(`/api/audit?actor=${admin.id}`);
    expect(await ids(page)).toEqual(mine.entries.map((e: { id: number }) => e.id));
    expect(new Set(await page.locator('#audit tbody tr td:nth-child(2)').allTextContents())).toEqual(new Set([`${admin.email} (user)`]));
  });

  it('pages back through older entries with the API cursor, and back to the newest', async () => {
    const page = await signedInAdmin('/settings/audit?limit=3');
    const first = await world.api('/api/audit?limit=3');
    expect(await ids(page)).toEqual(first.entries.map((e: { id: number }) => e.id));
    await page.getByRole('link', { name: 'Older →' }).click();
    await page.waitForURL(new RegExp(`before=${first.nextBefore}`));
    await loaded(page);
    const second = await world.api(`/api/audit?limit=3&before=${first.nextBefore}`);
    expect(await ids(page)).toEqual(second.entries.map((e: { id: number }) => e.id));
    await page.getByRole('link', { name: '← Newest' }).click();
    await page.waitForURL((url) => !url.searchParams.has('before'));
    await loaded(page);
    expect((await ids(page))[0]).toBeGreaterThanOrEqual(first.entries[0].id);
  });

  it('exports what the filters select as CSV', async () => {
    const page = await signedInAdmin('/settings/audit?action=invitation-created');
    const link = page.getByRole('link', { name: 'Export CSV' });
    expect(await link.getAttribute('href')).toBe('/api/audit?action=invitation-created&format=csv');
    const [download] = await Promise.all([page.waitForEvent('download'), link.click()]);
    const csv = await download.createReadStream().then(async (stream) => {
      const chunks: Buffer[] = [];
      for await (const chunk of stream) chunks.push(chunk as Buffer);
      return Buffer.concat(chunks).toString('utf8');
    });
    const lines = csv.trim().split(/\r?\n/);
    expect(lines[0]).toBe('at,actor_kind,actor,ip,action,target,client_id,details');
    const api = await world.api('/api/audit?action=invitation-created');
    expect(lines.length - 1).toBe(api.entries.length);
    expect(lines.slice(1).every((line) => line.includes(',invitation-created,'))).toBe(true);
    expect(csv).toContain(INVITEE);
  });
});

describe('every settings page', () => {
  it('keeps text at WCAG AA contrast, names every control, and fits a 375 px phone without sideways scrolling', async () => {
    const page = await signedInAdmin('/settings/account');
    const phone = await openPage(browser, PHONE);
    await signInAs(phone, world.base, admin.email, PERSON_PASSWORD, '/settings/account');
    for (const name of ['account', 'people', 'clients', 'tokens', 'audit']) {
      await openSettings(page, world.base, name);
      if (name === 'clients') await page.getByRole('button', { name: 'Add a client' }).click(); // its form too
      const unnamed = await page.locator('button, input:not([type=hidden]), a, select').evaluateAll((controls) =>
        controls.filter((c) => !(c.textContent?.trim() || c.getAttribute('aria-label') || (c as HTMLInputElement).labels?.length)).map((c) => c.outerHTML));
      expect({ name, unnamed }).toEqual({ name, unnamed: [] });
      expect({ name, low: await lowContrastText(page) }).toEqual({ name, low: [] });
      await openSettings(phone, world.base, name);
      expect({ name, width: await phone.evaluate(() => document.documentElement.scrollWidth) }).toEqual({ name, width: PHONE.width });
    }
    await saveScreenshot(phone, 'settings-people-phone');
    expect(errorsOf(page)).toEqual([]);
  });
});
