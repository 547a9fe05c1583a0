import { getCounts } from '../analytics/getCounts.ts';
import { getDaily, type DailyRow } from '../analytics/getDaily.ts';
import { getDuration, type SessionDuration } from '../analytics/getDuration.ts';
import { getDateHours, type DateHourRow } from '../analytics/getDateHours.ts';
import { getHeatmap, type HeatmapCell } from '../analytics/getHeatmap.ts';
import { getHourly, type HourlyRow } from '../analytics/getHourly.ts';
import type { Counts } from '../analytics/steps.ts';
import type { RollupReader } from '../rollups/rollupReader.ts';
import { ClientDatabaseError } from '../tenants/connections/databaseErrors.ts';
import type { MetricContext } from './metric.ts';

/** The one place that chooses: rollups when they can answer (and are on), else the metric's raw SQL. */
type Any = MetricContext<unknown, unknown>;

export const countsOf = async (m: Any): Promise<Counts> =>
  (await m.rollups?.counts(m.client.id, m.source, m.q)) ?? getCounts(m.db, m.source, m.q);

export const dailyOf = async (m: Any): Promise<DailyRow[]> =>
  (await m.rollups?.daily(m.client.id, m.source, m.q)) ?? getDaily(m.db, m.source, m.q);

export const hourlyOf = async (m: Any): Promise<HourlyRow[]> =>
  (await m.rollups?.hourly(m.client.id, m.source, m.q)) ?? getHourly(m.db, m.source, m.q);

export const heatmapOf = async (m: Any): Promise<HeatmapCell[]> =>
  (await m.rollups?.heatmap(m.client.id, m.source, m.q)) ?? getHeatmap(m.db, m.source, m.q);

/** Durations: from the rollups' sketch (median and p90 approximate, marked so) when they can, else exact raw SQL. */
export const durationOf = async (m: Any): Promise<SessionDuration> =>
  (await m.rollups?.durations(m.client.id, m.source, m.q)) ?? getDuration(m.db, m.source, m.q);

export const dateHoursOf = async (m: Any): Promise<DateHourRow[]> =>
  (await m.rollups?.dateHours(m.client.id, m.source, m.q)) ?? getDateHours(m.db, m.source, m.q);

/**
 * A platform-database failure must not fail the answer: the metric falls back to its raw SQL. A failure of the
 * client's own database (the reader reads its fresh tail there) is the answer's, and raw SQL would not help.
 */
export function tolerant(reader: RollupReader, log: { warn(details: object, message: string): void }): RollupReader {
  const safe = <A>(work: Promise<A | null>) => work.catch((error: Error & { code?: string }) => {
    if (error instanceof ClientDatabaseError) throw error;
    log.warn({ code: error.code }, 'rollups unavailable; answering from raw SQL');
    return null;
  });
  return {
    counts: (...args) => safe(reader.counts(...args)),
    daily: (...args) => safe(reader.daily(...args)),
    hourly: (...args) => safe(reader.hourly(...args)),
    heatmap: (...args) => safe(reader.heatmap(...args)),
    dateHours: (...args) => safe(reader.dateHours(...args)),
    durations: (...args) => safe(reader.durations(...args)),
  } as RollupReader;
}
