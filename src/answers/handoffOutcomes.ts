import { getHandoffOutcomes, parseAbandonAfter } from '../analytics/getHandoffs.ts';
import type { Metric } from './metric.ts';

/**
 * The handoffs metric's outcome counts without its agent statistics: the portfolio's unanswered handoffs, one query
 * per period instead of three. The same SQL and parameters as `metrics.handoffs`, so the counts are the same; the
 * portfolio compares the two periods itself.
 */
export const handoffOutcomes = {
  name: 'handoff-outcomes', funnel: true, compare: () => [], params: ['abandonAfter'],
  parse: (query: { abandonAfter?: string }) => parseAbandonAfter(query.abandonAfter),
  compute: (m) => getHandoffOutcomes(m.db, m.source, m.q, { abandonAfterSeconds: m.parsed, now: m.now }),
} satisfies Metric<{ abandonAfter?: string }, Awaited<ReturnType<typeof getHandoffOutcomes>>, number>;
