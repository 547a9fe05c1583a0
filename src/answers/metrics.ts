import { dailyChanges, funnelChanges, hourlyChanges, leadsChanges, metricsChanges } from '../analytics/changes.ts';
import { conversationChanges, leadSourceChanges } from '../analytics/conversationChanges.ts';
import { getConversations } from '../analytics/getConversations.ts';
import { toFunnel } from '../analytics/getFunnel.ts';
import { getHandoffs, handoffChanges, parseAbandonAfter } from '../analytics/getHandoffs.ts';
import { peakHours } from '../analytics/getHourly.ts';
import { getLeadSources } from '../analytics/getLeadSources.ts';
import { getLeads } from '../analytics/getLeads.ts';
import { toKeyMetrics } from '../analytics/getMetrics.ts';
import { getSessions } from '../analytics/getSessions.ts';
import { getTimeToConvert, timeToConvertChanges } from '../analytics/getTimeToConvert.ts';
import type { Metric } from './metric.ts';
import { countsOf, dailyOf, durationOf, heatmapOf, hourlyOf } from './rollupsOrRaw.ts';

/** Every metric the platform answers; counts come from rollups wherever a metric needs them. */
export const funnel = {
  name: 'funnel', funnel: true, compare: funnelChanges,
  compute: async (m) => toFunnel(await countsOf(m)),
} satisfies Metric<object, ReturnType<typeof toFunnel>>;

export const daily = {
  name: 'daily', funnel: true, compare: dailyChanges,
  compute: async (m) => ({ days: await dailyOf(m) }),
} satisfies Metric<object, { days: Awaited<ReturnType<typeof dailyOf>> }>;

export const hourly = {
  name: 'hourly', funnel: true, compare: hourlyChanges,
  compute: async (m) => {
    const hours = await hourlyOf(m);
    return { hours, peakHour: peakHours(hours, 1)[0] ?? null };
  },
} satisfies Metric<object, { hours: Awaited<ReturnType<typeof hourlyOf>>; peakHour: number | null }>;

export const heatmap = {
  name: 'heatmap',
  compute: async (m) => ({ cells: await heatmapOf(m) }),
} satisfies Metric<object, { cells: Awaited<ReturnType<typeof heatmapOf>> }>;

export const metrics = {
  name: 'metrics', funnel: true, compare: metricsChanges,
  compute: async (m) => {
    const [counts, duration, hours] = await Promise.all([countsOf(m), durationOf(m), hourlyOf(m)]);
    return toKeyMetrics(counts, duration, hours);
  },
} satisfies Metric<object, ReturnType<typeof toKeyMetrics>>;

export const sessions = {
  name: 'sessions', funnel: true, params: ['limit', 'cursor'],
  compute: (m) => getSessions(m.db, m.source, m.q, m.query),
} satisfies Metric<{ limit: number; cursor?: string }, Awaited<ReturnType<typeof getSessions>>>;

export const leads = {
  name: 'leads', compare: leadsChanges,
  compute: (m) => getLeads(m.db, m.source, m.q, () => countsOf(m)),
} satisfies Metric<object, Awaited<ReturnType<typeof getLeads>>>;

export const conversations = {
  name: 'conversations', funnel: true, compare: conversationChanges,
  compute: (m) => getConversations(m.db, m.source, m.q),
} satisfies Metric<object, Awaited<ReturnType<typeof getConversations>>>;

export const leadSources = {
  name: 'lead-sources', funnel: true, compare: leadSourceChanges,
  compute: (m) => getLeadSources(m.db, m.source, m.q, () => countsOf(m)),
} satisfies Metric<object, Awaited<ReturnType<typeof getLeadSources>>>;

export const timeToConvert = {
  name: 'time-to-convert', compare: timeToConvertChanges,
  compute: (m) => getTimeToConvert(m.db, m.source, m.q),
} satisfies Metric<object, Awaited<ReturnType<typeof getTimeToConvert>>>;

export const handoffs = {
  name: 'handoffs', funnel: true, compare: handoffChanges, params: ['abandonAfter'],
  parse: (query: { abandonAfter?: string }) => parseAbandonAfter(query.abandonAfter),
  compute: (m) => getHandoffs(m.db, m.source, m.q, { abandonAfterSeconds: m.parsed, now: m.now }),
} satisfies Metric<{ abandonAfter?: string }, Awaited<ReturnType<typeof getHandoffs>>, number>;
