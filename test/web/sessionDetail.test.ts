import { readFile } from 'node:fs/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { KEYS } from '../helpers/buildTestApp.ts';
import { errorsOf, launchBrowser, openPage, PHONE, settled, signIn } from './support/browser.ts';
import { lowContrastText } from './support/contrast.ts';
import { ensureWebBuild } from './support/webBuild.ts';
import { startWorld, type World } from './support/world.ts';

const MAY = 'from=2024-05-01&to=2024-05-02'; // the chat fixture's range

let world: World;
let browser: Browser;
let page: Page;

beforeAll(async () => {
  await ensureWebBuild();
  [world, browser] = await Promise.all([startWorld('detail', ['alpha', 'beta', 'chat']), launchBrowser()]);
  page = await openPage(browser);
  await signIn(page, world.base, KEYS.admin);
});
afterAll(async () => {
  await browser?.close();
  await world?.close();
});

const dialog = () => page.locator('dialog.session-dialog');
const part = (name: string) => dialog().locator(`[data-part="${name}"]`);
const messages = () => part('transcript').locator('.message').evaluateAll((items) =>
  items.map((li) => [li.querySelector('.message-role')!.textContent, li.querySelector('time')!.textContent, li.querySelector('.message-text')!.textContent]));

/** Opens the session from its button in the sessions table, from the keyboard, and waits for its answer. */
async function openSession(sessionId: string): Promise<void> {
  await page.getByRole('button', { name: `Open session ${sessionId}`, exact: true }).focus();
  await page.keyboard.press('Enter');
  await page.locator(`dialog.session-dialog[data-session="${sessionId}"]:not([data-state="loading"])`).waitFor();
}

describe('session detail', () => {
  it('opens from the sessions table with the keyboard: funnel timeline and transcript, as the API answers them', async () => {
    await page.goto(`${world.base}/chat/dashboard?${MAY}`);
    await settled(page);
    await openSession('c1');
    expect(await dialog().getAttribute('data-state')).toBe('ready');
    expect(await dialog().evaluate((d) => (d as HTMLDialogElement).open && document.activeElement?.textContent)).toBe('Close');
    expect(await page.getByRole('dialog', { name: 'Session c1' }).isVisible()).toBe(true);
    const api = await world.api('/api/chat/sessions/c1');

    // c1 (Sydney, +10): page load 10:00:00, widget +1 min, human request +3 min, accept +4 min.
    const timeline = await part('timeline').locator('li').allTextContents();
    expect(timeline).toEqual(['10:00:00 Page load +0s', '10:01:00 Widget open +1m 00s', '10:03:00 Human request +3m 00s', '10:04:00 Accept +4m 00s']);
    expect(await part('timeline').locator('li').evaluateAll((items) => items.map((li) => (li as HTMLElement).dataset.event)))
      .toEqual(api.timeline.map((e: { event: string }) => e.event));

    // Roles as the chatbot wrote them (assistant, operator, visitor) under the API's normalised names.
    expect(await messages()).toEqual([
      ['Visitor', '10:01:10', 'Hi, do you open on Saturdays?'],
      ['Bot', '10:01:15', 'We open 9 to 1 on Saturdays.'],
      ['Visitor', '10:02:00', 'Can I talk to a person?'],
      ['Bot', '10:02:05', 'Connecting you now.'],
      ['Agent', '10:04:30', 'Hello, Sam here.'],
      ['Visitor', '10:05:00', '=thanks'],
    ]);
    expect((await messages()).map((m) => m[2])).toEqual(api.transcript.rows.map((r: { text: string }) => r.text));
    expect(await part('leads').locator('li').allTextContents()).toEqual(['Name L1 · sam@example.com · +61 400 000 001 — source google, at 10:06:00']);
    expect(await part('agentConnections').locator('li').allTextContents()).toEqual(['Requested 10:03:00, connected 10:04:20, ended 10:10:00 · completed']);

    // The transcript as the API's CSV.
    const link = dialog().getByRole('link', { name: 'Download CSV' });
    expect(await link.getAttribute('href')).toBe('/api/chat/sessions/c1?format=csv');
    const [download] = await Promise.all([page.waitForEvent('download'), link.click()]);
    expect(await readFile((await download.path())!, 'utf8')).toBe(await world.apiText('/api/chat/sessions/c1?format=csv'));

    // Escape closes it and the focus goes back to the session's button.
    await page.keyboard.press('Escape');
    expect(await dialog().evaluate((d) => (d as HTMLDialogElement).open)).toBe(false);
    expect(await page.evaluate(() => (document.activeElement as HTMLElement).dataset.openSession)).toBe('c1');
  });

  it('names roles it does not know and sessions without steps or messages', async () => {
    await openSession('c2');
    expect((await messages())[2]).toEqual(['Other (system)', '12:00:50', 'conversation closed']);
    expect(await part('agentConnections').locator('.part-status').textContent()).toBe('No agent connection.');
    await dialog().getByRole('button', { name: 'Close' }).click();
    await openSession('c5');
    expect(await part('transcript').locator('.part-status').textContent()).toBe('No messages in this session.');
    await dialog().getByRole('button', { name: 'Close' }).click();
  });

  it('shows a generated session with its transcript and agent connection, as the API does', async () => {
    await page.goto(`${world.base}/beta/dashboard`);
    await settled(page);
    const ids = await page.locator('#sessions tbody tr').evaluateAll((rows) => rows.map((r) => (r as HTMLElement).dataset.session!));
    let detail: any = null;
    for (const id of ids) {
      detail = await world.api(`/api/beta/sessions/${id}`);
      if (detail.transcript.rows.length > 1 && detail.agentConnections.rows.length > 0) break;
    }
    expect(detail.transcript.rows.length).toBeGreaterThan(1);
    await openSession(detail.session.sessionId);
    expect((await messages()).map((m) => m[2])).toEqual(detail.transcript.rows.map((r: { text: string }) => r.text));
    expect(await part('timeline').locator('li').count()).toBe(detail.timeline.length);
    expect(await part('agentConnections').locator('li').count()).toBe(detail.agentConnections.rows.length);
    expect(await lowContrastText(page)).toEqual([]);
    await page.keyboard.press('Escape');
    expect(errorsOf(page)).toEqual([]);
  });

  it('says which parts are not available for a client without ChatLog and AgentConnection', async () => {
    await page.goto(`${world.base}/alpha/dashboard?from=2024-04-06&to=2024-04-08`);
    await settled(page);
    await openSession('s10');
    const api = await world.api('/api/alpha/sessions/s10');
    expect(api.transcript).toEqual({ available: false, reason: 'The client database has no "ChatLog" table' });
    expect(await part('transcript').locator('.part-status').textContent()).toBe('Not available: The client database has no "ChatLog" table');
    expect(await part('agentConnections').locator('.part-status').textContent()).toBe(`Not available: ${api.agentConnections.reason}`);
    expect(await part('leads').getAttribute('data-available')).toBe('true');
    expect(await part('timeline').locator('li').count()).toBe(api.timeline.length);
    // No transcript, so nothing to download.
    expect(await dialog().locator('a.csv').getAttribute('aria-disabled')).toBe('true');
    await page.keyboard.press('Escape');
  });

  it('fits a 375 px phone screen', async () => {
    const phone = await openPage(browser, PHONE);
    await signIn(phone, world.base, KEYS.admin, '/chat/dashboard');
    await phone.goto(`${world.base}/chat/dashboard?${MAY}`);
    await settled(phone);
    await phone.getByRole('button', { name: 'Open session c1', exact: true }).click();
    await phone.locator('dialog.session-dialog[data-state="ready"]').waitFor();
    const box = await phone.locator('dialog.session-dialog').boundingBox();
    expect(box!.x).toBeGreaterThanOrEqual(0);
    expect(box!.x + box!.width).toBeLessThanOrEqual(PHONE.width);
    expect(await phone.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(PHONE.width);
    await phone.context().close();
  });
});
