import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import type { User } from '../../src/access/users.ts';
import { createClientTablesSql } from '../../src/tenants/clientTables.ts';
import { PERSON_PASSWORD } from '../helpers/people.ts';
import { CLIENT_DB_PASSWORD, MASTER_KEYS } from '../helpers/secrets.ts';
import { createTestDatabase, type TestDatabase } from '../helpers/testDatabase.ts';
import { errorsOf, launchBrowser, openPage, saveScreenshot, settled, signInAs } from './support/browser.ts';
import { acceptNextDialog, loaded, startAccountsWorld, type AccountsWorld } from './support/accounts.ts';
import { ensureWebBuild } from './support/webBuild.ts';

/**
 * The Clients page in Chromium: an admin adds a client whose database is a real PostgreSQL database made here, tests
 * the connection before saving, saves, and its dashboard shows the known numbers at once — no restart. The URL goes
 * in and never comes out; the registry file's clients are read-only; changes, disabling and deletion apply at once.
 */
let world: AccountsWorld;
let maple: TestDatabase;
let browser: Browser;
let admin: User;

/** 12 sessions on 7 April 2024 (20:01–20:12 in Sydney): 9 opened the widget, 4 asked for a human, 2 accepted, 1 asked for a callback. */
async function fillMaple(db: TestDatabase): Promise<void> {
  for (const statement of createClientTablesSql('public')) await db.pool.query(statement);
  await db.pool.query('DROP TABLE "AgentConnection"');
  await db.pool.query(`ALTER TABLE "UserEvents" ALTER COLUMN "createdAt" TYPE timestamptz USING "createdAt" AT TIME ZONE 'UTC'`);
  await db.pool.query(
    `INSERT INTO "UserEvents" ("sessionId", "pageLoaded", "widgetOpened", "requestedHuman", "pressedAccept", "pressedCallback", "createdAt", "updatedAt")
     SELECT 'm' || g, t,
            CASE WHEN g <= 9 THEN t + interval '5 seconds' END, CASE WHEN g <= 4 THEN t + interval '20 seconds' END,
            CASE WHEN g <= 2 THEN t + interval '40 seconds' END, CASE WHEN g = 3 THEN t + interval '50 seconds' END, t, t
       FROM generate_series(1, 12) AS g, LATERAL (SELECT timestamp '2024-04-07 10:00:00' + g * interval '1 minute' AS t) AS x`,
  );
}

/** The database's URL as an admin pastes it: with a password (trust auth ignores it), which must never show again. */
function urlOf(db: TestDatabase): string {
  const url = new URL(db.url);
  url.password = CLIENT_DB_PASSWORD;
  return url.toString();
}

beforeAll(async () => {
  await ensureWebBuild();
  maple = await createTestDatabase('web_maple');
  await fillMaple(maple);
  [world, browser] = await Promise.all([
    startAccountsWorld('clients', { app: { encryptionKeys: [{ kid: 'k1', key: Buffer.from(MASTER_KEYS.k1, 'base64') }] } }),
    launchBrowser(),
  ]);
  admin = await world.person({ email: 'ada@agency.example', role: 'admin' });
});
afterAll(async () => {
  await browser?.close();
  await world?.close();
  await maple?.drop();
});

const clientsPage = async (): Promise<Page> => {
  const page = await openPage(browser);
  await signInAs(page, world.base, admin.email, PERSON_PASSWORD, '/settings/clients');
  await loaded(page);
  return page;
};
const row = (page: Page, id: string) => page.locator(`#clients tr[data-client="${id}"]`);

describe('an admin adds a client with a real database on the Clients page', () => {
  it('tests the connection, saves, and its dashboard shows its numbers at once, without a restart', async () => {
    const page = await clientsPage();
    expect(await row(page, 'alpha').locator('.badge').textContent()).toBe('from clients.json');
    expect(await row(page, 'alpha').getByRole('button').count()).toBe(0); // read-only: nothing to change here
    expect((await page.goto(`${world.base}/maple/dashboard`))!.status()).toBe(404);
    await page.goBack();
    await loaded(page);

    await page.getByRole('button', { name: 'Add a client' }).click();
    const form = page.locator('form[data-form="new-client"]');
    await form.getByLabel('Id', { exact: true }).fill('maple');
    await form.getByLabel('Name', { exact: true }).fill('Maple Dental');
    await form.getByLabel('Domain (optional)').fill('mapledental.com.au');
    await form.getByLabel('Time zone').fill('Australia/Sydney');
    await form.getByLabel('Colour').fill('#0f766e');
    await form.getByLabel('Grafana organisation id (optional)').fill('7');

    // A database that is not there: the test says why, in a fixed sentence, and nothing is saved.
    const missing = new URL(maple.url);
    missing.pathname = '/no_such_database_here';
    await form.getByLabel('Database URL').fill(missing.toString());
    await form.getByRole('button', { name: 'Test connection' }).click();
    await form.locator('.connection-check[data-ok="false"]').waitFor();
    expect(await form.locator('.connection-check .problems').textContent()).toBe('The database does not exist on that server');

    await form.getByLabel('Database URL').fill(urlOf(maple));
    await form.getByRole('button', { name: 'Test connection' }).click();
    const check = form.locator('.connection-check[data-ok="true"]');
    await check.waitFor();
    expect(await check.locator('.check-summary').textContent()).toMatch(/^Connected: the database answered in [\d.]+ ms \(PostgreSQL \d+\.\d+.*\), and UserEvents has every column the metrics need\.$/);
    expect(await check.locator('.tables-found li').allTextContents()).toEqual([
      'UserEvents: found', 'Leads: found (optional)', 'ChatLog: found (optional)', 'AgentConnection: not found (optional)',
    ]);
    expect(await check.locator('tr[data-column="UserEvents.createdAt"] td').allTextContents()).toEqual(['UserEvents.createdAt', 'timestamptz (with time zone)']);
    expect(await check.locator('tr[data-column="UserEvents.pageLoaded"] td').nth(1).textContent()).toBe('timestamp (UTC, without time zone)');
    expect(await world.sql(`SELECT count(*)::int AS n FROM tenants.clients`)).toEqual([{ n: 0 }]);
    await saveScreenshot(page, 'settings-clients-test-connection');

    await form.getByRole('button', { name: 'Create client' }).click();
    const created = page.locator('.notice.ok', { hasText: 'Created Maple Dental: it is served now.' });
    await created.waitFor();
    const maples = row(page, 'maple');
    await maples.waitFor();
    expect(await maples.locator('td').allTextContents()).toEqual(['Australia/Sydney', 'managed here', 'configured', 'Serving', 'DashboardChange…DisableDelete']);
    // The URL went in and never comes out: not on the page, and not in the form to change it.
    expect(await page.content()).not.toContain(CLIENT_DB_PASSWORD);
    await maples.getByRole('button', { name: 'Change Maple Dental' }).click();
    const change = page.locator('form[data-form="change-client"]');
    expect(await change.getByLabel('New database URL').inputValue()).toBe('');
    expect(await change.getByLabel('New database URL').getAttribute('placeholder')).toBe('leave empty to keep the saved one');
    await change.getByRole('button', { name: 'Test connection' }).click(); // empty: tests the saved URL
    await change.locator('.connection-check[data-ok="true"]').waitFor();
    expect(await page.content()).not.toContain(CLIENT_DB_PASSWORD);
    await change.getByRole('button', { name: 'Cancel' }).click();
    await saveScreenshot(page, 'settings-clients');

    await created.getByRole('link', { name: 'Open the Maple Dental dashboard' }).click();
    await page.waitForURL(`${world.base}/maple/dashboard`);
    await settled(page);
    expect(await page.locator('h1').textContent()).toBe('Maple Dental');
    expect(await page.evaluate(() => document.documentElement.style.getPropertyValue('--brand'))).toBe('#0f766e');
    expect(await page.locator('.tile[data-metric="sessions"]').getAttribute('data-value')).toBe('12');
    const steps = await page.locator('.funnel-step').evaluateAll((rows) => rows.map((r) => [(r as HTMLElement).dataset.step, (r as HTMLElement).dataset.count]));
    expect(steps).toEqual([['pageLoaded', '12'], ['widgetOpened', '9'], ['requestedHuman', '4']]);
    const actions = await page.locator('[data-action]').evaluateAll((rows) => rows.map((r) => [(r as HTMLElement).dataset.action, (r as HTMLElement).dataset.count]));
    expect(actions).toEqual([['pressedAccept', '2'], ['pressedCallback', '1'], ['pressedContinue', '0']]);
    expect(errorsOf(page)).toEqual([]);
  });

  it('changes, disables, enables and deletes it, each at once', async () => {
    const page = await clientsPage();
    const maples = row(page, 'maple');
    await maples.getByRole('button', { name: 'Change Maple Dental' }).click();
    const change = page.locator('form[data-form="change-client"]');
    expect(await change.getByLabel('Name', { exact: true }).inputValue()).toBe('Maple Dental');
    expect(await change.getByLabel('Time zone').inputValue()).toBe('Australia/Sydney');
    await change.getByLabel('Name', { exact: true }).fill('Maple Dental Clinic');
    await change.getByRole('button', { name: 'Save changes' }).click();
    await page.locator('.notice.ok', { hasText: 'Saved Maple Dental Clinic' }).waitFor();
    await row(page, 'maple').locator('th', { hasText: 'Maple Dental Clinic' }).waitFor();
    expect(await world.api('/api/maple/funnel?from=2024-04-07&to=2024-04-07')).toMatchObject({ sessions: 12 }); // the saved URL was kept

    acceptNextDialog(page);
    await row(page, 'maple').getByRole('button', { name: 'Disable Maple Dental Clinic' }).click();
    await row(page, 'maple').locator('.client-state', { hasText: 'Disabled' }).waitFor();
    expect((await fetch(`${world.base}/maple/dashboard`, { redirect: 'manual' })).status).not.toBe(200);
    expect((await world.api('/api/maple/funnel')).error.code).toBe('NOT_FOUND');
    await row(page, 'maple').getByRole('button', { name: 'Enable Maple Dental Clinic' }).click();
    await row(page, 'maple').locator('.client-state', { hasText: 'Serving' }).waitFor();
    expect((await world.api('/api/maple/funnel?from=2024-04-07&to=2024-04-07')).sessions).toBe(12);

    acceptNextDialog(page);
    await row(page, 'maple').getByRole('button', { name: 'Delete Maple Dental Clinic' }).click();
    await row(page, 'maple').waitFor({ state: 'detached' });
    expect((await world.api('/api/maple/funnel')).error.code).toBe('NOT_FOUND');
    expect(await world.sql(`SELECT id FROM tenants.clients`)).toEqual([]);
  });

  it('shows the API 400 next to the form, naming the field', async () => {
    const page = await clientsPage();
    await page.getByRole('button', { name: 'Add a client' }).click();
    const form = page.locator('form[data-form="new-client"]');
    await form.getByLabel('Id', { exact: true }).fill('settings');
    await form.getByLabel('Name', { exact: true }).fill('Not a client');
    await form.getByRole('button', { name: 'Create client' }).click();
    await form.locator('.form-error', { hasText: 'id: "settings" is reserved (the product uses /settings/).' }).waitFor();
    expect(await form.getByLabel('Id', { exact: true }).getAttribute('aria-invalid')).toBe('true');
    await form.getByLabel('Id', { exact: true }).fill('olympus');
    await form.getByLabel('Time zone').fill('Mars/Olympus');
    await form.getByRole('button', { name: 'Create client' }).click();
    await form.locator('.form-error', { hasText: 'timezone: "Mars/Olympus" is not an IANA time zone.' }).waitFor();
    expect(await form.getByLabel('Time zone').getAttribute('aria-invalid')).toBe('true');
    expect(await form.getByLabel('Id', { exact: true }).getAttribute('aria-invalid')).toBeNull();
    expect(await world.sql(`SELECT id FROM tenants.clients`)).toEqual([]);
  });
});
