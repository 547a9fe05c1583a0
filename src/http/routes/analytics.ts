import { Type } from 'typebox';
import type { FastifyInstance } from 'fastify';
import { toFunnel } from '../../analytics/getFunnel.ts';
import { getCounts } from '../../analytics/getCounts.ts';
import { getDaily } from '../../analytics/getDaily.ts';
import { getHourly, peakHours } from '../../analytics/getHourly.ts';
import { getHeatmap } from '../../analytics/getHeatmap.ts';
import { getMetrics } from '../../analytics/getMetrics.ts';
import { getSessions } from '../../analytics/getSessions.ts';
import { getLeads } from '../../analytics/getLeads.ts';
import { testConnection } from '../../tenants/testConnection.ts';
import { dailyChanges, funnelChanges, hourlyChanges, leadsChanges, metricsChanges } from '../../analytics/changes.ts';
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
  registerMetric(app, ctx, {
    path: 'funnel', summary: 'Conversion funnel and actions', fields: FunnelFields, funnel: true,
    compute: async (m) => toFunnel((await m.rollups?.counts(m.client.id, m.source, m.q)) ?? (await getCounts(m.db, m.source, m.q))),
    compare: funnelChanges, csv: funnelCsv,
  });
  registerMetric(app, ctx, {
    path: 'daily', summary: 'Counts per local day, zero-filled', fields: DailyFields, funnel: true,
    compute: async (m) => ({ days: (await m.rollups?.daily(m.client.id, m.source, m.q)) ?? (await getDaily(m.db, m.source, m.q)) }),
    compare: dailyChanges, csv: dailyCsv,
  });
  registerMetric(app, ctx, {
    path: 'hourly', summary: 'Counts per local hour of day', fields: HourlyFields, funnel: true,
    compute: async (m) => {
      const hours = (await m.rollups?.hourly(m.client.id, m.source, m.q)) ?? (await getHourly(m.db, m.source, m.q));
      return { hours, peakHour: peakHours(hours, 1)[0] ?? null };
    },
    compare: hourlyChanges, csv: hourlyCsv,
  });
  registerMetric(app, ctx, {
    path: 'heatmap', summary: 'Sessions per ISO weekday × local hour', fields: HeatmapFields,
    compute: async (m) => ({ cells: (await m.rollups?.heatmap(m.client.id, m.source, m.q)) ?? (await getHeatmap(m.db, m.source, m.q)) }),
    csv: heatmapCsv,
  });
  registerMetric(app, ctx, {
    path: 'metrics', summary: 'Key rates, session duration and peak hours', fields: MetricsFields, funnel: true,
    compute: (m) => getMetrics(m.db, m.source, m.q), compare: metricsChanges, csv: metricsCsv,
  });
  registerMetric<{ limit: number; cursor?: string }, Awaited<ReturnType<typeof getSessions>>>(app, ctx, {
    path: 'sessions', summary: 'Sessions, newest first (keyset pagination)', fields: SessionsFields, funnel: true,
    query: {
      limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 500, default: 50 })),
      cursor: Type.Optional(Type.String({ maxLength: 512, description: '`nextCursor` of the previous page' })),
    },
    compute: (m) => getSessions(m.db, m.source, m.q, m.query), csv: sessionsCsv,
  });
  registerMetric(app, ctx, {
    path: 'leads', summary: "Lead statistics by the lead's own creation time", fields: LeadsFields, body: LeadsBody,
    compute: (m) => getLeads(m.db, m.source, m.q), compare: leadsChanges, csv: leadsCsv,
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
