import type { Queryable } from '../db/queryable.ts';
import { countChange, secondsChange, type Change } from './compare.ts';
import { boundValues, runQuery, type MetricQuery } from './query.ts';
import { anchor, BOUND_PARAMS, inRange, instant, localTime, type SqlParams } from './sql.ts';
import { userEventsOf, type ClientSource, type TableInfo } from '../tenants/clientSource.ts';
import { ACTIONS, FUNNEL_STEPS, type Counter } from './steps.ts';
import { histogramColumns, roundMs, timingColumns, toHistogram, toTimingStats, type HistogramBin, type TimingStats } from './timings.ts';

export interface Transition {
  /** `pageLoadedToWidgetOpened`, … */
  key: string;
  from: Counter;
  to: Counter;
}

const transition = (from: Counter, to: Counter): Transition => ({ key: `${from}To${to[0]!.toUpperCase()}${to.slice(1)}`, from, to });

/** Each consecutive pair of funnel steps, then from the first step (page load) to each action. */
export const TRANSITIONS: readonly Transition[] = [
  ...FUNNEL_STEPS.slice(1).map((to, i) => transition(FUNNEL_STEPS[i]!, to)),
  ...ACTIONS.map((action) => transition(FUNNEL_STEPS[0], action)),
];

export type TransitionTiming = Transition & TimingStats & { histogram: HistogramBin[] };

export interface TrendDay {
  date: string;
  /** Median seconds per transition key; null on a day without such a session. */
  p50Seconds: Record<string, number | null>;
  count: Record<string, number>;
}

export interface TimeToConvert {
  transitions: TransitionTiming[];
  trend: TrendDay[];
}

/**
 * One row per (session in the range, transition) with both timestamps and the later one not earlier than the
 * first: the transition's key, its seconds and the session's anchor. Out-of-order pairs are data errors, not
 * zero-second conversions, so they are left out.
 */
function transitionRows(userEvents: TableInfo, p: SqlParams): string {
  const values = TRANSITIONS.map((t) =>
    `('${t.key}', extract(epoch FROM ${instant(userEvents, t.to)} - ${instant(userEvents, t.from)})::float8)`);
  return `FROM ${userEvents.ref}
 CROSS JOIN LATERAL (VALUES ${values.join(',\n                            ')}) AS t("transition", "seconds")
 WHERE ${inRange(anchor(userEvents), p)} AND t."seconds" >= 0`;
}

/** Per transition: count, p50, p90, mean and the histogram bins. */
export function timeToConvertSql(source: ClientSource, p: SqlParams = BOUND_PARAMS): string {
  return `SELECT t."transition",
       ${timingColumns('t."seconds"')},
       ${histogramColumns('t."seconds"')}
  ${transitionRows(userEventsOf(source), p)}
 GROUP BY 1`;
}

/** Per local day of the anchor and transition: the median and how many sessions it is built on. */
export function timeToConvertTrendSql(source: ClientSource, p: SqlParams = BOUND_PARAMS): string {
  const userEvents = userEventsOf(source);
  return `SELECT to_char(${localTime(anchor(userEvents), p)}::date, 'YYYY-MM-DD') AS "date",
       t."transition",
       count(*) AS "count",
       percentile_cont(0.5) WITHIN GROUP (ORDER BY t."seconds") AS "p50Seconds"
  ${transitionRows(userEvents, p)}
 GROUP BY 1, 2
 ORDER BY 1, 2`;
}

type TrendRow = { date: string; transition: string; count: number; p50Seconds: number };

export async function getTimeToConvert(db: Queryable, source: ClientSource, q: MetricQuery): Promise<TimeToConvert> {
  const [totals, days] = await Promise.all([
    runQuery<Record<string, unknown> & { transition: string }>(db, timeToConvertSql(source), boundValues(q)),
    runQuery<TrendRow>(db, timeToConvertTrendSql(source), boundValues(q)),
  ]);
  const total = new Map(totals.map((row) => [row.transition, row]));
  const day = new Map(days.map((row) => [`${row.date} ${row.transition}`, row]));
  return {
    transitions: TRANSITIONS.map((t) => {
      const row = total.get(t.key);
      return { ...t, ...toTimingStats(row ?? {}), histogram: toHistogram(row) };
    }),
    trend: q.range.days.map((date) => {
      const of = (t: Transition) => day.get(`${date} ${t.key}`);
      return {
        date,
        p50Seconds: Object.fromEntries(TRANSITIONS.map((t) => [t.key, roundMs(of(t)?.p50Seconds ?? null)])),
        count: Object.fromEntries(TRANSITIONS.map((t) => [t.key, of(t)?.count ?? 0])),
      };
    }),
  };
}

/** Per transition: how many sessions, and how p50 and p90 moved (each built on that many sessions). */
export function timeToConvertChanges(current: TimeToConvert, previous: TimeToConvert): Change[] {
  return current.transitions.flatMap((now, i) => {
    const then = previous.transitions[i]!;
    const name = `transitions.${now.key}`;
    return [
      countChange(`${name}.count`, now.count, then.count),
      secondsChange(`${name}.p50Seconds`, { value: now.p50Seconds, of: now.count }, { value: then.p50Seconds, of: then.count }),
      secondsChange(`${name}.p90Seconds`, { value: now.p90Seconds, of: now.count }, { value: then.p90Seconds, of: then.count }),
    ];
  });
}
