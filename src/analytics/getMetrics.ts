import type { Queryable } from '../db/queryable.ts';
import { getCounts } from './getCounts.ts';
import { getDuration, type SessionDuration } from './getDuration.ts';
import { getHourly, peakHours } from './getHourly.ts';
import type { ResolvedRange } from './range.ts';
import { rate } from './sql.ts';
import type { ClientSource } from './source.ts';
import type { Counter, Counts } from './steps.ts';

export interface Ratio {
  value: number | null;
  numerator: number;
  denominator: number;
}

export interface KeyMetrics {
  sessions: number;
  rates: Record<'pageLoad' | 'widgetOpen' | 'humanRequest' | 'accept' | 'callback' | 'continue', Ratio>;
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
  return {
    pageLoad: ratio(counts, 'pageLoaded', 'sessions'),
    widgetOpen: ratio(counts, 'widgetOpened', 'pageLoaded'),
    humanRequest: ratio(counts, 'requestedHuman', 'widgetOpened'),
    accept: ratio(counts, 'pressedAccept', 'requestedHuman'),
    callback: ratio(counts, 'pressedCallback', 'requestedHuman'),
    continue: ratio(counts, 'pressedContinue', 'requestedHuman'),
  };
}

export async function getMetrics(db: Queryable, source: ClientSource, range: ResolvedRange): Promise<KeyMetrics> {
  const [counts, duration, hours] = await Promise.all([
    getCounts(db, source, range),
    getDuration(db, source, range),
    getHourly(db, source, range),
  ]);
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
