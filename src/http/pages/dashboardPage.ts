import type { WebAssets } from './assets.ts';
import { BOOT_ELEMENT_ID, type DashboardBoot } from './boot.ts';
import { escapeHtml, scriptJson } from './html.ts';

/**
 * The dashboard's HTML shell. The front-end (src/web/app) builds the panels and fills them from the public API;
 * the heading is here so the page says whose it is before the script runs.
 */
export function dashboardPage(boot: DashboardBoot, assets: WebAssets): string {
  const { client } = boot;
  const styles = assets.styles.map((href) => `<link rel="stylesheet" href="${escapeHtml(href)}">`).join('\n');
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="theme-color" content="${escapeHtml(client.branding.primaryColor)}">
<link rel="icon" href="data:,">
<title>${escapeHtml(client.name)} · Chatbot Analytics</title>
${styles}
<script type="module" src="${escapeHtml(assets.script)}"></script>
<script type="application/json" id="${BOOT_ELEMENT_ID}">${scriptJson(boot)}</script>
</head>
<body>
<a class="skip-link" href="#dashboard">Skip to the dashboard</a>
<header class="site-header" id="site-header"><h1>${escapeHtml(client.name)}</h1></header>
<main id="dashboard" tabindex="-1">
<noscript><p>The dashboard needs JavaScript. The same numbers are available from the API at /api/${escapeHtml(client.id)}/…</p></noscript>
</main>
</body>
</html>`;
}
