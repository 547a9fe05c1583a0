import type { WebAssets } from './assets.ts';
import { SETTINGS_BOOT_ID, SETTINGS_TITLES, type SettingsBoot } from './boot.ts';
import { appShell, escapeHtml } from './html.ts';

/**
 * A settings page's HTML shell: the front-end (src/web/settings) builds the page from the JSON API; the title and
 * who is signed in are here so the page says what it is before the script runs.
 */
export function settingsPage(boot: SettingsBoot, assets: WebAssets): string {
  const title = SETTINGS_TITLES[boot.page];
  return appShell({
    title: `${title} · Settings`, assets, bootId: SETTINGS_BOOT_ID, boot,
    body: `<a class="skip-link" href="#settings">Skip to the page</a>
<header class="site-header" id="site-header"><h1>Settings</h1><p class="meta">${escapeHtml(boot.who)}</p></header>
<main id="settings" tabindex="-1">
<h2>${escapeHtml(title)}</h2>
<noscript><p>The settings pages need JavaScript. Everything they do is in the JSON API too: see /docs.</p></noscript>
</main>`,
  });
}
