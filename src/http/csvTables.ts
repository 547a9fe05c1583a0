import type { DailyRow } from '../analytics/getDaily.ts';
import type { Funnel } from '../analytics/getFunnel.ts';
import type { HeatmapCell } from '../analytics/getHeatmap.ts';
import type { HourlyRow } from '../analytics/getHourly.ts';
import type { LeadStats } from '../analytics/getLeads.ts';
import type { KeyMetrics } from '../analytics/getMetrics.ts';
import type { SessionPage } from '../analytics/getSessions.ts';
import { COUNTERS } from '../analytics/steps.ts';
import { localTimestamp, type CsvTable } from './csv.ts';

/** Each core metric as a CSV table: one row per funnel step, day, hour, cell or session; times local. */
const COUNT_COLUMNS = ['sessions', ...COUNTERS] as const;

export const funnelCsv = (f: Funnel): CsvTable => ({
  columns: ['kind', 'name', 'count', 'rate_from_previous', 'rate_from_first', 'rate_of_requested_human'],
  rows: [
    ['sessions', 'sessions', f.sessions, null, null, null],
    ...f.steps.map((s) => ['step', s.step, s.count, s.rateFromPrevious, s.rateFromFirst, null]),
    ...f.actions.map((a) => ['action', a.action, a.count, null, null, a.rate]),
  ],
});

export const dailyCsv = (b: { days: DailyRow[] }): CsvTable => ({
  columns: ['date', ...COUNT_COLUMNS],
  rows: b.days.map((d) => [d.date, ...COUNT_COLUMNS.map((c) => d[c])]),
});

export const hourlyCsv = (b: { hours: HourlyRow[] }): CsvTable => ({
  columns: ['hour', ...COUNT_COLUMNS],
  rows: b.hours.map((h) => [h.hour, ...COUNT_COLUMNS.map((c) => h[c])]),
});

export const heatmapCsv = (b: { cells: HeatmapCell[] }): CsvTable => ({
  columns: ['weekday', 'hour', 'sessions'],
  rows: b.cells.map((c) => [c.weekday, c.hour, c.sessions]),
});

export const metricsCsv = (m: KeyMetrics): CsvTable => ({
  columns: ['metric', 'value', 'numerator', 'denominator'],
  rows: [
    ['sessions', m.sessions, null, null],
    ...Object.entries(m.rates).map(([name, r]) => [`rate.${name}`, r.value, r.numerator, r.denominator]),
    ...Object.entries(m.acceptVsCallback).map(([name, r]) => [`acceptVsCallback.${name}`, r.value, r.numerator, r.denominator]),
    ['duration.medianSeconds', m.duration.medianSeconds, null, m.duration.sessions],
    ['duration.p90Seconds', m.duration.p90Seconds, null, m.duration.sessions],
    ['duration.meanSeconds', m.duration.meanSeconds, null, m.duration.sessions],
    ...m.peakHours.map((hour, i) => [`peakHour.${i + 1}`, hour, null, null]),
  ],
});

export const sessionsCsv = (page: SessionPage, zone: string): CsvTable => ({
  columns: ['session_id', 'started_at', ...COUNTERS, 'reached_step', 'duration_seconds'],
  rows: page.sessions.map((s) => [
    s.sessionId, localTimestamp(s.startedAt, zone), ...COUNTERS.map((c) => localTimestamp(s[c], zone)), s.reachedStep, s.durationSeconds,
  ]),
});

export const leadsCsv = (l: LeadStats): CsvTable =>
  l.available
    ? { columns: ['date', 'leads'], rows: l.days.map((d) => [d.date, d.leads]) }
    : { columns: ['available', 'reason'], rows: [[false, l.reason]] };
