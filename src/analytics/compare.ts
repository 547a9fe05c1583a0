import { InvalidParameterError } from './errors.ts';
import { rangeBetween, resolveRange, type ResolvedRange } from './range.ts';

export interface CompareInput {
  compare?: string;
  compareAlign?: string;
  compareFrom?: string;
  compareTo?: string;
}

/**
 * The period to compare with: `previous` (the same length just before), `year` (the same dates a year earlier, or
 * 52 weeks earlier with `compareAlign=weekday` so Mondays meet Mondays), or an explicit `compareFrom`/`compareTo`.
 */
export function resolveComparison(input: CompareInput, range: ResolvedRange, now: Date): ResolvedRange | null {
  const explicit = Boolean(input.compareFrom || input.compareTo);
  if (explicit) {
    if (input.compare) throw new InvalidParameterError('compare', 'use either compare or compareFrom/compareTo');
    if (!input.compareFrom || !input.compareTo) {
      throw new InvalidParameterError(input.compareFrom ? 'compareTo' : 'compareFrom', 'compareFrom and compareTo go together');
    }
    try {
      return resolveRange({ from: input.compareFrom, to: input.compareTo, tz: range.timezone }, range.timezone, now);
    } catch (error) {
      if (!(error instanceof InvalidParameterError)) throw error;
      const field = error.field === 'from' ? 'compareFrom' : error.field === 'to' ? 'compareTo' : error.field;
      throw new InvalidParameterError(field, error.message.slice(error.field.length + 2));
    }
  }
  if (input.compareAlign && input.compareAlign !== 'date' && input.compareAlign !== 'weekday') {
    throw new InvalidParameterError('compareAlign', 'must be "date" or "weekday"');
  }
  if (!input.compare) return null;
  if (input.compare === 'previous') {
    if (range.wholeDays) {
      const from = range.from.minus({ days: range.days.length }).startOf('day');
      return rangeBetween(range.timezone, from, range.from, true);
    }
    return rangeBetween(range.timezone, range.from.minus(range.to.diff(range.from)), range.from, false);
  }
  if (input.compare === 'year') {
    const back = input.compareAlign === 'weekday' ? { days: 364 } : { years: 1 };
    const shift = (t: typeof range.from) => (range.wholeDays ? t.minus(back).startOf('day') : t.minus(back));
    return rangeBetween(range.timezone, shift(range.from), shift(range.to), range.wholeDays);
  }
  throw new InvalidParameterError('compare', 'must be "previous" or "year"');
}

/** Below this many events a change is flagged: a swing of a few sessions is not a trend. */
export const SMALL_SAMPLE = 30;

export interface Change {
  metric: string;
  kind: 'count' | 'rate' | 'seconds';
  current: number | null;
  previous: number | null;
  /** current − previous (for rates: as a fraction). */
  change: number | null;
  /** change / previous, null when previous is 0 or missing. */
  relativeChange: number | null;
  /** For rates: the change in percentage points. */
  percentagePoints: number | null;
  /** Built on fewer than SMALL_SAMPLE events in either period. */
  smallSample: boolean;
}

function change(metric: string, kind: Change['kind'], current: number | null, previous: number | null, samples: [number, number]): Change {
  const diff = current === null || previous === null ? null : current - previous;
  return {
    metric,
    kind,
    current,
    previous,
    change: diff,
    relativeChange: diff === null || !previous ? null : diff / previous,
    percentagePoints: kind === 'rate' && diff !== null ? Math.round(diff * 1e6) / 1e4 : null,
    smallSample: Math.min(...samples) < SMALL_SAMPLE,
  };
}

export const countChange = (metric: string, current: number, previous: number) =>
  change(metric, 'count', current, previous, [current, previous]);

/** A rate with the denominators it was built on (the sample size). */
export const rateChange = (metric: string, current: { value: number | null; of: number }, previous: { value: number | null; of: number }) =>
  change(metric, 'rate', current.value, previous.value, [current.of, previous.of]);

export const secondsChange = (metric: string, current: { value: number | null; of: number }, previous: { value: number | null; of: number }) =>
  change(metric, 'seconds', current.value, previous.value, [current.of, previous.of]);
