import { COUNTERS, FUNNEL_STEPS, type Counter } from './steps.ts';
import { SourceUnavailableError, type TableInfo } from '../tenants/clientSource.ts';

/**
 * SQL fragments every metric is built from. A metric writes its SQL once against `SqlParams`; the API binds
 * parameters (`BOUND_PARAMS`), and other consumers (Grafana panels) put their own expressions in the same places.
 */
export interface SqlParams {
  /** Inclusive lower bound, a timestamptz expression. */
  from: string;
  /** Exclusive upper bound, a timestamptz expression. */
  to: string;
  /** IANA time zone name, a text expression. */
  tz: string;
  /** Funnel window (an interval expression), used only when the funnel options ask for a window. */
  window: string;
  /** Funnel mode (a text expression, `any` or `ordered`), used only when the mode is chosen at run time. */
  mode?: string;
}

/** How a session counts as reaching a step (see README, "Funnel modes"). The default is the core definition. */
export interface FunnelOptions {
  /** `ordered`: each step's timestamp must also be no earlier than the previous step's. */
  mode: 'any' | 'ordered';
  /** The whole funnel within this many seconds of the anchor time, or no limit. */
  windowSeconds: number | null;
}

export const DEFAULT_FUNNEL: FunnelOptions = { mode: 'any', windowSeconds: null };

/**
 * The funnel definition chosen when the SQL runs rather than when it is written: Grafana's dashboard variables.
 * The mode comes from `p.mode` and the window from `p.window` (NULL: no window), so one SQL text serves every choice.
 */
export const RUN_TIME_FUNNEL = { mode: 'run-time', windowSeconds: 'run-time' } as const;
/** What SQL builders accept: a definition known now, or one chosen at run time. */
export type FunnelSql = FunnelOptions | typeof RUN_TIME_FUNNEL;

/** `$1` from, `$2` to, `$3` time zone, `$4` funnel window; metrics that need more bind them from `$5` on. */
export const BOUND_PARAMS: SqlParams = { from: '$1::timestamptz', to: '$2::timestamptz', tz: '$3::text', window: '$4::interval' };

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

/** An instant as RFC 3339 text in UTC with microseconds: exact (a keyset cursor can hold it) and TimeZone-proof. */
export const isoUtc = (expr: string) => `to_char(${expr} AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"')`;

/** `expr` falls in the half-open range [from, to). */
export function inRange(expr: string, p: SqlParams): string {
  return `${expr} >= ${p.from} AND ${expr} < ${p.to}`;
}

/** Local wall-clock time of an instant in the requested time zone. */
export function localTime(expr: string, p: SqlParams): string {
  return `(${expr} AT TIME ZONE ${p.tz})`;
}

/** The columns a counter needs, in funnel order: the steps up to it, or all steps and then the action. */
function chainOf(counter: Counter): Counter[] {
  const stepIndex = FUNNEL_STEPS.indexOf(counter as (typeof FUNNEL_STEPS)[number]);
  return stepIndex >= 0 ? FUNNEL_STEPS.slice(0, stepIndex + 1) : [...FUNNEL_STEPS, counter];
}

/**
 * The condition under which a session counts for a counter: every column of its chain present; with `ordered`, each
 * no earlier than the one before; with a window, each no later than the anchor time plus the window.
 */
export function counterCondition(userEvents: TableInfo, counter: Counter, funnel: FunnelSql, p: SqlParams): string {
  const chain = chainOf(counter);
  const parts = chain.map((column) => `"${column}" IS NOT NULL`);
  const ordered = chain.slice(1).map((column, i) => `${instant(userEvents, column)} >= ${instant(userEvents, chain[i]!)}`);
  const limit = `${anchor(userEvents)} + ${p.window}`;
  const windowed = chain.map((column) => `${instant(userEvents, column)} <= ${limit}`);
  if (funnel.mode === 'ordered') parts.push(...ordered);
  if (funnel.mode === 'run-time' && ordered.length > 0) parts.push(`(${runTime(p).mode} <> 'ordered' OR (${ordered.join(' AND ')}))`);
  if (typeof funnel.windowSeconds === 'number') parts.push(...windowed);
  if (funnel.windowSeconds === 'run-time') parts.push(`(${p.window} IS NULL OR (${windowed.join(' AND ')}))`);
  return parts.join(' AND ');
}

function runTime(p: SqlParams): { mode: string } {
  if (p.mode === undefined) throw new Error('a funnel chosen at run time needs SqlParams.mode');
  return { mode: p.mode };
}

/** `count(*) AS sessions, count(*) FILTER (...) AS "pageLoaded", ...` — the select list shared by every count. */
export function countColumns(userEvents: TableInfo, funnel: FunnelSql, p: SqlParams): string {
  return [
    'count(*) AS "sessions"',
    ...COUNTERS.map((counter) => `count(*) FILTER (WHERE ${counterCondition(userEvents, counter, funnel, p)}) AS "${counter}"`),
  ].join(',\n       ');
}

/** Fraction 0..1, or null when nothing could convert. */
export function rate(numerator: number, denominator: number): number | null {
  return denominator > 0 ? numerator / denominator : null;
}
