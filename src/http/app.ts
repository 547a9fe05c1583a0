import { STATUS_CODES } from 'node:http';
import type { Socket } from 'node:net';
import Fastify, { type FastifyReply, type FastifyServerOptions } from 'fastify';
import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { MISSING_CREDENTIALS, resolvePrincipal } from './auth.ts';
import type { ApiContext } from './context.ts';
import { installBodyRules, strictBodyValidators } from './bodies.ts';
import { ApiError, installErrorHandlers } from './errors.ts';
import { assertSameOrigin, installSecurity, MAX_URL_LENGTH } from './security.ts';
import cookie from '@fastify/cookie';
import formBody from '@fastify/formbody';
import { analyticsRoutes } from './routes/analytics.ts';
import { conversationRoutes } from './routes/conversations.ts';
import { conversionRoutes } from './routes/conversion.ts';
import { grafanaRoutes } from './routes/grafana.ts';
import { sessionRoutes } from './routes/session.ts';
import { ssoRoutes } from './routes/sso.ts';
import { peopleRoutes } from './routes/people.ts';
import { invitationRoutes } from './routes/invitations.ts';
import { passwordResetRoutes } from './routes/passwordReset.ts';
import { outboxRoutes } from './routes/outbox.ts';
import { reportRoutes } from './routes/reports.ts';
import { channelRoutes } from './routes/channels.ts';
import { adminClientRoutes } from './routes/adminClients.ts';
import { tokenRoutes } from './routes/tokens.ts';
import { auditRoutes } from './routes/auditLog.ts';
import { portfolioRoutes } from './routes/portfolio.ts';
import { alertRoutes } from './routes/alerts.ts';
import { sessionDetailRoutes } from './routes/sessionDetail.ts';
import { systemRoutes } from './routes/system.ts';
import { operationsRoutes } from './routes/operations.ts';
import { installRequestMetrics } from './requestMetrics.ts';
import { webRoutes } from './routes/web.ts';

export interface BuildOptions {
  /** A pino logger; without one the app is silent (tests). */
  loggerInstance?: FastifyServerOptions['loggerInstance'];
}

function answerClientError(error: Error & { code?: string }, socket: Socket): void {
  if (error.code === 'ECONNRESET' || !socket.writable) return void socket.destroy();
  const status = error.code === 'HPE_HEADER_OVERFLOW' ? 431 : 400;
  const message = status === 431 ? 'The request headers are too large' : 'The request could not be parsed';
  const body = JSON.stringify({ error: { code: status === 431 ? 'HEADERS_TOO_LARGE' : 'BAD_REQUEST', message } });
  socket.end(`HTTP/1.1 ${status} ${STATUS_CODES[status]}\r\nContent-Type: application/json; charset=utf-8\r\n` +
    `Content-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`);
}

/** Builds the HTTP app (no listening here: tests use `inject`, `src/cli/start.ts` listens). */
export async function buildApp(ctx: ApiContext, options: BuildOptions = {}) {
  const app = Fastify({
    ...(options.loggerInstance ? { loggerInstance: options.loggerInstance } : { logger: false }),
    trustProxy: ctx.limits.trustProxy,
    // Drain in-flight requests on close, refuse new ones with 503.
    return503OnClosing: true,
    routerOptions: { maxParamLength: 200 },
    bodyLimit: 64 * 1024,
    schemaController: { compilersFactory: { buildValidator: strictBodyValidators() } },
    // Malformed URLs and the like are answered before routing: keep the one error shape there too.
    frameworkErrors: (error, _request, reply) => {
      void (reply as FastifyReply).status(400).send({ error: { code: 'BAD_REQUEST', message: error.message } });
    },
    // Requests Node's parser refuses (oversized or malformed headers) never reach Fastify: answer them in our shape.
    clientErrorHandler: answerClientError,
  }).withTypeProvider<TypeBoxTypeProvider>();

  app.decorateRequest('principal', null);
  app.decorateRequest('authError', null);
  installErrorHandlers(app);
  installRequestMetrics(app, ctx.metrics);
  app.addHook('onRequest', async (request) => {
    if (request.url.length > MAX_URL_LENGTH) throw new ApiError(414, 'URI_TOO_LONG', `The URL may be at most ${MAX_URL_LENGTH} characters`);
  });
  await app.register(cookie, { secret: ctx.session.secret });
  // Who is asking, before the rate limiter (which buckets by it); a wrong credential is kept to answer after it,
  // so floods of bad keys get 429s per IP rather than a database look-up each.
  app.addHook('onRequest', async (request) => {
    if (request.routeOptions.config.anonymous || request.url.startsWith('/docs')) return;
    const { principal, error } = await resolvePrincipal(request, ctx.access);
    request.principal = error ? null : principal;
    request.authError = error;
    if (error && request.routeOptions.config.public) request.principal = principal; // pages and Grafana: the session only
  });
  await installSecurity(app, ctx.limits, ctx.production);
  await app.register(formBody);

  await app.register(swagger, {
    openapi: {
      info: { title: 'Chatbot Analytics API', version: '0.1.0', description: 'Per-client chatbot funnel and traffic analytics.' },
      components: { securitySchemes: { bearerAuth: { type: 'http', scheme: 'bearer' } } },
      security: [{ bearerAuth: [] }],
    },
  });
  await app.register(swaggerUi, { routePrefix: '/docs', uiConfig: { docExpansion: 'list' } });

  // preParsing: after the rate limiter, before any body is read or validated.
  app.addHook('preParsing', async (request, reply) => {
    const { config } = request.routeOptions;
    if (config.anonymous || request.url.startsWith('/docs')) return;
    if (!config.public && (request.authError || !request.principal)) {
      reply.header('WWW-Authenticate', 'Bearer');
      throw request.authError ?? MISSING_CREDENTIALS();
    }
    assertSameOrigin(request, ctx.publicHost);
  });
  installBodyRules(app);

  await app.register(systemRoutes, { ctx });
  await app.register(operationsRoutes, { ctx });
  await app.register(analyticsRoutes, { ctx });
  await app.register(conversionRoutes, { ctx });
  await app.register(conversationRoutes, { ctx });
  await app.register(sessionDetailRoutes, { ctx });
  await app.register(sessionRoutes, { ctx });
  await app.register(ssoRoutes, { ctx });
  await app.register(peopleRoutes, { ctx });
  await app.register(invitationRoutes, { ctx });
  await app.register(passwordResetRoutes, { ctx });
  await app.register(outboxRoutes, { ctx });
  await app.register(reportRoutes, { ctx });
  await app.register(channelRoutes, { ctx });
  await app.register(adminClientRoutes, { ctx });
  await app.register(tokenRoutes, { ctx });
  await app.register(auditRoutes, { ctx });
  await app.register(portfolioRoutes, { ctx });
  await app.register(alertRoutes, { ctx });
  await app.register(grafanaRoutes, { ctx });
  await app.register(webRoutes, { ctx });
  return app;
}
