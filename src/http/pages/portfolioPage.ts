import type { WebAssets } from './assets.ts';
import { appShell, escapeHtml } from './html.ts';

export const PORTFOLIO_BOOT_ID = 'portfolio-boot';

/** What the server writes into the overview besides its rows' names: who is asking. Every number comes from `/api/portfolio`. */
export interface PortfolioBoot {
  who: string;
  demo: boolean;
  signedIn: boolean;
  /** Grafana is configured: each row links its Grafana dashboard too. */
  grafana: boolean;
}

/**
 * The overview's HTML shell: one row per client with its link already there (so the page is a usable list before
 * and without the script); src/web/portfolio fills in the figures, sorting and filters.
 */
export function portfolioPage(boot: PortfolioBoot, clients: { id: string; name: string; timezone: string }[], assets: WebAssets): string {
  const rows = clients.map((c) => {
    const id = encodeURIComponent(c.id);
    const grafana = boot.grafana ? ` · <a href="/${id}/grafana">Grafana</a>` : '';
    return `<tr data-client="${escapeHtml(c.id)}"><th scope="row"><a class="client-link" href="/${id}/dashboard">${escapeHtml(c.name)}</a><small>${escapeHtml(c.timezone)}${grafana}</small></th></tr>`;
  }).join('\n');
  const signOut = boot.signedIn ? '<form class="sign-out" method="post" action="/logout"><button type="submit">Sign out</button></form>' : '';
  return appShell({
    title: 'Clients', assets, bootId: PORTFOLIO_BOOT_ID, boot,
    body: `<a class="skip-link" href="#portfolio">Skip to the clients</a>
<header class="site-header"><div class="header-inner"><div><h1>Clients</h1>
<p class="meta signed-in">${escapeHtml(boot.who)} · <a href="/settings/account">Settings</a></p></div>${signOut}</div></header>
<main id="portfolio" tabindex="-1">
${boot.demo ? '<p class="note">These clients show generated demo data, not real visitors.</p>' : ''}
<div id="portfolio-controls"></div>
<p id="portfolio-status" class="note" role="status" aria-live="polite"></p>
<div class="table-wrap"><table class="portfolio"><caption class="visually-hidden">Every client you may see, for the chosen period against the one before</caption>
<thead><tr><th scope="col">Client</th></tr></thead>
<tbody>
${rows || '<tr><td>No client is visible to you.</td></tr>'}
</tbody></table></div>
</main>`,
  });
}
