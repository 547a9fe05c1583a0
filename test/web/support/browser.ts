import { mkdirSync } from 'node:fs';
import { chromium, type Browser, type Page } from 'playwright-core';
import { chromiumPath } from '../../helpers/prerequisites.ts';

/** Debian's chromium (installed by .ci/run); a browser is never downloaded. */
const CHROMIUM = chromiumPath();
const ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'];

export const ARTIFACTS = new URL('../../../test-artifacts/', import.meta.url).pathname;

export function launchBrowser(): Promise<Browser> {
  return chromium.launch({ executablePath: CHROMIUM, args: ARGS });
}

export const DESKTOP = { width: 1280, height: 900 };
export const PHONE = { width: 375, height: 812 };

const scriptErrors = new WeakMap<Page, string[]>();

/**
 * A fresh page with its own cookies. The browser's clock is in Los Angeles on purpose: dates on the page must follow
 * the client's time zone, never the viewer's.
 */
export async function openPage(browser: Browser, viewport = DESKTOP): Promise<Page> {
  const context = await browser.newContext({ viewport, locale: 'en-US', timezoneId: 'America/Los_Angeles', acceptDownloads: true });
  const page = await context.newPage();
  const errors: string[] = [];
  scriptErrors.set(page, errors);
  page.on('pageerror', (error) => errors.push(error.message));
  return page;
}

/** Uncaught script errors on the page so far (tests expect none). */
export const errorsOf = (page: Page) => scriptErrors.get(page) ?? [];

/** Fills and sends the sign-in page's API key form (the legacy way), on whatever page the browser is. */
export async function submitKey(page: Page, key: string): Promise<void> {
  await page.getByText('Sign in with an API key').click();
  await page.getByLabel('API key').fill(key);
  await page.getByRole('button', { name: 'Sign in with the key' }).click();
}

/** Signs in with an API key through the real form and follows the redirect to `next`. */
export async function signIn(page: Page, base: string, key: string, next = '/'): Promise<void> {
  await page.goto(`${base}/login?next=${encodeURIComponent(next)}`);
  await submitKey(page, key);
  await page.waitForURL((url) => url.pathname === next.split('?')[0]);
}

/** Signs in with an email and password through the real form and follows the redirect to `next`. */
export async function signInAs(page: Page, base: string, email: string, password: string, next = '/'): Promise<void> {
  await page.goto(`${base}/login?next=${encodeURIComponent(next)}`);
  await page.getByLabel('Email').fill(email);
  await page.getByLabel('Password').fill(password);
  await page.getByRole('button', { name: 'Sign in', exact: true }).click();
  await page.waitForURL((url) => url.pathname === next.split('?')[0]);
}

/** Waits until no panel is loading any more. */
export async function settled(page: Page): Promise<void> {
  await page.waitForFunction(() => {
    const panels = [...document.querySelectorAll<HTMLElement>('.panel')];
    return panels.length > 0 && panels.every((panel) => panel.dataset.state !== 'loading');
  });
}

/** A PNG under test-artifacts/ (git-ignored): the whole page, or only the first screen. */
export async function saveScreenshot(page: Page, name: string, fullPage = true): Promise<string> {
  mkdirSync(ARTIFACTS, { recursive: true });
  const path = `${ARTIFACTS}${name}.png`;
  await page.screenshot({ path, fullPage });
  return path;
}
