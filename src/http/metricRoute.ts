import { Type, type TProperties, type TSchema } from 'typebox';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { ClientConfig } from '../config/clients.ts';
import { canSee } from '../access/principal.ts';
import { answerMetric, planAnswer, type AnswerDeps, type AnswerInput } from '../answers/answerMetric.ts';
import type { Metric } from '../answers/metric.ts';
import type { CachedAnswer } from '../cache/resultCache.ts';
import { audit } from './audit.ts';
import type { ApiContext } from './context.ts';
import { toCsv, wantsCsv, type CsvTable } from './csv.ts';
import { notFound } from './errors.ts';
import { ClientParams, comparableBody, compareQuery, ErrorBody, funnelQuery, metricBody, rangeQuery } from './schemas/common.ts';

/** One metric endpoint, `GET /api/{clientId}/<metric name>`: the metric, its schemas, and how it flattens to CSV. */
export interface MetricRoute<Q, B extends object, P = undefined> {
  metric: Metric<Q, B, P>;
  summary: string;
  /** Schemas of the metric's own parameters. */
  query?: TProperties;
  fields: TProperties;
  /** The whole answer's schema, when it is not simply the header plus `fields` (e.g. a union). */
  body?: TSchema;
  /** Rows for `format=csv`, local times in `timezone`. */
  csv: (body: B, timezone: string) => CsvTable;
}

export const errorResponses = { 400: ErrorBody, 401: ErrorBody, 404: ErrorBody, 503: ErrorBody, 504: ErrorBody };

/** The client, if it exists and the caller may see it; another client's path looks exactly like an unknown one. */
export function visibleClient(ctx: ApiContext, request: FastifyRequest, clientId: string): ClientConfig {
  const client = ctx.clients.get(clientId);
  if (!client || !request.principal || !canSee(request.principal, clientId)) throw notFound(`Client "${clientId}"`);
  return client;
}

/** Sends `body` as JSON, or as CSV when asked (`format=csv` or `Accept: text/csv`). */
export function sendAnswer<B>(request: FastifyRequest, reply: FastifyReply, body: B, csv: () => CsvTable, filename: string) {
  if (!wantsCsv(request)) return body;
  return reply
    .type('text/csv; charset=utf-8')
    .header('content-disposition', `attachment; filename="${filename}.csv"`)
    .send(toCsv(csv()));
}

/** What the answers layer needs, from the app's context and the request's logger. */
export const answerDeps = (ctx: ApiContext, log: AnswerDeps['log']): AnswerDeps =>
  ({ databases: ctx.databases, cache: ctx.cache, rollups: ctx.rollups ?? null, now: ctx.now, log });

/**
 * The answer as JSON, by the route's own response schema, serialised once per cached answer: every later hit sends
 * the same bytes (the answer and its `generatedAt` never change while it is served).
 */
function jsonOf(reply: FastifyReply, cached: CachedAnswer<object>): string {
  let json = cached.derived.get('json') as string | undefined;
  if (json === undefined) {
    json = reply.serialize({ ...cached.body, generatedAt: cached.generatedAt }) as string;
    cached.derived.set('json', json);
  }
  return json;
}

export function registerMetric<Q extends object, B extends object, P = undefined>(
  app: FastifyInstance,
  ctx: ApiContext,
  route: MetricRoute<Q, B, P>,
): void {
  const { metric } = route;
  const querystring = Type.Object({
    ...rangeQuery,
    ...(metric.funnel ? funnelQuery : {}),
    ...(metric.compare ? compareQuery : {}),
    ...route.query,
  });
  app.get<{ Params: { clientId: string } }>(`/api/:clientId/${metric.name}`, {
    schema: {
      tags: ['analytics'],
      summary: route.summary,
      description: 'Answers CSV with `format=csv` or `Accept: text/csv` (header row, local times).',
      params: ClientParams,
      querystring,
      response: { 200: route.body ?? (metric.compare ? comparableBody(route.fields) : metricBody(route.fields)), ...errorResponses },
    },
  }, async (request, reply) => {
    const client = visibleClient(ctx, request, request.params.clientId);
    const plan = planAnswer(client, metric, request.query as AnswerInput & Q, ctx.now());
    const cached = await answerMetric(answerDeps(ctx, request.log), client, metric, plan);
    const csv = wantsCsv(request);
    const etag = csv ? cached.etag.replace(/"$/, '-csv"') : cached.etag;
    reply.header('etag', etag).header('vary', 'Accept, Authorization, Cookie');
    reply.header('cache-control', ctx.cache ? `private, max-age=${Math.floor(cached.remainingMs / 1000)}` : 'private, no-cache');
    if (request.headers['if-none-match'] === etag) return reply.status(304).send();
    if (!csv) return reply.type('application/json; charset=utf-8').send(jsonOf(reply, cached));
    const body = { ...cached.body, generatedAt: cached.generatedAt };
    await audit(ctx, request, { action: 'export', clientId: client.id, target: metric.name, details: { from: body.from, to: body.to } });
    return sendAnswer(request, reply, body, () => route.csv(body as unknown as B, plan.range.timezone), `${client.id}-${metric.name}-${plan.range.days[0] ?? 'empty'}`);
  });
}
