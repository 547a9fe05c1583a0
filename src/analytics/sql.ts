import { COUNTERS, FUNNEL_STEPS, type Counter } from './steps.ts';
import { SourceUnavailableError, type TableInfo } from './source.ts';

/**
 * SQL fragments every metric is built from. A metric writes its SQL once against `SqlParams`; the API binds
 * `$1..$3`, and other consumers (Grafana panels) put their own expressions in the same places.
 */
export interface SqlParams {
  /** Inclusive lower bound, a timestamptz expression. */
  from: string;
  /** Exclusive upper bound, a timestamptz expression. */
  to: string;
  /** IANA time zone name, a text expression. */
  tz: string;
}

export const BOUND_PARAMS: SqlParams = { from: '$1::timestamptz', to: '$2::timestamptz', tz: '$3::text' };

/**
 * A timestamp column as a true instant. Prisma's `timestamp(3)` holds UTC wall-clock time; `timestamptz` already is
 * an instant. Writing the conversion per column keeps answers identical for both and independent of the session's
 * TimeZone setting.
 */
export function instant(table: TableInfo, column: string): string {
  const kind = table.columns.get(column);
  if (kind === 'timestamp') return `("${column}" AT TIME ZONE 'UTC')`;
  if (kind === 'timestamptz') return `"${column}"`;
  throw new SourceUnavailableError(`Column "${column}" is missing or is not a timestamp`);
}

/** When a session happened: page load, or the row's creation when the page load was not recorded. */
export function anchor(userEvents: TableInfo): string {
  return `COALESCE(${instant(userEvents, 'pageLoaded')}, ${instant(userEvents, 'createdAt')})`;
}

/** `expr` falls in the half-open range [from, to). */
export function inRange(expr: string, p: SqlParams): string {
  return `${expr} >= ${p.from} AND ${expr} < ${p.to}`;
}

/** Local wall-clock time of an instant in the requested time zone. */
export function localTime(expr: string, p: SqlParams): string {
  return `(${expr} AT TIME ZONE ${p.tz})`;
}

function notNull(columns: readonly string[]): string {
  return columns.map((column) => `"${column}" IS NOT NULL`).join(' AND ');
}

/** The condition under which a session counts for each counter (step reached, or action after a human request). */
export const COUNTER_CONDITION: Record<Counter, string> = Object.fromEntries(
  COUNTERS.map((counter) => {
    const stepIndex = FUNNEL_STEPS.indexOf(counter as (typeof FUNNEL_STEPS)[number]);
    const columns = stepIndex >= 0 ? FUNNEL_STEPS.slice(0, stepIndex + 1) : [...FUNNEL_STEPS, counter];
    return [counter, notNull(columns)];
  }),
) as Record<Counter, string>;

/** `count(*) AS sessions, count(*) FILTER (...) AS "pageLoaded", ...` — the select list shared by every count. */
export function countColumns(): string {
  return [
    'count(*) AS "sessions"',
    ...COUNTERS.map((counter) => `count(*) FILTER (WHERE ${COUNTER_CONDITION[counter]}) AS "${counter}"`),
  ].join(',\n       ');
}

/** Fraction 0..1, or null when nothing could convert. */
export function rate(numerator: number, denominator: number): number | null {
  return denominator > 0 ? numerator / denominator : null;
}
