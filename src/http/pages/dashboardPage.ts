import type { WebAssets } from './assets.ts';
import { BOOT_ELEMENT_ID, type DashboardBoot } from './boot.ts';
import { appShell, escapeHtml } from './html.ts';

/**
 * The dashboard's HTML shell. The front-end (src/web/app) builds the panels and fills them from the public API;
 * the heading is here so the page says whose it is before the script runs.
 */
export function dashboardPage(boot: DashboardBoot, assets: WebAssets): string {
  const { client } = boot;
  return appShell({
    title: client.name, assets, bootId: BOOT_ELEMENT_ID, boot, head: `<meta name="theme-color" content="${escapeHtml(client.branding.primaryColor)}">\n`,
    body: `<a class="skip-link" href="#dashboard">Skip to the dashboard</a>
<header class="site-header" id="site-header"><h1>${escapeHtml(client.name)}</h1></header>
<main id="dashboard" tabindex="-1">
<noscript><p>The dashboard needs JavaScript. The same numbers are available from the API at /api/${escapeHtml(client.id)}/…</p></noscript>
</main>`,
  });
}
