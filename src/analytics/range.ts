import { DateTime } from 'luxon';
import { canonicalTimeZone } from '../config/timezone.ts';
import { InvalidParameterError } from './errors.ts';

export interface RangeInput {
  from?: string;
  to?: string;
  tz?: string;
}

/** A resolved range: the half-open instant interval [from, to) and the local days it touches. */
export interface ResolvedRange {
  timezone: string;
  from: DateTime;
  to: DateTime;
  /** Both bounds fall on local midnights because both were given as dates (or defaulted). */
  wholeDays: boolean;
  /** Every local date (`YYYY-MM-DD`) in the range, in order, for zero-filled daily series. */
  days: string[];
}

export const DEFAULT_DAYS = 30;
export const MAX_SPAN_YEARS = 2;

const DATE = /^\d{4}-\d{2}-\d{2}$/;
const DATE_TIME = /^\d{4}-\d{2}-\d{2}[Tt ]\d{2}:\d{2}:\d{2}(\.\d{1,9})?([Zz]|[+-](?:[01]\d|2[0-3]):[0-5]\d)$/;

type Bound = { kind: 'date'; day: DateTime } | { kind: 'instant'; at: DateTime };

function parseBound(field: string, value: string, zone: string): Bound {
  if (DATE.test(value)) {
    const day = DateTime.fromISO(value, { zone });
    if (!day.isValid) throw new InvalidParameterError(field, `"${value}" is not a valid date`);
    return { kind: 'date', day: day.startOf('day') };
  }
  if (DATE_TIME.test(value)) {
    const at = DateTime.fromISO(value.replace(' ', 'T'), { zone, setZone: false });
    if (!at.isValid) throw new InvalidParameterError(field, `"${value}" is not a valid date-time`);
    return { kind: 'instant', at: at.setZone(zone) };
  }
  throw new InvalidParameterError(field, 'expected YYYY-MM-DD or an RFC 3339 date-time with offset');
}

/**
 * Whole local days (`YYYY-MM-DD`, `to` inclusive) or exact instants (RFC 3339, `[from, to)`), in the client's time
 * zone unless `tz` overrides it. Default: the last 30 local days including today.
 */
export function resolveRange(input: RangeInput, clientTimezone: string, now: Date = new Date()): ResolvedRange {
  input = Object.fromEntries(Object.entries(input).filter(([, v]) => v !== '')); // `?from=` means "not given"
  const timezone = input.tz === undefined ? clientTimezone : canonicalTimeZone(input.tz);
  if (!timezone) throw new InvalidParameterError('tz', `"${input.tz}" is not an IANA time zone`);

  const today = DateTime.fromJSDate(now, { zone: timezone }).startOf('day');
  const toBound: Bound = input.to ? parseBound('to', input.to, timezone) : { kind: 'date', day: today };
  const to = toBound.kind === 'date' ? toBound.day.plus({ days: 1 }).startOf('day') : toBound.at;
  const fromBound: Bound = input.from
    ? parseBound('from', input.from, timezone)
    : { kind: 'date', day: to.minus({ milliseconds: 1 }).startOf('day').minus({ days: DEFAULT_DAYS - 1 }) };
  const from = fromBound.kind === 'date' ? fromBound.day : fromBound.at;

  // Two dates are inclusive days, so `from` one day after `to` meets `to`'s exclusive end and is still "after".
  const touches = from.equals(to) && (fromBound.kind === 'date' || toBound.kind === 'date');
  if (from > to || touches) throw new InvalidParameterError('from', 'must not be after to');
  if (from.year < 1900) throw new InvalidParameterError('from', 'must not be before 1900');
  if (to.year > 9999) throw new InvalidParameterError('to', 'must not be after 9999');
  if (from.plus({ years: MAX_SPAN_YEARS }) < to) {
    throw new InvalidParameterError('to', `the range may span at most ${MAX_SPAN_YEARS} years`);
  }
  return { timezone, from, to, wholeDays: fromBound.kind === 'date' && toBound.kind === 'date', days: localDays(from, to) };
}

/** The same kind of range over other instants (for comparisons): its days are listed again. */
export function rangeBetween(timezone: string, from: DateTime, to: DateTime, wholeDays: boolean): ResolvedRange {
  return { timezone, from, to, wholeDays, days: localDays(from, to) };
}

/**
 * Local dates are consecutive calendar dates, so after the two ends are placed in the zone the rest is plain date
 * arithmetic (UTC, no DST): a year of days in microseconds instead of a zone conversion per day.
 */
function localDays(from: DateTime, to: DateTime): string[] {
  const days: string[] = [];
  if (to <= from) return days;
  const last = Date.parse(`${to.minus({ milliseconds: 1 }).toISODate()}T00:00:00Z`);
  for (let day = Date.parse(`${from.toISODate()}T00:00:00Z`); day <= last; day += 86_400_000) {
    days.push(new Date(day).toISOString().slice(0, 10));
  }
  return days;
}

/** Bound values for `BOUND_PARAMS`: $1 from, $2 to. */
export function instantValues(range: ResolvedRange): [string, string] {
  return [range.from.toUTC().toISO()!, range.to.toUTC().toISO()!];
}

/** Bound values for `BOUND_PARAMS` when the SQL buckets in local time: $1 from, $2 to, $3 time zone. */
export function rangeValues(range: ResolvedRange): [string, string, string] {
  return [...instantValues(range), range.timezone];
}
