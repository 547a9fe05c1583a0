import type { Queryable } from '../db/queryable.ts';
import { getCounts } from './getCounts.ts';
import type { MetricQuery } from './query.ts';
import { rate } from './sql.ts';
import type { ClientSource } from '../tenants/clientSource.ts';
import { ACTIONS, FUNNEL_STEPS, type Action, type Counts, type FunnelStep } from './steps.ts';

export interface Funnel {
  sessions: number;
  steps: { step: FunnelStep; count: number; rateFromPrevious: number | null; rateFromFirst: number | null }[];
  /** `rate` is relative to sessions that reached `requestedHuman`. */
  actions: { action: Action; count: number; rate: number | null }[];
}

/** Shapes counts into the funnel. The first step's `rateFromPrevious` is relative to all sessions. */
export function toFunnel(counts: Counts): Funnel {
  const first = counts[FUNNEL_STEPS[0]];
  const humans = counts.requestedHuman;
  return {
    sessions: counts.sessions,
    steps: FUNNEL_STEPS.map((step, i) => ({
      step,
      count: counts[step],
      rateFromPrevious: rate(counts[step], i === 0 ? counts.sessions : counts[FUNNEL_STEPS[i - 1]!]),
      rateFromFirst: rate(counts[step], first),
    })),
    actions: ACTIONS.map((action) => ({ action, count: counts[action], rate: rate(counts[action], humans) })),
  };
}

export async function getFunnel(db: Queryable, source: ClientSource, q: MetricQuery): Promise<Funnel> {
  return toFunnel(await getCounts(db, source, q));
}
