import type { SqlParams } from '../analytics/sql.ts';
import type { Counter } from '../analytics/steps.ts';

/**
 * What every panel's SQL is made of besides the metric SQL itself: Grafana's macros in place of bound parameters,
 * the client's (validated) time zone as a literal, the funnel definition from dashboard variables, and labels.
 */
export type PanelFormat = 'table' | 'time_series';
export interface PanelQuery {
  rawSql: string;
  format: PanelFormat;
}

/**
 * A panel's query, or what the client's database lacks for it: the dashboard shows a text panel saying what enables
 * the panel (`missing`, e.g. "an `AgentConnection` table") and what this database has instead (`detail`).
 */
export type Slot = { query: PanelQuery } | { missing: string; detail: string };

export const table = (rawSql: string): Slot => ({ query: { rawSql, format: 'table' } });
export const timeSeries = (rawSql: string): Slot => ({ query: { rawSql, format: 'time_series' } });
export const missing = (what: string, detail: string): Slot => ({ missing: what, detail });

export const sqlLiteral = (value: string) => `'${value.replace(/'/g, "''")}'`;

/** The dashboard variables that choose the funnel definition, as the API's `mode` and `window` parameters do. */
export const MODE_VARIABLE = 'mode';
export const WINDOW_VARIABLE = 'window';
/** The `window` option meaning "no window". */
export const NO_WINDOW = 'none';

/**
 * Grafana's `to` is inclusive, in milliseconds (`now/d` ends at 23:59:59.999): one more millisecond makes it our
 * exclusive end. The funnel mode and window are the variables' values (custom variables with fixed options).
 */
export function grafanaParams(timezone: string): SqlParams {
  return {
    from: '$__timeFrom()::timestamptz',
    to: "($__timeTo()::timestamptz + interval '1 millisecond')",
    tz: sqlLiteral(timezone),
    window: `NULLIF('\${${WINDOW_VARIABLE}}', '${NO_WINDOW}')::interval`,
    mode: `'\${${MODE_VARIABLE}}'`,
  };
}

export const COUNTER_LABELS: Record<Counter | 'sessions', string> = {
  sessions: 'Sessions',
  pageLoaded: 'Page loaded',
  widgetOpened: 'Widget opened',
  requestedHuman: 'Asked for a human',
  pressedAccept: 'Accepted',
  pressedCallback: 'Callback',
  pressedContinue: 'Continued with bot',
};

const WEEKDAYS = ['Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat', 'Sun'];

/**
 * A weekday × hour table (one row per local weekday, a column per hour) from SQL with `weekday`, `hour` and the
 * figure `value` adds up (zero where nothing happened).
 */
export function weekdayHourTable(perCell: string, value: string): string {
  const hours = Array.from({ length: 24 }, (_, h) => `COALESCE(sum(${value}) FILTER (WHERE c."hour" = ${h}), 0) AS "${String(h).padStart(2, '0')}"`);
  return `SELECT (ARRAY[${WEEKDAYS.map(sqlLiteral).join(', ')}])[w.weekday] AS "Day",
       ${hours.join(', ')}
  FROM generate_series(1, 7) AS w(weekday)
  LEFT JOIN (${perCell}) AS c ON c."weekday" = w.weekday
 GROUP BY w.weekday
 ORDER BY w.weekday`;
}
