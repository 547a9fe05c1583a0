import type { Queryable } from '../db/queryable.ts';
import { getCounts } from './getCounts.ts';
import { getDuration, type SessionDuration } from './getDuration.ts';
import { getHourly, peakHours, type HourlyRow } from './getHourly.ts';
import type { MetricQuery } from './query.ts';
import { rate } from './sql.ts';
import type { ClientSource } from '../tenants/clientSource.ts';
import type { Counter, Counts } from './steps.ts';

export interface Ratio {
  value: number | null;
  numerator: number;
  denominator: number;
}

/** Each key rate as numerator / denominator; Grafana's rate panel computes the same pairs in SQL. */
export const RATES = {
  pageLoad: ['pageLoaded', 'sessions'],
  widgetOpen: ['widgetOpened', 'pageLoaded'],
  humanRequest: ['requestedHuman', 'widgetOpened'],
  accept: ['pressedAccept', 'requestedHuman'],
  callback: ['pressedCallback', 'requestedHuman'],
  continue: ['pressedContinue', 'requestedHuman'],
} as const satisfies Record<string, [Counter, Counter | 'sessions']>;
export type RateName = keyof typeof RATES;

export interface KeyMetrics {
  sessions: number;
  rates: Record<RateName, Ratio>;
  /** Of the sessions that pressed accept or callback, the share of each. */
  acceptVsCallback: { accept: Ratio; callback: Ratio };
  duration: SessionDuration;
  peakHours: number[];
}

function ratio(counts: Counts, numerator: Counter, denominator: Counter | 'sessions'): Ratio {
  return { value: rate(counts[numerator], counts[denominator]), numerator: counts[numerator], denominator: counts[denominator] };
}

/** Each step's rate is relative to the step before it; action rates are relative to human requests. */
export function toRates(counts: Counts): KeyMetrics['rates'] {
  return Object.fromEntries(
    Object.entries(RATES).map(([name, [numerator, denominator]]) => [name, ratio(counts, numerator, denominator)]),
  ) as KeyMetrics['rates'];
}

/** The key metrics from raw SQL alone; the answers layer puts rollup counts and hours into `toKeyMetrics` instead. */
export async function getMetrics(db: Queryable, source: ClientSource, q: MetricQuery): Promise<KeyMetrics> {
  const [counts, duration, hours] = await Promise.all([
    getCounts(db, source, q),
    getDuration(db, source, q),
    getHourly(db, source, q),
  ]);
  return toKeyMetrics(counts, duration, hours);
}

export function toKeyMetrics(counts: Counts, duration: SessionDuration, hours: HourlyRow[]): KeyMetrics {
  const decided = counts.pressedAccept + counts.pressedCallback;
  return {
    sessions: counts.sessions,
    rates: toRates(counts),
    acceptVsCallback: {
      accept: { value: rate(counts.pressedAccept, decided), numerator: counts.pressedAccept, denominator: decided },
      callback: { value: rate(counts.pressedCallback, decided), numerator: counts.pressedCallback, denominator: decided },
    },
    duration,
    peakHours: peakHours(hours, 3),
  };
}
