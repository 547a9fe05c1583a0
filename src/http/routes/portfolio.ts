import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { canSee, visibleOf } from '../../access/principal.ts';
import { answerPortfolio, planPortfolio } from '../../answers/portfolio.ts';
import { openAlerts, type OpenAlert } from '../../notify/alerts/openAlerts.ts';
import type { ApiContext } from '../context.ts';
import { notFound } from '../errors.ts';
import { answerDeps } from '../metricRoute.ts';
import { ErrorBody } from '../schemas/common.ts';
import { PortfolioBody, PortfolioQuery } from '../schemas/portfolio.ts';

/** `GET /api/portfolio`: every client the caller may see, one row each (src/answers/portfolio.ts), with its open alerts. */
export const portfolioRoutes: FastifyPluginAsyncTypebox<{ ctx: ApiContext }> = async (app, { ctx }) => {
  app.get('/api/portfolio', {
    schema: {
      tags: ['analytics'],
      summary: 'Every visible client for a period against the previous one: key figures, daily trend, data freshness, open alerts',
      querystring: PortfolioQuery,
      response: { 200: PortfolioBody, 400: ErrorBody, 401: ErrorBody, 404: ErrorBody },
    },
  }, async (request, reply) => {
    const principal = request.principal!;
    const { clients: wanted, ...input } = request.query;
    let clients = visibleOf(principal, ctx.clients.list());
    if (wanted) {
      const ids = [...new Set(wanted.split(',').map((id) => id.trim()).filter(Boolean))];
      // One the caller may not see looks exactly like an unknown one.
      for (const id of ids) if (!ctx.clients.get(id) || !canSee(principal, id)) throw notFound(`Client "${id.slice(0, 64)}"`);
      clients = clients.filter((client) => ids.includes(client.id));
    }
    const now = ctx.now();
    const plans = planPortfolio(clients, input, now);
    const [rows, alerts] = await Promise.all([
      answerPortfolio(answerDeps(ctx, request.log), plans),
      openAlerts(ctx.platform, clients.map((c) => c.id)).catch((error: Error & { code?: string }) => {
        request.log.warn({ code: error.code }, 'portfolio: open alerts could not be read');
        return null;
      }),
    ]);
    reply.header('cache-control', 'private, no-cache').header('vary', 'Authorization, Cookie');
    const alertsOf = (clientId: string) => alerts && alerts.filter((a) => a.clientId === clientId).map(({ clientId: _id, ...alert }: OpenAlert) => alert);
    return { generatedAt: new Date().toISOString(), clients: rows.map((row) => ({ ...row, alerts: alertsOf(row.clientId) })) };
  });
};
