import { afterAll, beforeAll, expect, it } from 'vitest';
import type { Browser } from 'playwright-core';
import type { OutboxMessage } from '../../src/notify/outbox.ts';
import { startDemoRuntime, type DemoRuntime } from '../helpers/demoRuntime.ts';
import { eventually } from '../helpers/smtpServer.ts';
import { openSettings } from './support/accounts.ts';
import { errorsOf, launchBrowser, openPage, saveScreenshot } from './support/browser.ts';
import { ensureWebBuild } from './support/webBuild.ts';

/**
 * The newcomer's first look at the outbox in Chromium, on the demo runtime (open platform: everyone is the demo
 * admin): the weekly report the demo sent at start-up is listed by its subject and opens to its text.
 */
let demo: DemoRuntime;
let browser: Browser;
let base: string;

beforeAll(async () => {
  await ensureWebBuild();
  [demo, browser] = await Promise.all([startDemoRuntime('web_outbox'), launchBrowser()]);
  base = await demo.app.listen({ port: 0, host: '127.0.0.1' });
}, 180_000);
afterAll(async () => {
  await browser?.close();
  await demo?.close();
});

it("shows the demo's weekly report in the outbox, and opens its text", { timeout: 120_000 }, async () => {
  const api = async () => ((await (await fetch(`${base}/api/outbox?limit=100`)).json()) as { messages: OutboxMessage[] }).messages;
  const messages = await eventually(api, (ms) => ms.some((m) => m.subject.startsWith('Maple Dental Clinic: weekly report, ')), 110_000, 250);
  const report = messages.find((m) => m.subject.startsWith('Maple Dental Clinic: weekly report, '))!;

  const page = await openPage(browser);
  await openSettings(page, base, 'outbox');
  const subjects = await page.locator('.outbox-subject').allTextContents();
  expect(subjects).toContain(report.subject);
  const entry = page.locator('.outbox-message', { hasText: report.subject });
  expect(await entry.locator('.outbox-text').isVisible()).toBe(false);
  await entry.locator('summary').click();
  expect(await entry.locator('.outbox-text').isVisible()).toBe(true);
  expect(await entry.locator('.outbox-text').textContent()).toBe(report.text);
  expect(await entry.locator('.outbox-status').textContent()).toBe('Kept here (not sent)');
  expect(await page.getByText('Demo data: no email is ever sent').isVisible()).toBe(true);
  await saveScreenshot(page, 'demo-outbox');
  expect(errorsOf(page)).toEqual([]);
});
