import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser } from 'playwright-core';
import { buildTestApp, KEYS, testClient } from '../helpers/buildTestApp.ts';
import { readWebAssets } from '../../src/http/pages/assets.ts';
import { errorsOf, launchBrowser, openPage, settled, signIn, submitKey } from './support/browser.ts';
import { ensureWebBuild } from './support/webBuild.ts';
import { startWorld, type World } from './support/world.ts';

let world: World;
let browser: Browser;

beforeAll(async () => {
  await ensureWebBuild();
  [world, browser] = await Promise.all([startWorld('access', ['alpha', 'beta']), launchBrowser()]);
});
afterAll(async () => {
  await browser?.close();
  await world?.close();
});

const sessionIds = (rows: { sessionId: string }[]) => rows.map((s) => s.sessionId);

describe('each client sees its own dashboard', () => {
  it('opens a second client in its own branding, time zone and numbers', async () => {
    const page = await openPage(browser);
    await signIn(page, world.base, KEYS.admin, '/beta/dashboard');
    await settled(page);
    expect(await page.locator('h1').textContent()).toBe('Northwind Outdoor Shop');
    expect(await page.locator('.timezone').textContent()).toBe('All times in Europe/London');
    expect(await page.getByRole('img', { name: 'Northwind Outdoor Shop logo' }).evaluate((img) => (img as HTMLImageElement).naturalWidth)).toBe(40);
    expect(await page.evaluate(() => document.documentElement.style.getPropertyValue('--brand'))).toBe('#b45309');

    const [beta, alpha] = await Promise.all([world.api('/api/beta/metrics'), world.api('/api/alpha/metrics')]);
    expect(beta.from).toBe('2024-03-10T00:00:00.000+00:00'); // London's 30 days end on the same date as Sydney's here
    const sessions = page.locator('.tile[data-metric="sessions"]');
    expect(await sessions.getAttribute('data-value')).toBe(String(beta.sessions));
    expect(beta.sessions).not.toBe(alpha.sessions);
    expect(await page.locator('.funnel-step[data-step="requestedHuman"]').getAttribute('data-count')).toBe(String(beta.rates.humanRequest.numerator));
    expect(errorsOf(page)).toEqual([]);
  });

  it('pages through the sessions with the API cursor, newest first, and back', async () => {
    const page = await openPage(browser);
    await signIn(page, world.base, KEYS.beta, '/beta/dashboard');
    await settled(page);
    const first = await world.api('/api/beta/sessions?limit=25');
    const second = await world.api(`/api/beta/sessions?limit=25&cursor=${encodeURIComponent(first.nextCursor)}`);
    const shown = () => page.locator('#sessions tbody tr').evaluateAll((rows) => rows.map((row) => (row as HTMLElement).dataset.session));
    expect(await shown()).toEqual(sessionIds(first.sessions));
    await page.getByRole('button', { name: 'Older →' }).click();
    await page.locator('.page-info', { hasText: 'Page 2' }).waitFor();
    expect(await shown()).toEqual(sessionIds(second.sessions));
    expect(await page.evaluate(() => document.activeElement?.textContent)).toBe('Older →'); // focus stays on the pager
    await page.keyboard.press('Shift+Tab');
    await page.keyboard.press('Enter');
    await page.locator('.page-info', { hasText: 'Page 1' }).waitFor();
    expect(await shown()).toEqual(sessionIds(first.sessions));
  });
});

describe('access', () => {
  it("keeps a client key out of another client's dashboard (404, like an unknown client)", async () => {
    const page = await openPage(browser);
    await signIn(page, world.base, KEYS.alpha);
    expect(await page.locator('.clients').getByRole('link').evaluateAll((links) => links.map((a) => a.getAttribute('href')))).toEqual(['/alpha/dashboard']);
    for (const path of ['/beta/dashboard', '/nobody/dashboard']) {
      const response = await page.goto(`${world.base}${path}`);
      expect(response!.status()).toBe(404);
      expect(await page.locator('main').textContent()).toContain('There is no such client.');
    }
    await page.goto(`${world.base}/alpha/dashboard`);
    await settled(page);
    expect(await page.locator('#funnel').getAttribute('data-state')).toBe('ready');
    // The page's own credentials (the session cookie) cannot read the other client's API either.
    expect(await page.evaluate(() => fetch('/api/beta/funnel').then((r) => r.status))).toBe(404);
  });

  it('sends a browser without a session to sign in, then back to the range it asked for', async () => {
    const page = await openPage(browser);
    await page.goto(`${world.base}/alpha/dashboard?from=2024-04-07&to=2024-04-08`);
    expect(new URL(page.url()).pathname).toBe('/login');
    // The script and styles hold no data: they load for anyone (the login page could use them too).
    const assets = readWebAssets()!;
    for (const path of [assets.script, ...assets.styles]) expect((await fetch(`${world.base}${path}`)).status).toBe(200);
    await submitKey(page, KEYS.alpha);
    await page.waitForURL(`${world.base}/alpha/dashboard?from=2024-04-07&to=2024-04-08`);
    await settled(page);
    expect(await page.inputValue('#range-from')).toBe('2024-04-07');
  });

  it('opens without sign-in on an open platform (no keys, as `npm start` with demo data)', async () => {
    const open = await buildTestApp([testClient('alpha', 'Australia/Sydney', null), testClient('beta', 'Europe/London', null)]);
    try {
      const home = await open.inject({ method: 'GET', url: '/' });
      expect(home.statusCode).toBe(200);
      expect(home.body).toContain('href="/alpha/dashboard"');
      expect(home.body).toContain('href="/beta/dashboard"');
      expect(home.body).not.toContain('Sign out');
      const dashboard = await open.inject({ method: 'GET', url: '/beta/dashboard' });
      expect(dashboard.statusCode).toBe(200);
      expect(dashboard.headers['content-security-policy']).toContain("script-src 'self'");
      expect(dashboard.body).toContain('"defaultRange":{"from":"2024-03-10","to":"2024-04-08"}');
    } finally {
      await open.close();
    }
  });
});
