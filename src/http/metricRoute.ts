import { Type, type TProperties, type TSchema } from 'typebox';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { ClientConfig } from '../config/clients.ts';
import type { Queryable } from '../db/queryable.ts';
import type { ClientSource } from '../tenants/clientSource.ts';
import { resolveRange, type RangeInput } from '../analytics/range.ts';
import { metricQuery, type MetricQuery } from '../analytics/query.ts';
import { parseFunnelOptions } from '../analytics/funnelOptions.ts';
import { resolveComparison, type Change, type CompareInput } from '../analytics/compare.ts';
import { DEFAULT_FUNNEL } from '../analytics/sql.ts';
import { canSee } from '../access/principal.ts';
import type { ApiContext } from './context.ts';
import { toCsv, wantsCsv, type CsvTable } from './csv.ts';
import { ResultCache, type CachedAnswer } from '../cache/resultCache.ts';
import type { RollupReader } from '../rollups/rollupReader.ts';
import { databaseFailure, notFound } from './errors.ts';
import { ClientParams, comparableBody, compareQuery, ErrorBody, funnelQuery, metricBody, rangeQuery } from './schemas/common.ts';

export interface MetricContext<Q, P = undefined> {
  client: ClientConfig;
  db: Queryable;
  source: ClientSource;
  q: MetricQuery;
  query: Q;
  /** What the spec's `parse` returned. */
  parsed: P;
  /** Rollups, when on: a reader answers null when it cannot, and the metric runs its raw SQL. */
  rollups: RollupReader | null;
}

/** One metric endpoint, `GET /api/{clientId}/<path>`: its schema, how to compute it, compare it and flatten it. */
export interface MetricSpec<Q, B extends object, P = undefined> {
  path: string;
  summary: string;
  query?: TProperties;
  fields: TProperties;
  /** The whole answer's schema, when it is not simply the header plus `fields` (e.g. a union). */
  body?: TSchema;
  /** Accepts `mode` / `window` (the funnel definition). */
  funnel?: boolean;
  /** Accepts `compare` / `compareFrom` / `compareTo`, and says what changed between two answers. */
  compare?: (current: B, previous: B) => Change[];
  /**
   * Checks and converts the metric's own parameters before the database is touched (so a bad value is a 400 even
   * when the database is down); `compute` receives the result as `parsed`.
   */
  parse?: (query: Q) => P;
  compute: (m: MetricContext<Q, P>) => Promise<B>;
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

/** Runs `work` against the client's database; a table that vanished makes the next request read the layout again. */
export async function withClientDatabase<T>(ctx: ApiContext, client: ClientConfig, work: (db: Queryable, source: ClientSource) => Promise<T>) {
  try {
    return await work(ctx.databases.forClient(client.id), await ctx.databases.source(client.id));
  } catch (error) {
    if (databaseFailure(error)?.code === 'SCHEMA_UNAVAILABLE') ctx.databases.forget(client.id);
    throw error;
  }
}

/** Sends `body` as JSON, or as CSV when asked (`format=csv` or `Accept: text/csv`). */
export function sendAnswer<B>(request: FastifyRequest, reply: FastifyReply, body: B, csv: () => CsvTable, filename: string) {
  if (!wantsCsv(request)) return body;
  return reply
    .type('text/csv; charset=utf-8')
    .header('content-disposition', `attachment; filename="${filename}.csv"`)
    .send(toCsv(csv()));
}

/** Query fields every metric may read (range, funnel options, comparison). */
export type MetricQueryString = RangeInput & CompareInput & { mode?: string; window?: string };

export function registerMetric<Q extends object, B extends object, P = undefined>(
  app: FastifyInstance,
  ctx: ApiContext,
  spec: MetricSpec<Q, B, P>,
): void {
  const querystring = Type.Object({
    ...rangeQuery,
    ...(spec.funnel ? funnelQuery : {}),
    ...(spec.compare ? compareQuery : {}),
    ...spec.query,
  });
  app.get<{ Params: { clientId: string } }>(`/api/:clientId/${spec.path}`, {
    schema: {
      tags: ['analytics'],
      summary: spec.summary,
      description: 'Answers CSV with `format=csv` or `Accept: text/csv` (header row, local times).',
      params: ClientParams,
      querystring,
      response: { 200: spec.body ?? (spec.compare ? comparableBody(spec.fields) : metricBody(spec.fields)), ...errorResponses },
    },
  }, async (request, reply) => {
    const client = visibleClient(ctx, request, request.params.clientId);
    const query = request.query as Q & MetricQueryString;
    // Parameters are checked before the database is touched: a bad request is a 400 even when the database is down.
    const range = resolveRange(query, client.timezone, ctx.now());
    const funnel = spec.funnel ? parseFunnelOptions(query) : DEFAULT_FUNNEL;
    const other = spec.compare ? resolveComparison(query, range, ctx.now()) : null;
    const parsed = spec.parse?.(query) as P;
    const compute = () => withClientDatabase(ctx, client, async (db, source) => {
      const rollups = ctx.rollups ? tolerant(ctx.rollups, request.log) : null;
      const current = await spec.compute({ client, db, source, q: metricQuery(range, funnel), query, parsed, rollups });
      const answer = { clientId: client.id, timezone: range.timezone, from: range.from.toISO()!, to: range.to.toISO()!, ...current };
      if (!other || !spec.compare) return answer;
      const previous = await spec.compute({ client, db, source, q: metricQuery(other, funnel), query, parsed, rollups });
      return {
        ...answer,
        comparison: { from: other.from.toISO()!, to: other.to.toISO()!, ...previous },
        changes: spec.compare(current, previous),
      };
    });
    // Everything the answer depends on, normalised: two spellings of one range share an entry.
    const key = ResultCache.clientKey(client.id, {
      path: spec.path, from: range.from.toUTC().toISO(), to: range.to.toUTC().toISO(), tz: range.timezone,
      funnel, compare: other && [other.from.toUTC().toISO(), other.to.toUTC().toISO()], parsed,
      extra: Object.keys(spec.query ?? {}).map((name) => [name, (query as Record<string, unknown>)[name]]),
    });
    const cached = ctx.cache ? await ctx.cache.getOrCompute(key, compute) : uncached(await compute());
    const csv = wantsCsv(request);
    const etag = csv ? cached.etag.replace(/"$/, '-csv"') : cached.etag;
    reply.header('etag', etag).header('vary', 'Accept, Authorization, Cookie');
    reply.header('cache-control', ctx.cache ? `private, max-age=${Math.floor(cached.remainingMs / 1000)}` : 'private, no-cache');
    if (request.headers['if-none-match'] === etag) return reply.status(304).send();
    const body = { ...cached.body, generatedAt: cached.generatedAt };
    return sendAnswer(request, reply, body, () => spec.csv(body as unknown as B, range.timezone), `${client.id}-${spec.path}-${range.days[0] ?? 'empty'}`);
  });
}

/** A platform-database failure must not fail the answer: the metric falls back to its raw SQL. */
function tolerant(reader: RollupReader, log: { warn(details: object, message: string): void }): RollupReader {
  const safe = <A>(work: Promise<A | null>) => work.catch((error: Error & { code?: string }) => {
    log.warn({ code: error.code }, 'rollups unavailable; answering from raw SQL');
    return null;
  });
  return {
    counts: (...args) => safe(reader.counts(...args)),
    daily: (...args) => safe(reader.daily(...args)),
    hourly: (...args) => safe(reader.hourly(...args)),
    heatmap: (...args) => safe(reader.heatmap(...args)),
  } as RollupReader;
}

function uncached<T>(body: T): CachedAnswer<T> {
  return { body, generatedAt: new Date().toISOString(), remainingMs: 0, etag: `"${ResultCache.key({ body })}"` };
}
