import fastifyStatic from '@fastify/static';
import type { FastifyPluginAsync, FastifyReply, FastifyRequest } from 'fastify';
import { resolveRange } from '../../analytics/range.ts';
import { PORTFOLIO_ENTRY, readWebAssets, SETTINGS_ENTRY, WEB_BUILD_DIR } from '../pages/assets.ts';
import { SETTINGS_PAGES, type DashboardBoot, type SettingsBoot, type SettingsPageName } from '../pages/boot.ts';
import { dashboardPage } from '../pages/dashboardPage.ts';
import { clientListPage, messagePage } from '../pages/html.ts';
import { settingsPage } from '../pages/settingsPage.ts';
import { portfolioPage } from '../pages/portfolioPage.ts';
import { signedInAs } from '../pages/who.ts';
import { canSee, type Principal } from '../../access/principal.ts';
import type { ApiContext } from '../context.ts';
import { meOf } from '../schemas/me.ts';

const HTML = 'text/html; charset=utf-8';

/** The page loads only our own script and styles and talks only to our API; a client's logo may live elsewhere. */
const CONTENT_SECURITY_POLICY = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self' 'unsafe-inline'", // ECharts positions its tooltip with inline styles
  "img-src 'self' data: https:",
  "connect-src 'self'",
  "base-uri 'none'",
  "form-action 'self'",
  "frame-ancestors 'none'",
].join('; ');

function htmlPage(reply: FastifyReply, status: number, title: string, message: string) {
  return reply.status(status).type(HTML).send(messagePage(title, message));
}

/** Headers of the pages the front-end builds: never cached (they hold who is asking), only our own code. */
const appPage = (reply: FastifyReply) => reply
  .header('cache-control', 'no-store')
  .header('content-security-policy', CONTENT_SECURITY_POLICY)
  .header('referrer-policy', 'same-origin')
  .type(HTML);

const signInFirst = (request: FastifyRequest, reply: FastifyReply) => reply.redirect(`/login?next=${encodeURIComponent(request.url)}`, 302);

/**
 * The built-in web app: `/` lists the visible clients, `/{clientId}/dashboard` shows one, `/settings/{page}` are the
 * account and admin pages, `/assets/*` is their code.
 */
export const webRoutes: FastifyPluginAsync<{ ctx: ApiContext }> = async (app, { ctx }) => {
  const assets = readWebAssets();
  const settingsAssets = readWebAssets(WEB_BUILD_DIR, SETTINGS_ENTRY);
  const portfolioAssets = readWebAssets(WEB_BUILD_DIR, PORTFOLIO_ENTRY);
  if (!assets || !settingsAssets) app.log.warn('The web front-end is not built (dist/web): run `npm run build`');

  /** Browsers sign in with a session; the open platform lets everyone in as its demo admin. */
  const browserPrincipal = (request: FastifyRequest): Principal | null =>
    request.principal?.via === 'bearer' ? null : request.principal;

  app.get('/', { config: { public: true }, schema: { hide: true } }, async (request, reply) => {
    const principal = browserPrincipal(request);
    if (!principal) return reply.redirect('/login', 302);
    const visible = ctx.clients.list().filter((client) => canSee(principal, client.id));
    const options = { grafana: ctx.grafana.url !== null, signedIn: principal.via === 'session', demo: ctx.demo, who: signedInAs(principal.actor) };
    // Operators, admins and whoever sees several clients land on the portfolio overview; a one-client member on its link.
    if (portfolioAssets && (principal.role !== 'member' || visible.length > 1)) return appPage(reply).send(portfolioPage(options, visible, portfolioAssets));
    return reply.header('cache-control', 'no-store').type(HTML).send(clientListPage(visible, options));
  });

  app.get<{ Params: { clientId: string } }>('/:clientId/dashboard', { config: { public: true }, schema: { hide: true } }, async (request, reply) => {
    const principal = browserPrincipal(request);
    if (!principal) return signInFirst(request, reply);
    const client = ctx.clients.get(request.params.clientId);
    // Another client's dashboard looks exactly like an unknown one, as in the API.
    if (!client || !canSee(principal, client.id)) return htmlPage(reply, 404, 'Not found', 'There is no such client.');
    if (!assets) return htmlPage(reply, 503, 'Dashboard not built', 'The dashboard has not been built yet: run npm run build (npm install does it).');
    const { days } = resolveRange({}, client.timezone, ctx.now());
    const boot: DashboardBoot = {
      client: { id: client.id, name: client.name, domain: client.domain, timezone: client.timezone, branding: client.branding },
      defaultRange: { from: days[0]!, to: days[days.length - 1]! },
      demo: ctx.demo,
      signedIn: principal.via === 'session',
      who: signedInAs(principal.actor),
    };
    return appPage(reply).send(dashboardPage(boot, assets));
  });

  app.get('/settings', { config: { public: true }, schema: { hide: true } }, async (_request, reply) => reply.redirect('/settings/account', 302));

  app.get<{ Params: { page: string } }>('/settings/:page', { config: { public: true }, schema: { hide: true } }, async (request, reply) => {
    if (!(SETTINGS_PAGES as readonly string[]).includes(request.params.page)) return htmlPage(reply, 404, 'Not found', 'There is no such settings page.');
    const principal = browserPrincipal(request);
    if (!principal) return signInFirst(request, reply);
    if (!settingsAssets) return htmlPage(reply, 503, 'Pages not built', 'The web front-end has not been built yet: run npm run build (npm install does it).');
    // Every signed-in principal gets the page; what it may do there, the API decides (and the page says).
    const boot: SettingsBoot = {
      page: request.params.page as SettingsPageName, me: meOf(principal, ctx), who: signedInAs(principal.actor),
      demo: ctx.demo, signedIn: principal.via === 'session',
    };
    return appPage(reply).send(settingsPage(boot, settingsAssets));
  });

  if (!assets && !settingsAssets) return;
  await app.register(async (scope) => {
    // Hashed bundles hold code only, no data: public, and cached for good (a new build has new names).
    scope.addHook('onRoute', (route) => {
      route.config = { ...route.config, public: true, anonymous: true };
    });
    await scope.register(fastifyStatic, { root: `${WEB_BUILD_DIR}assets`, prefix: '/assets/', preCompressed: true, immutable: true, maxAge: '365d', index: false });
  });
};
