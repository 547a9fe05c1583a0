import type { Queryable } from '../db/queryable.ts';
import { getCounts } from '../analytics/getCounts.ts';
import { getDateHours, type DateHourRow } from '../analytics/getDateHours.ts';
import { emptyCounts, getDaily, type DailyRow } from '../analytics/getDaily.ts';
import { getHeatmap, type HeatmapCell } from '../analytics/getHeatmap.ts';
import { getHourly, type HourlyRow } from '../analytics/getHourly.ts';
import type { MetricQuery } from '../analytics/query.ts';
import type { ClientSource } from '../tenants/clientSource.ts';
import { COUNTERS, type Counts } from '../analytics/steps.ts';

/**
 * How each metric is answered from rollups: its raw function (for the edges and the fresh tail — the metric itself,
 * not a copy), the local-time keys of a bucket (the same expressions as the metric's SQL), and how the summed rows
 * become exactly the metric's answer (same zero-filling, same order, same key order).
 */
export type Row = Record<string, number | string>;

export interface RollupKey {
  name: string;
  group: (local: string) => string;
  show: (grouped: string) => string;
}

export interface RollupMetric<Answer> {
  /** The answer depends on the funnel definition (the heatmap counts sessions only). */
  usesFunnel: boolean;
  /** Row fields that identify a group: the value to group by, from a bucket's local time, and how it is shown. */
  keys: RollupKey[];
  /** Summed fields. */
  fields: readonly string[];
  raw(db: Queryable, source: ClientSource, q: MetricQuery): Promise<Row[]>;
  finish(sums: Map<string, Row>, q: MetricQuery): Answer;
}

const COUNT_FIELDS = ['sessions', ...COUNTERS] as const;

export const keyOf = (row: Row, keys: { name: string }[]) => keys.map((k) => row[k.name]).join('|');

function countsOf(row: Row | undefined): Counts {
  if (!row) return emptyCounts();
  return Object.fromEntries(COUNT_FIELDS.map((f) => [f, row[f]])) as Counts;
}

// The same expressions as dailySql / hourlySql / heatmapSql; a date is formatted once per day, not once per bucket.
const day: RollupKey = { name: 'date', group: (local) => `${local}::date`, show: (date) => `to_char(${date}, 'YYYY-MM-DD')` };
const hour: RollupKey = { name: 'hour', group: (local) => `extract(hour FROM ${local})::int`, show: (h) => h };
const weekday: RollupKey = { name: 'weekday', group: (local) => `extract(isodow FROM ${local})::int`, show: (d) => d };

export const COUNTS: RollupMetric<Counts> = {
  usesFunnel: true,
  keys: [],
  fields: COUNT_FIELDS,
  raw: async (db, source, q) => [await getCounts(db, source, q)],
  finish: (sums) => countsOf(sums.get('')),
};

export const DAILY: RollupMetric<DailyRow[]> = {
  usesFunnel: true,
  keys: [day],
  fields: COUNT_FIELDS,
  raw: getDaily,
  finish: (sums, q) => q.range.days.map((date) => ({ date, ...countsOf(sums.get(date)) })),
};

export const HOURLY: RollupMetric<HourlyRow[]> = {
  usesFunnel: true,
  keys: [hour],
  fields: COUNT_FIELDS,
  raw: getHourly,
  finish: (sums) => Array.from({ length: 24 }, (_, h) => ({ hour: h, ...countsOf(sums.get(String(h))) })),
};

export const HEATMAP: RollupMetric<HeatmapCell[]> = {
  usesFunnel: false,
  keys: [weekday, hour],
  fields: ['sessions'],
  raw: (db, source, q) => getHeatmap(db, source, q) as unknown as Promise<Row[]>,
  finish: (sums) => Array.from({ length: 168 }, (_, i) => {
    const cell = { weekday: Math.floor(i / 24) + 1, hour: i % 24 };
    return { ...cell, sessions: Number(sums.get(`${cell.weekday}|${cell.hour}`)?.sessions ?? 0) };
  }),
};

export const DATE_HOURS: RollupMetric<DateHourRow[]> = {
  usesFunnel: false,
  keys: [day, hour],
  fields: ['sessions'],
  raw: (db, source, q) => getDateHours(db, source, q) as unknown as Promise<Row[]>,
  finish: (sums) => [...sums.values()]
    .filter((row) => Number(row.sessions) > 0)
    .map((row) => ({ date: String(row.date), hour: Number(row.hour), sessions: Number(row.sessions) }))
    .sort((a, b) => a.date.localeCompare(b.date) || a.hour - b.hour),
};
