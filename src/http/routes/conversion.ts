import type { FastifyInstance } from 'fastify';
import * as answers from '../../answers/metrics.ts';
import type { ApiContext } from '../context.ts';
import { handoffsCsv, timeToConvertCsv } from '../csvTables/conversion.ts';
import { registerMetric } from '../metricRoute.ts';
import { HandoffsFields, HandoffsQuery, TimeToConvertFields } from '../schemas/conversion.ts';

/** `/api/{clientId}/time-to-convert` and `/api/{clientId}/handoffs`: how long visitors take, and what follows a request for a human. */
export async function conversionRoutes(app: FastifyInstance, { ctx }: { ctx: ApiContext }) {
  registerMetric(app, ctx, {
    metric: answers.timeToConvert,
    summary: 'Seconds between consecutive funnel steps and from page load to each action: p50, p90, mean, histogram, daily p50',
    fields: TimeToConvertFields,
    csv: timeToConvertCsv,
  });
  registerMetric(app, ctx, {
    metric: answers.handoffs,
    summary: 'What followed each request for a human (accepted, callback, continued, abandoned, pending) and agent connections',
    fields: HandoffsFields,
    query: HandoffsQuery,
    csv: handoffsCsv,
  });
}
