import type { ClientConfig } from '../config/clients.ts';
import { resolveComparison, type Change, type CompareInput } from '../analytics/compare.ts';
import { parseFunnelOptions } from '../analytics/funnelOptions.ts';
import { metricQuery } from '../analytics/query.ts';
import { resolveRange, type RangeInput, type ResolvedRange } from '../analytics/range.ts';
import { DEFAULT_FUNNEL } from '../analytics/sql.ts';
import { ResultCache, type CachedAnswer } from '../cache/resultCache.ts';
import type { RollupReader } from '../rollups/rollupReader.ts';
import type { ClientDatabases } from '../tenants/clientDatabases.ts';
import { SourceUnavailableError } from '../tenants/clientSource.ts';
import { ClientDatabaseError } from '../tenants/connections/databaseErrors.ts';
import type { Metric, MetricContext } from './metric.ts';
import { inputKey, PlanMemo } from './planMemo.ts';
import { tolerant } from './rollupsOrRaw.ts';

/** What answering needs; the HTTP layer, the portfolio and the reports all hand in the same. */
export interface AnswerDeps {
  databases: ClientDatabases;
  cache: ResultCache | null;
  rollups: RollupReader | null;
  now: () => Date;
  log: { warn(details: object, message: string): void };
}

/** The range, the funnel definition and the comparison, as a caller spells them; plus the metric's own parameters. */
export type AnswerInput = RangeInput & CompareInput & { mode?: string; window?: string };

export type Answer<B> = B & {
  clientId: string;
  timezone: string;
  from: string;
  to: string;
  comparison?: B & { from: string; to: string };
  changes?: Change[];
};

/** What an answer is about, resolved before any database is touched (so a bad value is a 400 even when it is down). */
export interface AnswerPlan<Q, P> {
  range: ResolvedRange;
  other: ResolvedRange | null;
  funnel: ReturnType<typeof parseFunnelOptions>;
  parsed: P;
  query: Q;
  /** Everything the answer depends on, normalised: two spellings of one range share a cache entry. */
  cacheKey: string;
}

const plans = new PlanMemo<AnswerPlan<unknown, unknown>>();

/** The plan for this request; the same request later on the same local day reuses it (see PlanMemo). */
export function planAnswer<Q extends object, B extends object, P>(
  client: ClientConfig,
  metric: Metric<Q, B, P>,
  input: AnswerInput & Q,
  now: Date,
): AnswerPlan<Q, P> {
  const key = inputKey([client.id, client.timezone, metric.name], input);
  return plans.get(key, now, () => makePlan(client, metric, input, now)) as AnswerPlan<Q, P>;
}

function makePlan<Q extends object, B extends object, P>(
  client: ClientConfig,
  metric: Metric<Q, B, P>,
  input: AnswerInput & Q,
  now: Date,
): AnswerPlan<Q, P> {
  const range = resolveRange(input, client.timezone, now);
  const funnel = metric.funnel ? parseFunnelOptions(input) : DEFAULT_FUNNEL;
  const other = metric.compare ? resolveComparison(input, range, now) : null;
  const parsed = metric.parse?.(input) as P;
  const cacheKey = ResultCache.clientKey(client.id, {
    path: metric.name, from: range.from.toUTC().toISO(), to: range.to.toUTC().toISO(), tz: range.timezone,
    funnel, compare: other && [other.from.toUTC().toISO(), other.to.toUTC().toISO()], parsed,
    extra: (metric.params ?? []).map((name) => [name, (input as Record<string, unknown>)[name]]),
  });
  return { range, other, funnel, parsed, query: input, cacheKey };
}

/**
 * Answers one metric for one client and range: from the cache when a recent identical answer exists (computed once
 * for a burst of identical requests), else computed — rollups where they can, raw SQL otherwise — with the
 * comparison period when asked for.
 */
export async function answerMetric<Q extends object, B extends object, P>(
  deps: AnswerDeps,
  client: ClientConfig,
  metric: Metric<Q, B, P>,
  plan: AnswerPlan<Q, P>,
): Promise<CachedAnswer<Answer<B>>> {
  // The closure is written in place: a named one costs every hit a name-keeping helper call (tsx keeps names).
  if (deps.cache) return deps.cache.getOrCompute(plan.cacheKey, () => computeAnswer(deps, client, metric, plan));
  const body = await computeAnswer(deps, client, metric, plan);
  return { body, generatedAt: new Date().toISOString(), remainingMs: 0, etag: `"${ResultCache.key({ body })}"`, derived: new Map() };
}

async function computeAnswer<Q extends object, B extends object, P>(
  deps: AnswerDeps,
  client: ClientConfig,
  metric: Metric<Q, B, P>,
  plan: AnswerPlan<Q, P>,
): Promise<Answer<B>> {
  const db = deps.databases.forClient(client.id);
  const source = await deps.databases.source(client.id);
  const rollups = deps.rollups ? tolerant(deps.rollups, deps.log) : null;
  const context = (range: ResolvedRange): MetricContext<Q, P> => ({
    client, db, source, q: metricQuery(range, plan.funnel), query: plan.query, parsed: plan.parsed, rollups, now: deps.now(),
  });
  try {
    const { range, other } = plan;
    const current = await metric.compute(context(range));
    const answer = { clientId: client.id, timezone: range.timezone, from: range.from.toISO()!, to: range.to.toISO()!, ...current };
    if (!other || !metric.compare) return answer;
    const previous = await metric.compute(context(other));
    return { ...answer, comparison: { from: other.from.toISO()!, to: other.to.toISO()!, ...previous }, changes: metric.compare(current, previous) };
  } catch (error) {
    // A table or column that vanished (or appeared): the next request reads the layout again.
    if (error instanceof SourceUnavailableError || (error instanceof ClientDatabaseError && error.failure === 'SCHEMA_UNAVAILABLE')) {
      deps.databases.forget(client.id);
    }
    throw error;
  }
}
