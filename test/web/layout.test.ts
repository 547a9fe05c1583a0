import { copyFile } from 'node:fs/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { KEYS } from '../helpers/buildTestApp.ts';
import { DESKTOP, errorsOf, launchBrowser, openPage, PHONE, saveScreenshot, settled, signIn } from './support/browser.ts';
import { lowContrastText } from './support/contrast.ts';
import { ensureWebBuild } from './support/webBuild.ts';
import { startWorld, type World } from './support/world.ts';

/** `UPDATE_DOCS_SCREENSHOTS=1 npx vitest run test/web/layout.test.ts` refreshes the README's pictures in docs/. */
const DOCS = process.env.UPDATE_DOCS_SCREENSHOTS === '1' ? new URL('../../docs/', import.meta.url).pathname : null;

let world: World;
let browser: Browser;

beforeAll(async () => {
  await ensureWebBuild();
  // Realistic volume (150–350 sessions a day) so the pictures look like a real client's.
  [world, browser] = await Promise.all([startWorld('layout', ['beta'], { realisticVolume: true }), launchBrowser()]);
});
afterAll(async () => {
  await browser?.close();
  await world?.close();
});

async function dashboard(viewport: typeof DESKTOP): Promise<{ page: Page; firstChartMs: number }> {
  const page = await openPage(browser, viewport);
  await signIn(page, world.base, KEYS.beta, '/beta/dashboard');
  await settled(page);
  const firstChartMs = await page.evaluate(() => performance.getEntriesByName('dashboard:first-chart')[0]?.startTime ?? NaN);
  return { page, firstChartMs };
}

describe('layout, keyboard and contrast', () => {
  it('fills a desktop screen with every panel and marks when the first chart is drawn', async () => {
    const { page, firstChartMs } = await dashboard(DESKTOP);
    expect(await page.locator('.panel[data-state="ready"]').count()).toBe(11);
    expect(await page.locator('#daily svg').count()).toBe(1);
    expect(await page.locator('#handoffs .chart-staffing svg').count()).toBe(1);
    console.log(`dashboard: first chart ${Math.round(firstChartMs)} ms after navigation (desktop)`);
    // Drawn and marked (how fast is the benchmark's business, not an assertion's).
    expect(Number.isFinite(firstChartMs)).toBe(true);
    const shot = await saveScreenshot(page, 'dashboard-desktop');
    if (DOCS) await copyFile(shot, `${DOCS}screenshot-desktop.png`);
    expect(errorsOf(page)).toEqual([]);
  });

  it('fits a 375 px phone screen without sideways scrolling', async () => {
    const { page } = await dashboard(PHONE);
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(PHONE.width);
    const widths = await page.locator('.panel').evaluateAll((panels) => panels.map((p) => p.getBoundingClientRect().right));
    for (const right of widths) expect(right).toBeLessThanOrEqual(PHONE.width);
    await saveScreenshot(page, 'dashboard-phone');
    const firstScreen = await saveScreenshot(page, 'dashboard-phone-first-screen', false);
    if (DOCS) await copyFile(firstScreen, `${DOCS}screenshot-phone.png`);
  });

  it('can be used from the keyboard, and every control has a name', async () => {
    const { page } = await dashboard(DESKTOP);
    const unnamed = await page.locator('button, input, a, select').evaluateAll((controls) =>
      controls.filter((c) => !(c.textContent?.trim() || c.getAttribute('aria-label') || (c as HTMLInputElement).labels?.length)).map((c) => c.outerHTML),
    );
    expect(unnamed).toEqual([]);
    await page.keyboard.press('Tab');
    expect(await page.evaluate(() => document.activeElement?.textContent)).toBe('Skip to the dashboard');
    for (let i = 0; i < 10 && (await page.evaluate(() => document.activeElement?.textContent)) !== '7 days'; i++) await page.keyboard.press('Tab');
    await page.keyboard.press('Enter');
    await page.waitForURL(/from=2024-04-02&to=2024-04-08$/);
    await settled(page);
    expect(await page.getByRole('button', { name: '7 days' }).getAttribute('aria-pressed')).toBe('true');
  });

  it('keeps every piece of text at WCAG AA contrast, in the client colours too', async () => {
    const { page } = await dashboard(DESKTOP);
    expect(await lowContrastText(page)).toEqual([]);
  });

  it("shows a session's timeline and transcript in a dialog over the page, at AA contrast", async () => {
    const { page } = await dashboard(DESKTOP);
    const ids = await page.locator('#sessions tbody tr').evaluateAll((rows) => rows.map((row) => (row as HTMLElement).dataset.session!));
    const rich = async (id: string) => {
      const detail = await world.api(`/api/beta/sessions/${id}`);
      return detail.transcript.rows.length >= 4 && detail.leads.rows.length > 0 && detail.agentConnections.rows.length > 0;
    };
    let chosen = ids[0]!;
    for (const id of ids) if (await rich(id)) { chosen = id; break; }
    await page.getByRole('button', { name: `Open session ${chosen}`, exact: true }).click();
    await page.locator('dialog.session-dialog[data-state="ready"]').waitFor();
    expect(await lowContrastText(page)).toEqual([]);
    const shot = await saveScreenshot(page, 'dashboard-session-detail', false);
    if (DOCS) await copyFile(shot, `${DOCS}screenshot-session.png`);
    expect(errorsOf(page)).toEqual([]);
  });
});
