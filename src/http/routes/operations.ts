import { createHash, timingSafeEqual } from 'node:crypto';
import { Type } from 'typebox';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { mayManagePlatform } from '../../access/permissions.ts';
import { resolvePrincipal } from '../auth.ts';
import type { ApiContext } from '../context.ts';
import { ApiError } from '../errors.ts';
import { ErrorBody } from '../schemas/common.ts';

const digest = (value: string) => createHash('sha256').update(value).digest();
const sameSecret = (given: string, expected: string) => timingSafeEqual(digest(given), digest(expected));

const ReadyBody = Type.Object({
  status: Type.Union([Type.Literal('ready'), Type.Literal('not-ready')]),
  checks: Type.Object({
    platformDatabase: Type.Union([Type.Literal('ok'), Type.Literal('unreachable')]),
    migrations: Type.Union([Type.Literal('ok'), Type.Literal('behind'), Type.Literal('unknown')]),
    registry: Type.Union([Type.Literal('ok'), Type.Literal('not-loaded')]),
  }),
});

/** Readiness for load balancers and orchestrators, and the Prometheus metrics for operators. */
export const operationsRoutes: FastifyPluginAsyncTypebox<{ ctx: ApiContext }> = async (app, { ctx }) => {
  app.get('/ready', {
    config: { public: true, anonymous: true, rateLimit: false }, // health checks ask often
    schema: {
      tags: ['system'],
      summary: 'Readiness: the platform database answers and is migrated, the client registry is loaded',
      security: [],
      response: { 200: ReadyBody, 503: ReadyBody },
    },
  }, async (_request, reply) => {
    const { ready, checks } = await ctx.readiness();
    return reply.status(ready ? 200 : 503).send({ status: ready ? 'ready' : 'not-ready', checks });
  });

  // Anonymous to the shared auth hook: METRICS_TOKEN is no API token, and the open platform's demo admin must not
  // make the metrics public by accident. Only an admin's own credential or METRICS_TOKEN reads them.
  app.get('/metrics', {
    config: { public: true, anonymous: true },
    schema: {
      tags: ['system'],
      summary: 'Prometheus metrics (text exposition format): an admin, or the METRICS_TOKEN bearer token',
      description: '200 text/plain in the Prometheus text format; 401 without METRICS_TOKEN or an admin credential, 403 for others.',
      produces: ['text/plain'],
      response: { 200: Type.String({ description: 'text/plain; version=0.0.4 (the Prometheus text exposition format)' }), 401: ErrorBody, 403: ErrorBody },
    },
  }, async (request, reply) => {
    const bearer = /^Bearer\s+(\S+)\s*$/i.exec(request.headers.authorization ?? '')?.[1];
    if (!(bearer && ctx.metricsToken && sameSecret(bearer, ctx.metricsToken))) {
      const { principal, error } = await resolvePrincipal(request, ctx.access);
      if (error || !principal || principal.via === 'open') {
        reply.header('WWW-Authenticate', 'Bearer');
        throw new ApiError(401, 'UNAUTHORIZED', 'The metrics need the METRICS_TOKEN bearer token or an admin\'s credential');
      }
      if (!mayManagePlatform(principal)) throw new ApiError(403, 'FORBIDDEN', 'Only admins (or METRICS_TOKEN) read the metrics');
    }
    const text = await ctx.metrics.render();
    return reply.type(ctx.metrics.contentType).header('cache-control', 'no-store').send(text);
  });
};
