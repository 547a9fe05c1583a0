import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser } from 'playwright-core';
import { verifySignature } from '../../src/notify/delivery/signature.ts';
import { runtimeOf } from '../helpers/buildTestApp.ts';
import { PERSON_PASSWORD } from '../helpers/people.ts';
import { MASTER_KEYS } from '../helpers/secrets.ts';
import { startWebhookReceiver, type WebhookReceiver } from '../helpers/webhookReceiver.ts';
import { acceptNextDialog, loaded, startAccountsWorld, type AccountsWorld } from './support/accounts.ts';
import { errorsOf, launchBrowser, openPage, saveScreenshot, signInAs } from './support/browser.ts';
import { ensureWebBuild } from './support/webBuild.ts';

/**
 * The Channels and Outbox pages in Chromium: an admin adds a webhook, copies its secret shown once, sends a test that
 * a real receiver verifies, sees the attempt and removes the channel; the outbox shows the emails kept without SMTP;
 * operators get Channels but not the Outbox, members neither.
 */
let world: AccountsWorld;
let browser: Browser;
let receiver: WebhookReceiver;

beforeAll(async () => {
  await ensureWebBuild();
  [world, browser, receiver] = await Promise.all([
    startAccountsWorld('channels', { app: { encryptionKeys: [{ kid: 'k1', key: Buffer.from(MASTER_KEYS.k1, 'base64') }] } }),
    launchBrowser(), startWebhookReceiver(),
  ]);
  await world.person({ email: 'ada@agency.example', role: 'admin' });
  await world.person({ email: 'otto@agency.example', role: 'operator', clients: { alpha: 'editor' } });
  await world.person({ email: 'mo@alpha.example', role: 'member', clients: { alpha: 'viewer' } });
}, 120_000);
afterAll(async () => {
  await browser?.close();
  await receiver?.close();
  await world?.close();
});

describe('the Channels page', () => {
  it('adds a webhook, shows its secret once, sends a test the receiver verifies, lists the attempt, and removes it', async () => {
    const page = await openPage(browser);
    await signInAs(page, world.base, 'ada@agency.example', PERSON_PASSWORD, '/settings/channels');
    await loaded(page);
    const form = page.locator('form[data-form="channel"]');
    await form.getByLabel('Name').fill('Ops webhook');
    await form.getByLabel('Kind').selectOption('webhook');
    await form.getByLabel('URL').fill(receiver.url);
    await form.getByRole('button', { name: 'Add channel' }).click();
    const secret = await page.locator('.secret input.secret-value').inputValue();
    expect(secret).toMatch(/^whsec_[A-Za-z0-9_-]{43}$/);

    const card = page.locator('article.channel', { hasText: 'Ops webhook' });
    await card.waitFor();
    expect(await card.locator('.channel-to').textContent()).toBe(new URL(receiver.url).host);
    await card.locator('.attempts[data-state="ready"]').waitFor();
    expect(await card.locator('.attempts').textContent()).toContain('Nothing sent yet.');
    await card.getByRole('button', { name: 'Send test on Ops webhook' }).click();
    await page.locator('.notice.ok', { hasText: 'Test sent on "Ops webhook" (200)' }).waitFor();
    const [request] = await receiver.waitFor(1);
    expect(verifySignature(secret, { timestamp: String(request!.headers['x-signature-timestamp']), signature: String(request!.headers['x-signature']) }, request!.body)).toBe(true);
    const row = card.locator('tr[data-status="sent"]');
    await row.waitFor();
    expect((await row.locator('td').allTextContents()).slice(2)).toEqual(['1', 'sent', '200', expect.stringMatching(/^\d+ ms$/)]);
    await saveScreenshot(page, 'settings-channels');

    await page.reload();
    await loaded(page);
    expect(await page.content()).not.toContain(secret);
    acceptNextDialog(page);
    await page.locator('article.channel', { hasText: 'Ops webhook' }).getByRole('button', { name: 'Remove Ops webhook' }).click();
    await page.locator('.notice.ok', { hasText: 'Removed "Ops webhook"' }).waitFor();
    await page.locator('#channels .empty').waitFor();
    expect(await world.sql('SELECT id FROM notify.channels')).toEqual([]);
    expect(errorsOf(page)).toEqual([]);
  });

  it("shows the API's 400 at the field it names", async () => {
    const page = await openPage(browser);
    await signInAs(page, world.base, 'ada@agency.example', PERSON_PASSWORD, '/settings/channels');
    await loaded(page);
    const form = page.locator('form[data-form="channel"]');
    await form.getByLabel('Name').fill('Bad list');
    await form.getByLabel('Addresses').fill('not-an-address');
    await form.getByRole('button', { name: 'Add channel' }).click();
    await form.locator('.form-error', { hasText: 'addresses: "not-an-address" is not an email address' }).waitFor();
    expect(await form.getByLabel('Addresses').getAttribute('aria-invalid')).toBe('true');
  });
});

describe('the Outbox page', () => {
  it('shows the emails kept without SMTP, newest first, each readable in place', async () => {
    const mailer = runtimeOf(world.app).mailer;
    await mailer.send({ to: 'ops@agency.example', subject: 'Client alpha: no chatbot sessions for 3 h', text: 'Usually 40 sessions by now.' });
    await mailer.send({ to: 'owner@alpha.example', subject: 'Weekly report: Client alpha', text: 'Sessions 120 (+12 %).' });
    const page = await openPage(browser);
    await signInAs(page, world.base, 'ada@agency.example', PERSON_PASSWORD, '/settings/outbox');
    await loaded(page);
    const subjects = await page.locator('.outbox-subject').allTextContents();
    const api = await world.api('/api/outbox');
    expect(subjects).toEqual(api.messages.map((m: { subject: string }) => m.subject));
    expect(subjects.slice(0, 2)).toEqual(['Weekly report: Client alpha', 'Client alpha: no chatbot sessions for 3 h']);
    const report = page.locator('.outbox-message', { hasText: 'Weekly report' });
    expect(await report.locator('.outbox-status').textContent()).toBe('Kept here (not sent)');
    await report.locator('summary').click();
    expect(await report.locator('.outbox-text').textContent()).toBe('Sessions 120 (+12 %).');
    await saveScreenshot(page, 'settings-outbox');
  });
});

describe('who sees the tabs', () => {
  it('operators get Channels but not the Outbox; members neither', async () => {
    const tabs = async (email: string) => {
      const page = await openPage(browser);
      await signInAs(page, world.base, email, PERSON_PASSWORD, '/settings/account');
      await loaded(page);
      return page.locator('.settings-nav a').allTextContents();
    };
    expect(await tabs('otto@agency.example')).toContain('Channels');
    expect(await tabs('otto@agency.example')).not.toContain('Outbox');
    expect(await tabs('mo@alpha.example')).not.toContain('Channels');
    expect(await tabs('ada@agency.example')).toEqual(expect.arrayContaining(['Channels', 'Outbox']));
  });
});
