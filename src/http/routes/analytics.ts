import { Type } from 'typebox';
import type { FastifyInstance } from 'fastify';
import * as answers from '../../answers/metrics.ts';
import { testConnection } from '../../tenants/testConnection.ts';
import type { ApiContext } from '../context.ts';
import { dailyCsv, funnelCsv, heatmapCsv, hourlyCsv, leadsCsv, metricsCsv, sessionsCsv } from '../csvTables.ts';
import { databaseFailure } from '../errors.ts';
import { registerMetric, visibleClient } from '../metricRoute.ts';
import { ClientParams, ErrorBody } from '../schemas/common.ts';
import {
  DailyFields, FunnelFields, HeatmapFields, HourlyFields, LeadsFields, MetricsFields, SessionsFields, TestFailBody, TestOkBody,
} from '../schemas/metrics.ts';
import { LeadsBody } from '../schemas.ts';

/** `/api/{clientId}/…`: one thin route per metric; the numbers come from `src/analytics`. */
export async function analyticsRoutes(app: FastifyInstance, { ctx }: { ctx: ApiContext }) {
  registerMetric(app, ctx, { metric: answers.funnel, summary: 'Conversion funnel and actions', fields: FunnelFields, csv: funnelCsv });
  registerMetric(app, ctx, { metric: answers.daily, summary: 'Counts per local day, zero-filled', fields: DailyFields, csv: dailyCsv });
  registerMetric(app, ctx, { metric: answers.hourly, summary: 'Counts per local hour of day', fields: HourlyFields, csv: hourlyCsv });
  registerMetric(app, ctx, { metric: answers.heatmap, summary: 'Sessions per ISO weekday × local hour', fields: HeatmapFields, csv: heatmapCsv });
  registerMetric(app, ctx, { metric: answers.metrics, summary: 'Key rates, session duration and peak hours', fields: MetricsFields, csv: metricsCsv });
  registerMetric(app, ctx, {
    metric: answers.sessions, summary: 'Sessions, newest first (keyset pagination)', fields: SessionsFields, csv: sessionsCsv,
    query: {
      limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 500, default: 50 })),
      cursor: Type.Optional(Type.String({ maxLength: 512, description: '`nextCursor` of the previous page' })),
    },
  });
  registerMetric(app, ctx, {
    metric: answers.leads, summary: "Lead statistics by the lead's own creation time", fields: LeadsFields, body: LeadsBody, csv: leadsCsv,
  });

  app.get<{ Params: { clientId: string } }>('/api/:clientId/test', {
    schema: {
      tags: ['analytics'],
      summary: "Checks the client's database connection and tables",
      params: ClientParams,
      response: { 200: TestOkBody, 503: TestFailBody, 400: ErrorBody, 401: ErrorBody, 404: ErrorBody },
    },
  }, async (request, reply) => {
    const client = visibleClient(ctx, request, request.params.clientId);
    try {
      const db = ctx.databases.forClient(client.id);
      return { ok: true as const, ...(await testConnection(db, db.schema)) };
    } catch (error) {
      const failure = databaseFailure(error);
      if (!failure) throw error;
      request.log.warn({ clientId: client.id, code: failure.code }, 'connection test failed');
      return reply.status(503).send({ ok: false as const, error: failure.message });
    }
  });
}
