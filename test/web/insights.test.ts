import { readFile } from 'node:fs/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { KEYS } from '../helpers/buildTestApp.ts';
import { errorsOf, launchBrowser, openPage, settled, signIn } from './support/browser.ts';
import { expectConversations, expectHandoffs, expectInsightPanels, expectLeadSources, expectTimeToConvert } from './support/panels.ts';
import { ensureWebBuild } from './support/webBuild.ts';
import { startWorld, type World } from './support/world.ts';

const APRIL = 'from=2024-04-06&to=2024-04-08'; // the handoff fixture's range
const MAY = 'from=2024-05-01&to=2024-05-02'; // the chat fixture's range

let world: World;
let browser: Browser;
let page: Page;

beforeAll(async () => {
  await ensureWebBuild();
  [world, browser] = await Promise.all([startWorld('insights', ['alpha', 'beta', 'handoff', 'chat']), launchBrowser()]);
  page = await openPage(browser);
  await signIn(page, world.base, KEYS.admin);
});
afterAll(async () => {
  await browser?.close();
  await world?.close();
});

async function open(path: string): Promise<void> {
  await page.goto(`${world.base}${path}`);
  await settled(page);
}
const status = (panel: string) => page.locator(`#${panel} .panel-status`).textContent();
const facts = (scope: string) =>
  page.locator(`${scope} [data-fact]`).evaluateAll((items) => Object.fromEntries(items.map((i) => [(i as HTMLElement).dataset.fact, i.querySelector('dd')!.textContent])));

describe('time to convert and handoffs', () => {
  it('shows the hand-checked handoff fixture exactly as the API answers it', async () => {
    await open(`/handoff/dashboard?${APRIL}`);
    const [handoffs, timeToConvert] = await Promise.all([world.api(`/api/handoff/handoffs?${APRIL}`), world.api(`/api/handoff/time-to-convert?${APRIL}`)]);
    // By hand (test/http/conversion.test.ts): 8 handoffs, 3 accepted, 1 callback, 1 continued, 2 abandoned, 1 pending.
    const shown = await page.locator('#handoffs [data-outcome]').evaluateAll((items) =>
      items.map((li) => `${li.querySelector('.share-label')!.textContent} ${li.querySelector('.share-value')!.textContent}`));
    expect(shown).toEqual(['Accepted 3 (37.5%)', 'Callback 1 (12.5%)', 'Continued with bot 1 (12.5%)', 'Abandoned 2 (25.0%)', 'Pending 1 (12.5%)']);
    expect(await page.locator('#handoffs [data-outcome="abandoned"] .share-note').textContent()).toBe('no choice within 10 minutes of the request');
    // 7 agent requests, 5 connected; time to agent p50 67.5 s, p90 447 s; 2 never connected.
    expect(await facts('#handoffs')).toEqual({
      requested: '7', connected: '5', timeToAgentP50: '1m 08s', timeToAgentP90: '7m 27s', neverConnected: '2', neverConnectedShare: '28.6%',
    });
    expect(await page.locator('#handoffs .chart-staffing').getAttribute('aria-label')).toBe(
      'Agent requests by weekday and local hour: 7 requested, 5 answered. Most unanswered: Mon 11:00, 1 of 1.',
    );
    expect(await page.locator('#handoffs .chart-staffing svg').count()).toBe(1);
    await expectHandoffs(page, handoffs);

    // Page load → widget open: 8 sessions, p50 37.5 s, p90 123 s, 1 | 2 | 2 | 2 | 1 | 0 | 0 | 0 per bin.
    const first = page.locator('#time-to-convert [data-transition="pageLoadedToWidgetOpened"]');
    expect(await first.locator('h3').textContent()).toBe('Page load → Widget open');
    expect(await first.locator('dd').allTextContents()).toEqual(['8', '38s', '2m 03s']);
    expect(await first.locator('.bin').evaluateAll((bins) => bins.map((b) => (b as HTMLElement).dataset.count))).toEqual(['1', '2', '2', '2', '1', '0', '0', '0']);
    expect(await first.locator('.histogram').getAttribute('aria-label')).toBe(
      'Sessions by time taken: < 10s: 1, 10–30s: 2, 30s–1m: 2, 1–2m: 2, 2–5m: 1, 5–15m: 0, 15–60m: 0, ≥ 1h: 0',
    );
    await expectTimeToConvert(page, timeToConvert);
  });

  it('offers each new panel as the API\'s CSV for the same range', async () => {
    const href = (panel: string) => page.locator(`#${panel} a.csv`).getAttribute('href');
    expect([await href('handoffs'), await href('time-to-convert')]).toEqual(['handoffs', 'time-to-convert'].map((e) => `/api/handoff/${e}?${APRIL}&format=csv`));
    const [download] = await Promise.all([page.waitForEvent('download'), page.locator('#time-to-convert').getByRole('link', { name: 'Download CSV' }).click()]);
    expect(await readFile((await download.path())!, 'utf8')).toBe(await world.apiText(`/api/handoff/time-to-convert?${APRIL}&format=csv`));
  });
});

describe('conversations and lead sources', () => {
  it('shows the hand-checked chat fixture exactly as the API answers it', async () => {
    await open(`/chat/dashboard?${MAY}`);
    const [conversations, leadSources] = await Promise.all([world.api(`/api/chat/conversations?${MAY}`), world.api(`/api/chat/lead-sources?${MAY}`)]);
    // By hand (test/http/conversations.test.ts): 5 conversations of 6 sessions, 3 contained, 16 messages.
    expect(await facts('#conversations')).toEqual({
      conversations: '5', conversationRate: '83.3%', containmentRate: '60.0%', messagesP50: '3', messages: '16', lengthP50: '1m 25s',
    });
    expect(await page.locator('#conversations .note').textContent()).toBe(
      'Containment: 3 of 5 conversations never asked for a human. Messages per conversation: 90th percentile 5.2.',
    );
    expect(await page.locator('#conversations [data-role]').evaluateAll((items) => items.map((li) => li.textContent))).toEqual(['Visitor8', 'Bot5', 'Agent2', 'Other1']);
    await expectConversations(page, conversations);
    // google: 3 of 6 leads, 3 of 6 sessions, 2 of its 3 leads asked for a human.
    expect(await page.locator('#lead-sources tr[data-source="google"]').locator('th, td').allTextContents()).toEqual(['google', '3', '50.0%', '50.0%', '2 (66.7%)']);
    await expectLeadSources(page, leadSources);
    const href = (panel: string) => page.locator(`#${panel} a.csv`).getAttribute('href');
    expect([await href('conversations'), await href('lead-sources')]).toEqual(['conversations', 'lead-sources'].map((e) => `/api/chat/${e}?${MAY}&format=csv`));
    const [download] = await Promise.all([page.waitForEvent('download'), page.locator('#lead-sources').getByRole('link', { name: 'Download CSV' }).click()]);
    expect(await readFile((await download.path())!, 'utf8')).toBe(await world.apiText(`/api/chat/lead-sources?${MAY}&format=csv`));
  });

  it('matches the API on generated demo data, and follows a change of range', async () => {
    await open('/beta/dashboard');
    const range = `from=${await page.inputValue('#range-from')}&to=${await page.inputValue('#range-to')}`;
    expect(await page.locator('#conversations').getAttribute('data-state')).toBe('ready');
    expect(await page.locator('#handoffs [data-part="agent"] .facts').count()).toBe(1);
    await expectInsightPanels(page, world.api, 'beta', range);
    await page.getByRole('button', { name: '7 days' }).click();
    await page.waitForURL(/from=2024-04-02&to=2024-04-08$/);
    await settled(page);
    await expectInsightPanels(page, world.api, 'beta', 'from=2024-04-02&to=2024-04-08');
    expect(errorsOf(page)).toEqual([]);
  });

  it('says "Not available" for a client without ChatLog, AgentConnection or a lead source column', async () => {
    await open('/alpha/dashboard');
    const [conversations, leadSources, handoffs] = await Promise.all(['conversations', 'lead-sources', 'handoffs'].map((e) => world.api(`/api/alpha/${e}`)));
    expect(conversations).toMatchObject({ available: false, reason: 'The client database has no "ChatLog" table' });
    expect(await status('conversations')).toBe('Not available: The client database has no "ChatLog" table');
    expect(await status('lead-sources')).toBe(`Not available: ${leadSources.reason}`);
    expect(leadSources.reason).toMatch(/no source column/);
    expect(await page.locator('#lead-sources a.csv').getAttribute('aria-disabled')).toBe('true');
    // The outcomes still show; only the agent part is missing.
    expect(await page.locator('#handoffs').getAttribute('data-state')).toBe('ready');
    expect(await page.locator('#handoffs [data-part="agent"] .part-status').textContent()).toBe('Not available: The client database has no "AgentConnection" table');
    await expectHandoffs(page, handoffs);
    await expectConversations(page, conversations);
    await expectLeadSources(page, leadSources);
    expect(await page.locator('.banner').isHidden()).toBe(true);
  });
});
