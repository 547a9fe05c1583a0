import { readFile } from 'node:fs/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { KEYS } from '../helpers/buildTestApp.ts';
import { errorsOf, launchBrowser, openPage, settled, submitKey } from './support/browser.ts';
import { ensureWebBuild } from './support/webBuild.ts';
import { startWorld, type World } from './support/world.ts';

const percent = new Intl.NumberFormat('en-US', { style: 'percent', minimumFractionDigits: 1, maximumFractionDigits: 1 });
const DEFAULT = { from: '2024-03-10', to: '2024-04-08' }; // the API's last 30 Sydney days at the test clock

let world: World;
let browser: Browser;
let page: Page;

beforeAll(async () => {
  await ensureWebBuild();
  [world, browser] = await Promise.all([startWorld('dashboard', ['alpha']), launchBrowser()]);
  page = await openPage(browser);
});
afterAll(async () => {
  await browser?.close();
  await world?.close();
});

const tile = (metric: string) => page.locator(`.tile[data-metric="${metric}"]`);
const search = (range: { from: string; to: string }) => `from=${range.from}&to=${range.to}`;

describe('the built-in dashboard', () => {
  it('signs in, lists the clients and opens one in its time zone', async () => {
    await page.goto(`${world.base}/`);
    expect(new URL(page.url()).pathname).toBe('/login');
    await submitKey(page, KEYS.admin);
    await page.getByRole('link', { name: 'Client alpha' }).click();
    await page.waitForURL(`${world.base}/alpha/dashboard`);
    await settled(page);
    expect(await page.locator('h1').textContent()).toBe('Client alpha');
    expect(await page.locator('.timezone').textContent()).toBe('All times in Australia/Sydney');
    // No range in the address: the page shows the API's own default range.
    const api = await world.api('/api/alpha/funnel');
    expect([api.from, api.to]).toEqual(['2024-03-10T00:00:00.000+11:00', '2024-04-09T00:00:00.000+10:00']);
    expect([await page.inputValue('#range-from'), await page.inputValue('#range-to')]).toEqual([DEFAULT.from, DEFAULT.to]);
    expect(await page.getByRole('button', { name: '30 days' }).getAttribute('aria-pressed')).toBe('true');
  });

  it('shows the funnel and the key metrics exactly as the API answers them for the same range', async () => {
    const [funnel, metrics, leads] = await Promise.all(['funnel', 'metrics', 'leads'].map((name) => world.api(`/api/alpha/${name}?${search(DEFAULT)}`)));
    expect(funnel.sessions).toBeGreaterThan(0);
    for (const step of funnel.steps) {
      const row = page.locator(`.funnel-step[data-step="${step.step}"]`);
      expect(await row.getAttribute('data-count')).toBe(String(step.count));
      expect(await row.locator('.funnel-count').textContent()).toBe(step.count.toLocaleString('en-US'));
      expect(await row.locator('.funnel-rate').textContent()).toContain(percent.format(step.rateFromPrevious));
    }
    for (const action of funnel.actions) {
      expect(await page.locator(`[data-action="${action.action}"] .action-count`).textContent()).toBe(String(action.count));
    }
    expect(await tile('sessions').getAttribute('data-value')).toBe(String(metrics.sessions));
    expect(await tile('sessions').locator('.tile-value').textContent()).toBe(String(metrics.sessions));
    expect(await tile('widgetOpenRate').locator('.tile-value').textContent()).toBe(percent.format(metrics.rates.widgetOpen.value));
    expect(await tile('humanRequestRate').locator('.tile-value').textContent()).toBe(percent.format(metrics.rates.humanRequest.value));
    expect(await tile('acceptShare').locator('.tile-value').textContent()).toBe(
      `${percent.format(metrics.acceptVsCallback.accept.value)} / ${percent.format(metrics.acceptVsCallback.callback.value)}`,
    );
    expect(Number(await tile('medianDuration').getAttribute('data-value'))).toBe(metrics.duration.medianSeconds);
    expect(await tile('leads').locator('.tile-value').textContent()).toBe(String(leads.total));
    expect(await tile('captureRate').locator('.tile-value').textContent()).toBe(percent.format(leads.captureRate));
  });

  it('changes the range from a preset: the address, the numbers and the comparison follow', async () => {
    await page.getByRole('button', { name: 'Today' }).click();
    await page.waitForURL(`${world.base}/alpha/dashboard?from=2024-04-08&to=2024-04-08`);
    await settled(page);
    const today = await world.api('/api/alpha/metrics?from=2024-04-08&to=2024-04-08');
    // By hand: s04 and s11 start on 8 April in Sydney, four sessions on the 25-hour 7 April.
    expect(today.sessions).toBe(2);
    expect(await tile('sessions').getAttribute('data-value')).toBe('2');
    expect(await tile('sessions').locator('.tile-change').textContent()).toBe('▼ -50% vs the day before (small sample)');
    expect(await page.locator('.funnel-step[data-step="pageLoaded"]').getAttribute('data-count')).toBe('2');

    await page.goBack();
    await settled(page);
    expect(await tile('sessions').getAttribute('data-value')).not.toBe('2');
    expect(await page.inputValue('#range-from')).toBe(DEFAULT.from);
  });

  it('takes a custom range, keeps it in the address and shows it again after a reload', async () => {
    await page.getByLabel('From', { exact: true }).fill('2024-04-06');
    await page.getByLabel('To', { exact: true }).fill('2024-04-07');
    await page.getByRole('button', { name: 'Apply' }).click();
    await page.waitForURL(/from=2024-04-06&to=2024-04-07$/);
    await page.reload();
    await settled(page);
    expect([await page.inputValue('#range-from'), await page.inputValue('#range-to')]).toEqual(['2024-04-06', '2024-04-07']);
    const metrics = await world.api('/api/alpha/metrics?from=2024-04-06&to=2024-04-07');
    expect(await tile('sessions').getAttribute('data-value')).toBe(String(metrics.sessions));
    expect(await page.getByRole('group', { name: 'Preset ranges' }).locator('[aria-pressed="true"]').count()).toBe(0);
  });

  it("downloads each panel's data as the API's CSV for the range shown", async () => {
    const range = 'from=2024-04-06&to=2024-04-07';
    const [daily, expected] = await Promise.all([world.api(`/api/alpha/daily?${range}`), world.apiText(`/api/alpha/daily?${range}&format=csv`)]);
    const [download] = await Promise.all([page.waitForEvent('download'), page.locator('#daily').getByRole('link', { name: 'Download CSV' }).click()]);
    expect(download.suggestedFilename()).toBe('alpha-daily-2024-04-06.csv');
    const text = await readFile((await download.path())!, 'utf8');
    expect(text).toBe(expected);
    const lines = text.trimEnd().split(/\r?\n/);
    expect(lines[0]).toBe('date,sessions,pageLoaded,widgetOpened,requestedHuman,pressedAccept,pressedCallback,pressedContinue');
    expect(lines.slice(1)).toEqual(
      daily.days.map((d: Record<string, number>) =>
        [d.date, d.sessions, d.pageLoaded, d.widgetOpened, d.requestedHuman, d.pressedAccept, d.pressedCallback, d.pressedContinue].join(','),
      ),
    );
    const links = await page.locator('.panel a.csv').evaluateAll((as) => as.map((a) => a.getAttribute('href')));
    // alpha has no ChatLog and no lead source column: those two panels are "not available", without a download.
    const panelLinks: (string | null)[] = ['metrics', 'daily', 'funnel', 'leads', 'hourly', 'heatmap', 'handoffs', 'time-to-convert'].map((e) => `/api/alpha/${e}?${range}&format=csv`);
    expect(links).toEqual(panelLinks.concat([null, null, `/api/alpha/sessions?${range}&limit=25&format=csv`]));
  });

  it('lists the sessions newest first, as the API pages them', async () => {
    const { sessions, nextCursor } = await world.api('/api/alpha/sessions?from=2024-04-06&to=2024-04-07&limit=25');
    const shown = await page.locator('#sessions tbody tr').evaluateAll((rows) => rows.map((row) => (row as HTMLElement).dataset.session));
    expect(shown).toEqual(sessions.map((s: { sessionId: string }) => s.sessionId));
    expect(nextCursor).toBeNull();
    expect(await page.getByRole('button', { name: 'Older →' }).isDisabled()).toBe(true);
    expect(errorsOf(page)).toEqual([]);
  });
});
