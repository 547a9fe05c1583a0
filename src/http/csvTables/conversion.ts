import type { Handoffs } from '../../analytics/getHandoffs.ts';
import type { TimeToConvert } from '../../analytics/getTimeToConvert.ts';
import { TIME_BINS, type TimingStats } from '../../analytics/timings.ts';
import type { CsvTable } from '../csv.ts';

/**
 * Time to convert: one `total` row per transition (with its histogram bins as columns), then one `day` row per
 * local day and transition (count and p50 only).
 */
export const timeToConvertCsv = (b: TimeToConvert): CsvTable => ({
  columns: ['kind', 'date', 'transition', 'count', 'p50_seconds', 'p90_seconds', 'mean_seconds', ...TIME_BINS.map((bin) => `bin ${bin.label}`)],
  rows: [
    ...b.transitions.map((t) => ['total', null, t.key, t.count, t.p50Seconds, t.p90Seconds, t.meanSeconds, ...t.histogram.map((bin) => bin.count)]),
    ...b.trend.flatMap((day) => b.transitions.map((t) => [
      'day', day.date, t.key, day.count[t.key], day.p50Seconds[t.key], null, null, ...TIME_BINS.map(() => null),
    ])),
  ],
});

const WEEKDAYS = ['Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat', 'Sun'];
const timingRows = (name: string, t: TimingStats) =>
  (['p50Seconds', 'p90Seconds', 'meanSeconds'] as const).map((key) => [`${name}.${key}`, t[key], null, t.count]);

/**
 * Handoffs as `metric, value, numerator, denominator` rows (like /metrics): outcome shares, agent figures, and
 * `staffing.<weekday>.<hour>` = answered / requested.
 */
export function handoffsCsv(h: Handoffs): CsvTable {
  const agent = h.agent;
  return {
    columns: ['metric', 'value', 'numerator', 'denominator'],
    rows: [
      ['abandonAfterSeconds', h.abandonAfterSeconds, null, null],
      ['handoffs', h.handoffs, null, null],
      ...h.outcomes.map((o) => [`outcome.${o.outcome}`, o.share, o.count, h.handoffs]),
      ...(agent.available
        ? [
            ['agent.requested', agent.requested, null, null],
            ['agent.connected', agent.connected, null, null],
            ['agent.neverConnected', agent.neverConnected.share, agent.neverConnected.count, agent.requested],
            ...timingRows('agent.timeToAgent', agent.timeToAgent),
            ...(agent.connectionDuration ? timingRows('agent.connectionDuration', agent.connectionDuration) : []),
            ...agent.staffing.map((c) => [
              `staffing.${WEEKDAYS[c.weekday - 1]}.${String(c.hour).padStart(2, '0')}`,
              c.requested > 0 ? c.answered / c.requested : null, c.answered, c.requested,
            ]),
          ]
        : [['agent.available', false, null, null]]),
    ],
  };
}
