import { metricQuery, type MetricQuery } from '../analytics/query.ts';
import { rangeBetween, type ResolvedRange } from '../analytics/range.ts';
import type { FunnelOptions } from '../analytics/sql.ts';
import type { RollupReader, RollupRequest } from '../rollups/rollupReader.ts';
import type { AnswerDeps } from './answerMetric.ts';
import { DEFAULT_BASELINE_WEEKS, historySpan } from './baseline.ts';
import type { planPortfolio } from './portfolio.ts';

type Plan = ReturnType<typeof planPortfolio>[number];

/** Clients whose rollups are read together: one statement per metric for each group of this many. */
export const PREFETCH_CLIENTS = 100;

/**
 * Answer deps per portfolio row whose rollup reader reads the rollups of a whole group of rows at once (their
 * states, and the whole-bucket sums of daily, leads' counts and the baseline's history), on the first row of the
 * group that misses the result cache: a warm portfolio reads nothing. Each row's answers stay those of its own
 * reader (raw edges, fresh tail, a client without rollups: per client as before); a failed group read falls back
 * to the per-client reads.
 */
export function prefetchingDeps(deps: AnswerDeps, plans: readonly Plan[], group = PREFETCH_CLIENTS): (index: number) => AnswerDeps {
  const base = deps.rollups;
  if (!base) return () => deps;
  const readers = new Map<number, Promise<RollupReader>>();
  const readerOf = (index: number) => {
    const g = Math.floor(index / group);
    let reader = readers.get(g);
    if (!reader) {
      const requests = plans.slice(g * group, (g + 1) * group).flatMap((plan) => requestsOf(plan, deps.now()));
      reader = base.prefetch(requests).catch(() => base);
      readers.set(g, reader);
    }
    return reader;
  };
  return (index) => {
    const via = <K extends RollupRequest['kind']>(kind: K) =>
      (async (...args: Parameters<RollupReader[K]>) => ((await readerOf(index))[kind] as (...a: typeof args) => unknown)(...args)) as RollupReader[K];
    const rollups = {
      counts: via('counts'), daily: via('daily'), hourly: via('hourly'), heatmap: via('heatmap'), dateHours: via('dateHours'),
      durations: (...args) => base.durations(...args),
    } as RollupReader;
    return { ...deps, rollups };
  };
}

/** The rollup reads one row makes: daily and leads' counts over both periods, and the freshness history. */
function requestsOf({ client, daily, leads }: Plan, now: Date): RollupRequest[] {
  const both = (range: ResolvedRange, other: ResolvedRange | null, funnel: FunnelOptions): MetricQuery[] =>
    [range, ...(other ? [other] : [])].map((r) => metricQuery(r, funnel));
  const { from, to } = historySpan(client.timezone, now, DEFAULT_BASELINE_WEEKS);
  return [
    ...both(daily.range, daily.other, daily.funnel).map((q) => ({ kind: 'daily' as const, clientId: client.id, q })),
    ...both(leads.range, leads.other, leads.funnel).map((q) => ({ kind: 'counts' as const, clientId: client.id, q })),
    { kind: 'dateHours', clientId: client.id, q: metricQuery(rangeBetween(client.timezone, from, to, false)) },
  ];
}
