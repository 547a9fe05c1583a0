import { Type } from 'typebox';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { canSee } from '../../access/principal.ts';
import type { ApiContext } from '../context.ts';
import { ClientSummary, ErrorBody } from '../schemas.ts';

/** Health, the caller's client list and the OpenAPI document. */
export const systemRoutes: FastifyPluginAsyncTypebox<{ ctx: ApiContext }> = async (app, { ctx }) => {
  app.get('/health', {
    config: { public: true, anonymous: true, rateLimit: false }, // load balancers ask often
    schema: { tags: ['system'], summary: 'Liveness (no client details)', security: [], response: { 200: Type.Object({ status: Type.Literal('ok') }) } },
  }, async () => ({ status: 'ok' as const }));

  app.get('/clients', {
    schema: {
      tags: ['system'],
      summary: 'Clients the caller may see',
      response: { 200: Type.Array(ClientSummary), 401: ErrorBody },
    },
  }, async (request) => {
    const visible = ctx.clients.list().filter((client) => canSee(request.principal!, client.id));
    return visible.map((client) => ({
      id: client.id,
      name: client.name,
      domain: client.domain,
      timezone: client.timezone,
      branding: client.branding,
      grafanaOrgId: client.grafanaOrgId,
      demo: ctx.demo,
    }));
  });

  app.get('/openapi.json', { config: { public: true, anonymous: true }, schema: { hide: true } }, async () => app.swagger());
};
