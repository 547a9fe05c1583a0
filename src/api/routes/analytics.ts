import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { TSchema } from 'typebox';
import type { ClientConfig } from '../../config/clients.ts';
import type { Queryable } from '../../db/queryable.ts';
import type { ClientSource } from '../../analytics/source.ts';
import { resolveRange, type RangeInput } from '../../analytics/range.ts';
import { metricQuery, type MetricQuery } from '../../analytics/query.ts';
import { getFunnel } from '../../analytics/getFunnel.ts';
import { getDaily } from '../../analytics/getDaily.ts';
import { getHourly, peakHours } from '../../analytics/getHourly.ts';
import { getHeatmap } from '../../analytics/getHeatmap.ts';
import { getMetrics } from '../../analytics/getMetrics.ts';
import { getSessions } from '../../analytics/getSessions.ts';
import { getLeads } from '../../analytics/getLeads.ts';
import { testConnection } from '../../analytics/testConnection.ts';
import { canSee, type Principal } from '../auth.ts';
import type { ApiContext } from '../context.ts';
import { databaseFailure, notFound } from '../errors.ts';
import {
  ClientParams, DailyBody, ErrorBody, FunnelBody, HeatmapBody, HourlyBody, LeadsBody, MetricsBody, RangeQuery,
  SessionsBody, SessionsQuery, TestFailBody, TestOkBody,
} from '../schemas.ts';

interface Metric<Q> {
  db: Queryable;
  source: ClientSource;
  q: MetricQuery;
  query: Q;
}

const errors = { 400: ErrorBody, 401: ErrorBody, 404: ErrorBody, 503: ErrorBody, 504: ErrorBody };

/** `/api/{clientId}/…`: one thin route per metric; the numbers come from `src/analytics`. */
export const analyticsRoutes: FastifyPluginAsyncTypebox<{ ctx: ApiContext }> = async (app, { ctx }) => {
  /** The client, if it exists and the caller may see it; another client's path looks exactly like an unknown one. */
  function visibleClient(clientId: string, request: { principal: Principal | null }): ClientConfig {
    const client = ctx.clients.get(clientId);
    if (!client || !canSee(request.principal!, clientId)) throw notFound(`Client "${clientId}"`);
    return client;
  }

  function metricRoute<Q extends RangeInput>(
    name: string,
    summary: string,
    querystring: TSchema,
    body: TSchema,
    compute: (m: Metric<Q>) => Promise<object>,
  ) {
    app.get(`/api/:clientId/${name}`, {
      schema: { tags: ['analytics'], summary, params: ClientParams, querystring, response: { 200: body, ...errors } },
    }, async (request) => {
      const client = visibleClient(request.params.clientId, request);
      const query = request.query as Q;
      // Parameters are checked before the database is touched: a bad request is a 400 even when the database is down.
      const range = resolveRange(query, client.timezone, ctx.now());
      try {
        const db = ctx.databases.pool(client.id);
        const source = await ctx.databases.source(client.id);
        const result = await compute({ db, source, q: metricQuery(range), query });
        return {
          clientId: client.id,
          timezone: range.timezone,
          from: range.from.toISO(),
          to: range.to.toISO(),
          ...result,
        };
      } catch (error) {
        if (databaseFailure(error)?.code === 'SCHEMA_UNAVAILABLE') ctx.databases.forget(client.id);
        throw error;
      }
    });
  }

  metricRoute('funnel', 'Conversion funnel and actions', RangeQuery, FunnelBody, (m) => getFunnel(m.db, m.source, m.q));
  metricRoute('daily', 'Counts per local day, zero-filled', RangeQuery, DailyBody, async (m) => ({
    days: await getDaily(m.db, m.source, m.q),
  }));
  metricRoute('hourly', 'Counts per local hour of day', RangeQuery, HourlyBody, async (m) => {
    const hours = await getHourly(m.db, m.source, m.q);
    return { hours, peakHour: peakHours(hours, 1)[0] ?? null };
  });
  metricRoute('heatmap', 'Sessions per ISO weekday × local hour', RangeQuery, HeatmapBody, async (m) => ({
    cells: await getHeatmap(m.db, m.source, m.q),
  }));
  metricRoute('metrics', 'Key rates, session duration and peak hours', RangeQuery, MetricsBody, (m) => getMetrics(m.db, m.source, m.q));
  metricRoute<RangeInput & { limit: number; cursor?: string }>('sessions', 'Sessions, newest first (keyset pagination)', SessionsQuery, SessionsBody, (m) =>
    getSessions(m.db, m.source, m.q, m.query),
  );
  metricRoute('leads', 'Lead statistics by the lead’s own creation time', RangeQuery, LeadsBody, (m) => getLeads(m.db, m.source, m.q));

  app.get('/api/:clientId/test', {
    schema: {
      tags: ['analytics'],
      summary: "Checks the client's database connection and tables",
      params: ClientParams,
      response: { 200: TestOkBody, 503: TestFailBody, 401: ErrorBody, 404: ErrorBody },
    },
  }, async (request, reply) => {
    const client = visibleClient(request.params.clientId, request);
    try {
      const database = ctx.databases.database(client.id);
      return { ok: true as const, ...(await testConnection(ctx.databases.pool(client.id), database.schema)) };
    } catch (error) {
      const failure = databaseFailure(error);
      if (!failure) throw error;
      request.log.warn({ clientId: client.id, code: failure.code }, 'connection test failed');
      return reply.status(503).send({ ok: false as const, error: failure.message });
    }
  });
};
