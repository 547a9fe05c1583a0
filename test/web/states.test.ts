import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { KEYS } from '../helpers/buildTestApp.ts';
import { errorsOf, launchBrowser, openPage, settled, signIn } from './support/browser.ts';
import { ensureWebBuild } from './support/webBuild.ts';
import { startWorld, type World } from './support/world.ts';

let world: World;
let browser: Browser;
let page: Page;

beforeAll(async () => {
  await ensureWebBuild();
  [world, browser] = await Promise.all([startWorld('states', ['alpha', 'gamma', 'down']), launchBrowser()]);
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
const states = () => page.locator('.panel').evaluateAll((panels) => Object.fromEntries(panels.map((p) => [p.id, (p as HTMLElement).dataset.state])));
const status = (panel: string) => page.locator(`#${panel} .panel-status`).textContent();

describe('loading, empty and error states', () => {
  it('says it is loading while an answer is on its way', async () => {
    let release!: () => void;
    const held = new Promise<void>((resolve) => (release = resolve));
    await page.route('**/api/alpha/funnel?*', async (route) => {
      await held;
      await route.continue();
    });
    await page.goto(`${world.base}/alpha/dashboard`);
    await page.locator('#daily[data-state="ready"]').waitFor();
    expect(await page.locator('#funnel').getAttribute('data-state')).toBe('loading');
    expect(await page.locator('#funnel').getAttribute('aria-busy')).toBe('true');
    expect(await status('funnel')).toBe('Loading…');
    release();
    await settled(page);
    expect(await page.locator('#funnel').getAttribute('data-state')).toBe('ready');
    await page.unroute('**/api/alpha/funnel?*');
  });

  it("says that the client's database is unreachable, in every panel and once above them", async () => {
    await open('/down/dashboard');
    expect(Object.values(await states())).toEqual(Array(11).fill('error'));
    expect(await status('funnel')).toBe("This client's database is unreachable. The numbers will be back when it answers again.");
    expect(await page.locator('.banner').getByRole('paragraph').allTextContents()).toEqual([
      "This client's database is unreachable. The numbers will be back when it answers again.",
    ]);
    expect(await page.locator('#daily a.csv').getAttribute('aria-disabled')).toBe('true');
    expect(await page.locator('#daily a.csv').getAttribute('href')).toBeNull();
    expect(errorsOf(page)).toEqual([]);
  });

  it('shows leads as "not available" (not as an error) when the client has no Leads table', async () => {
    await open('/gamma/dashboard');
    const all = await states();
    // gamma has neither Leads nor ChatLog: leads, lead sources and conversations are not available, the rest shows.
    const missing = ['leads', 'lead-sources', 'conversations'];
    expect(missing.map((id) => all[id])).toEqual(Array(3).fill('unavailable'));
    expect(await status('leads')).toMatch(/^Not available: /);
    expect(await status('lead-sources')).toBe('Not available: The client database has no "Leads" table');
    expect(Object.entries(all).filter(([id]) => !missing.includes(id)).every(([, state]) => state === 'ready')).toBe(true);
    expect(await page.locator('.tile[data-metric="leads"] .tile-value').textContent()).toBe('Not available');
    expect(await page.locator('.tile[data-metric="captureRate"] .tile-value').textContent()).toBe('Not available');
    expect(await page.locator('.banner').isHidden()).toBe(true);
  });

  it('says when a range has no sessions, and still offers its (empty) rows', async () => {
    await open('/alpha/dashboard?from=2023-01-01&to=2023-01-31');
    const all = await states();
    expect([all.funnel, all.daily, all.hourly, all.heatmap, all.sessions]).toEqual(Array(5).fill('empty'));
    expect([all.handoffs, all['time-to-convert']]).toEqual(['empty', 'empty']);
    expect(await status('funnel')).toBe('No sessions in this range.');
    expect(await status('handoffs')).toBe('No human requests in this range.');
    expect(await page.locator('#time-to-convert a.csv').getAttribute('href')).toBe('/api/alpha/time-to-convert?from=2023-01-01&to=2023-01-31&format=csv');
    expect(await page.locator('.tile[data-metric="sessions"]').getAttribute('data-value')).toBe('0');
    expect(await page.locator('#daily a.csv').getAttribute('href')).toBe('/api/alpha/daily?from=2023-01-01&to=2023-01-31&format=csv');
  });

  it('explains a malformed range in the address and shows the default range instead', async () => {
    await open('/alpha/dashboard?from=yesterday');
    expect(await page.locator('.range-problem').textContent()).toBe('Ignored from "yesterday" in the address: expected YYYY-MM-DD.');
    expect(await page.inputValue('#range-from')).toBe('2024-03-10');
    expect((await states()).funnel).toBe('ready');
  });

  it('says when the session has ended and links to sign in again', async () => {
    await open('/alpha/dashboard');
    await page.context().clearCookies();
    await page.getByRole('button', { name: '7 days' }).click();
    await settled(page);
    expect(await status('funnel')).toBe('Your session has ended: sign in again to see this dashboard.');
    expect(await page.locator('.banner a').getAttribute('href')).toBe('/login?next=%2Falpha%2Fdashboard%3Ffrom%3D2024-04-02%26to%3D2024-04-08');
    await signIn(page, world.base, KEYS.admin);
  });

  it("passes the API's own message on for a range it refuses", async () => {
    await open('/alpha/dashboard?from=2020-01-01&to=2024-04-08');
    expect((await states()).funnel).toBe('error');
    expect(await status('funnel')).toBe('The API refused this range: to: the range may span at most 2 years.');
  });
});
