import httpProxy from '@fastify/http-proxy';
import type { ClientOptions } from 'ws';
import type { FastifyPluginAsync, FastifyReply, FastifyRequest } from 'fastify';
import { GRAFANA_PUBLIC_PATH } from '../../config/grafana.ts';
import { dashboardUid } from '../../grafana/buildDashboard.ts';
import { grafanaIdentityOf } from '../../grafana/logins.ts';
import { messagePage } from '../pages/html.ts';
import { canSee, type Principal } from '../../access/principal.ts';
import { audit } from '../audit.ts';
import type { ApiContext } from '../context.ts';
import { grafanaUpstreamHeaders, isForeignOrigin, ownOrigin, type ProxiedBy } from '../grafanaHeaders.ts';

const DASHBOARD_SLUG = 'user-events-analytics';

function htmlPage(reply: FastifyReply, status: number, title: string, message: string) {
  return reply.status(status).type('text/html; charset=utf-8').send(messagePage(title, message));
}

/**
 * Grafana is reached with a browser session only: any Authorization header is the client's to lose (it is stripped
 * before Grafana), and the open platform's demo admin has no session, so Grafana stays closed to it.
 */
function sessionPrincipal(request: FastifyRequest): Principal | null {
  return request.principal?.via === 'session' ? request.principal : null;
}

/** A refusal as a page for browsers, in our error shape for Grafana's own API calls. */
function refuse(request: FastifyRequest, reply: FastifyReply, status: number, code: string, title: string, message: string) {
  if ((request.headers.accept ?? '').includes('text/html')) return htmlPage(reply, status, title, message);
  return reply.status(status).send({ error: { code, message } });
}

/** Browsers without a session go to sign-in and come back; other callers get a 401. */
function signInFirst(request: FastifyRequest, reply: FastifyReply) {
  if ((request.headers.accept ?? '').includes('text/html')) {
    return reply.redirect(`/login?next=${encodeURIComponent(request.url)}`, 302);
  }
  return reply.status(401).send({ error: { code: 'UNAUTHORIZED', message: 'Sign in first' } });
}

/** `/{clientId}/grafana` opens the client's dashboard; `/grafana/*` is Grafana itself, behind its auth proxy. */
export const grafanaRoutes: FastifyPluginAsync<{ ctx: ApiContext }> = async (app, { ctx }) => {
  const unavailable = 'Grafana is not configured for this platform (GRAFANA_URL is not set).';

  app.get<{ Params: { clientId: string } }>('/:clientId/grafana', { config: { public: true }, schema: { hide: true } }, async (request, reply) => {
    if (!ctx.grafana.url) return htmlPage(reply, 503, 'Grafana unavailable', unavailable);
    const principal = sessionPrincipal(request);
    if (!principal) return signInFirst(request, reply);
    const client = ctx.clients.get(request.params.clientId);
    if (!client || !canSee(principal, client.id)) return htmlPage(reply, 404, 'Not found', 'There is no such client.');
    if (client.grafanaOrgId === null) {
      return htmlPage(reply, 503, 'Grafana not set up', `${client.name} has no Grafana organization yet (run npm run grafana:sync).`);
    }
    await audit(ctx, request, { action: 'grafana-opened', clientId: client.id });
    return reply.redirect(`${GRAFANA_PUBLIC_PATH}d/${dashboardUid(client.id)}/${DASHBOARD_SLUG}?orgId=${client.grafanaOrgId}`, 302);
  });

  const prefix = GRAFANA_PUBLIC_PATH.replace(/\/$/, '');
  if (!ctx.grafana.url) {
    const answer = async (_request: FastifyRequest, reply: FastifyReply) => htmlPage(reply, 503, 'Grafana unavailable', unavailable);
    app.all(prefix, { config: { public: true }, schema: { hide: true } }, answer);
    app.all(`${prefix}/*`, { config: { public: true }, schema: { hide: true } }, answer);
    return;
  }

  /** Whom each forwarded request signs in as, decided (and, for a person, made right in Grafana) before forwarding. */
  const signedIn = new WeakMap<FastifyRequest, { login: string; name: string | null }>();
  const by = (request: FastifyRequest): ProxiedBy => {
    const who = signedIn.get(request);
    if (!who) throw new Error('no Grafana sign-in was decided for this request'); // never forwarded without one
    return { ...who, ip: request.ip, host: request.host, protocol: request.protocol };
  };

  /** Undefined when the request may go on; otherwise the refusal, sent. */
  const decideSignIn = async (request: FastifyRequest, reply: FastifyReply, principal: Principal) => {
    const identity = grafanaIdentityOf(principal, ctx.grafana.operatorLogin);
    if (!identity) return refuse(request, reply, 403, 'FORBIDDEN', 'Not for Grafana', 'Grafana is opened with a browser session.');
    if (identity.kind === 'shared') {
      signedIn.set(request, { login: identity.login, name: null });
      return undefined;
    }
    const people = ctx.grafana.people;
    if (!people) {
      return refuse(request, reply, 503, 'GRAFANA_UNAVAILABLE', 'Grafana unavailable',
        'People sign in to Grafana as themselves, and the platform creates their Grafana user: that needs GRAFANA_ADMIN_PASSWORD.');
    }
    let ensured;
    try {
      ensured = await people.ensure({ ...principal, userId: identity.userId });
    } catch (error) {
      request.log.error({ code: (error as { name?: string }).name }, `Grafana: cannot prepare ${identity.login}: ${(error as Error).message}`);
      return refuse(request, reply, 502, 'GRAFANA_UNAVAILABLE', 'Grafana unavailable', 'Grafana could not be prepared for you just now; try again in a moment.');
    }
    if (!ensured) return refuse(request, reply, 403, 'FORBIDDEN', 'Nothing in Grafana', 'None of the clients you may see has a Grafana organization yet.');
    signedIn.set(request, { login: ensured.login, name: ensured.name });
    return undefined;
  };

  // The websocket client sends only these headers (plus its own handshake); the option exists at run time, not in the types.
  const wsClientOptions = {
    rewriteRequestHeaders: (_headers: object, request: FastifyRequest) => grafanaUpstreamHeaders(request.headers, 'websocket', by(request)),
  };
  await app.register(httpProxy, {
    upstream: ctx.grafana.url,
    prefix,
    rewritePrefix: prefix, // Grafana serves from the same sub-path (serve_from_sub_path)
    websocket: true, // Grafana Live
    // Grafana's own UI sends many requests per page: a larger budget than the API's, still bounded.
    config: { public: true, rateLimit: { max: ctx.limits.requestsPerMinute * 10, timeWindow: '1 minute' } },
    preHandler: async (request, reply) => {
      const principal = sessionPrincipal(request);
      if (!principal) return signInFirst(request, reply);
      // Grafana's own Origin check never sees the browser's Origin (it is not forwarded), so it is made here.
      if (request.headers.upgrade?.toLowerCase() === 'websocket' && isForeignOrigin(request.headers.origin, request)) {
        request.log.warn({ origin: request.headers.origin?.slice(0, 200), expected: ownOrigin(request) }, 'cross-origin Grafana websocket refused');
        return reply.status(403).send({ error: { code: 'FORBIDDEN', message: "Websocket upgrades are only accepted from this platform's own pages" } });
      }
      request.principal = principal;
      return decideSignIn(request, reply, principal);
    },
    replyOptions: {
      // reply-from has already set host to Grafana's own.
      rewriteRequestHeaders: (request, headers) => ({ ...grafanaUpstreamHeaders(headers, 'http', by(request as FastifyRequest)), host: headers.host }),
    },
    wsClientOptions: wsClientOptions as ClientOptions,
  });
};
