import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { describeChange, formatCount, formatPercent } from '../../src/web/app/format.ts';
import { bearer, buildTestApp, KEYS, testClient } from '../helpers/buildTestApp.ts';
import { createTestDatabase, type TestDatabase } from '../helpers/testDatabase.ts';
import { loadPortfolioClient, PORTFOLIO_NOW, SILENT_UNTIL } from '../fixtures/portfolioFixture.ts';
import { errorsOf, launchBrowser, openPage, saveScreenshot, submitKey } from './support/browser.ts';
import { ensureWebBuild } from './support/webBuild.ts';

/** The operator's home page: the portfolio overview, checked against `/api/portfolio` for every row on screen. */
type App = Awaited<ReturnType<typeof buildTestApp>>;
let db: TestDatabase;
let app: App;
let base: string;
let browser: Browser;
let page: Page;

beforeAll(async () => {
  await ensureWebBuild();
  db = await createTestDatabase('web_portfolio');
  await loadPortfolioClient(db.pool, 'steady', PORTFOLIO_NOW);
  await loadPortfolioClient(db.pool, 'silent', SILENT_UNTIL);
  app = await buildTestApp([
    { ...testClient('steady', 'Europe/London', db.url, 'steady'), name: 'Steady Shop' },
    { ...testClient('silent', 'Europe/London', db.url, 'silent'), name: 'Silent Clinic' },
    { ...testClient('down', 'Europe/London', 'postgres://postgres@127.0.0.1:9/nowhere'), name: 'Down Garage' },
  ], { admin: KEYS.admin, clients: { steady: KEYS.alpha } });
  base = await app.listen({ port: 0, host: '127.0.0.1' });
  browser = await launchBrowser();
  page = await openPage(browser);
  await page.goto(`${base}/login?next=%2F`);
  await submitKey(page, KEYS.admin);
  await page.waitForURL(`${base}/`);
}, 120_000);
afterAll(async () => {
  await browser?.close();
  await app?.close();
  await db?.drop();
});

const loaded = () => page.waitForFunction(() => document.querySelector('table.portfolio')?.getAttribute('aria-busy') === null && document.querySelector('tbody tr[data-state]') !== null);
const shownClients = () => page.locator('tbody tr').evaluateAll((rows) => rows.map((r) => (r as HTMLElement).dataset.client));
const FIGURES = { sessions: formatCount, widgetOpenRate: formatPercent, humanRequestRate: formatPercent, acceptRate: formatPercent, leads: formatCount, unansweredHandoffs: formatCount } as const;

describe('the portfolio overview', () => {
  it('shows the same numbers as the API for every client on screen', async () => {
    await loaded();
    const api = (await (await fetch(`${base}/api/portfolio`, { headers: bearer(KEYS.admin) })).json()).clients;
    expect(await shownClients()).toEqual(['down', 'silent', 'steady']); // by name: Down Garage, Silent Clinic, Steady Shop
    for (const row of api) {
      const tr = page.locator(`tbody tr[data-client="${row.clientId}"]`);
      if (row.state !== 'ok') {
        expect(await tr.locator('td.unavailable').textContent()).toBe(`No answer ${row.error.message}`);
        continue;
      }
      for (const [name, format] of Object.entries(FIGURES)) {
        const change = row.kpis[name];
        const cell = tr.locator(`td[data-column="${name}"]`);
        expect([name, await cell.locator('.value').textContent()]).toEqual([name, format(change.current)]);
        expect([name, await cell.locator('.change').textContent()]).toEqual([name, describeChange(change).text]);
      }
      expect(await tr.locator('.sparkline').getAttribute('aria-label')).toBe(`Daily sessions: ${row.trend.map((d: { sessions: number }) => d.sessions).join(', ')}`);
      expect(await tr.locator('td[data-column="freshness"] .summary').textContent()).toBe(row.freshness.summary);
    }
    // More unanswered handoffs is worse: its rise is shown in the colour of a fall.
    const handoffs = page.locator('tbody tr[data-client="steady"] td[data-column="unansweredHandoffs"] .change');
    expect(await handoffs.evaluate((e) => [e.className, getComputedStyle(e).color])).toEqual(['change up', 'rgb(207, 34, 46)']);
    expect(errorsOf(page)).toEqual([]);
    await saveScreenshot(page, 'portfolio-overview');
  });

  it('flags the silent client, and filters to the clients with problems', async () => {
    const silent = page.locator('tbody tr[data-client="silent"]');
    expect(await silent.getAttribute('data-freshness')).toBe('silent');
    expect(await silent.locator('.flag').textContent()).toBe('Silent');
    expect(await silent.locator('.summary').textContent()).toBe('quiet for 27 h, usually 54 sessions in that time');
    expect(await page.locator('tbody tr[data-client="steady"] .flag').textContent()).toBe('OK');
    await page.getByLabel('Only with problems').check();
    expect(await shownClients()).toEqual(['down', 'silent']);
    await page.getByLabel('Search clients').fill('clinic');
    expect(await shownClients()).toEqual(['silent']);
    expect(new URL(page.url()).search).toBe('?q=clinic&problems=1');
    await page.getByLabel('Search clients').fill('');
    await page.getByLabel('Only with problems').uncheck();
  });

  it('sorts by a column from its header button, with the keyboard too', async () => {
    const header = page.getByRole('button', { name: 'Sessions', exact: true });
    await header.focus();
    await page.keyboard.press('Enter'); // first press: most first
    expect(await page.locator('th[aria-sort="descending"]').textContent()).toBe('Sessions');
    expect(await shownClients()).toEqual(['steady', 'silent', 'down']); // 294, 242, then no figure
    await page.keyboard.press('Enter');
    expect(await shownClients()).toEqual(['silent', 'steady', 'down']); // no figure stays last
    await page.getByRole('button', { name: 'Data', exact: true }).click();
    expect(await shownClients()).toEqual(['down', 'silent', 'steady']);
  });

  it('opens the silent client\'s dashboard from its row', async () => {
    await page.getByRole('link', { name: 'Silent Clinic' }).click();
    await page.waitForURL(`${base}/silent/dashboard`);
    expect(await page.locator('h1').textContent()).toBe('Silent Clinic');
  });

  it('gives a one-client member its plain list, not the overview', async () => {
    const member = await openPage(browser);
    await member.goto(`${base}/login?next=%2F`);
    await submitKey(member, KEYS.alpha);
    await member.waitForURL(`${base}/`);
    expect(await member.locator('.clients a').evaluateAll((links) => links.map((a) => a.getAttribute('href')))).toEqual(['/steady/dashboard']);
    expect(await member.locator('table.portfolio').count()).toBe(0);
  });
});
