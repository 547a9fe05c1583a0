import type { FastifyInstance } from 'fastify';
import { getHandoffs, handoffChanges, parseAbandonAfter } from '../../analytics/getHandoffs.ts';
import { getTimeToConvert, timeToConvertChanges } from '../../analytics/getTimeToConvert.ts';
import type { ApiContext } from '../context.ts';
import { handoffsCsv, timeToConvertCsv } from '../csvTables/conversion.ts';
import { registerMetric } from '../metricRoute.ts';
import { HandoffsFields, HandoffsQuery, TimeToConvertFields } from '../schemas/conversion.ts';

/** `/api/{clientId}/time-to-convert` and `/api/{clientId}/handoffs`: how long visitors take, and what follows a request for a human. */
export async function conversionRoutes(app: FastifyInstance, { ctx }: { ctx: ApiContext }) {
  registerMetric(app, ctx, {
    path: 'time-to-convert',
    summary: 'Seconds between consecutive funnel steps and from page load to each action: p50, p90, mean, histogram, daily p50',
    fields: TimeToConvertFields,
    compute: (m) => getTimeToConvert(m.db, m.source, m.q),
    compare: timeToConvertChanges,
    csv: timeToConvertCsv,
  });
  registerMetric<{ abandonAfter?: string }, Awaited<ReturnType<typeof getHandoffs>>, number>(app, ctx, {
    path: 'handoffs',
    summary: 'What followed each request for a human (accepted, callback, continued, abandoned, pending) and agent connections',
    fields: HandoffsFields,
    query: HandoffsQuery,
    funnel: true,
    parse: (query) => parseAbandonAfter(query.abandonAfter),
    compute: (m) => getHandoffs(m.db, m.source, m.q, { abandonAfterSeconds: m.parsed, now: ctx.now() }),
    compare: handoffChanges,
    csv: handoffsCsv,
  });
}
