import { countsSql } from '../analytics/getCounts.ts';
import { dailySql } from '../analytics/getDaily.ts';
import { durationSql } from '../analytics/getDuration.ts';
import { heatmapSql } from '../analytics/getHeatmap.ts';
import { hourlySql } from '../analytics/getHourly.ts';
import { leadsSql } from '../analytics/getLeads.ts';
import { RATES, type RateName } from '../analytics/getMetrics.ts';
import { sessionsSql } from '../analytics/getSessions.ts';
import type { ClientSource } from '../tenants/clientSource.ts';
import type { SqlParams } from '../analytics/sql.ts';
import { ACTIONS, COUNTERS, FUNNEL_STEPS, type Counter } from '../analytics/steps.ts';
import { insightQueries } from './insightQueries.ts';

/**
 * Every panel's SQL, built from the metric definitions the API uses. Only the placeholders differ: Grafana's own
 * time-range macros instead of bound parameters, and the client's (validated) time zone as a literal.
 */
export type PanelFormat = 'table' | 'time_series';
export interface PanelQuery {
  rawSql: string;
  format: PanelFormat;
}

export const sqlLiteral = (value: string) => `'${value.replace(/'/g, "''")}'`;

/** Grafana's `to` is inclusive, in milliseconds (`now/d` ends at 23:59:59.999): one more millisecond makes it our exclusive end. */
export function grafanaParams(timezone: string): SqlParams {
  return {
    from: '$__timeFrom()::timestamptz',
    to: "($__timeTo()::timestamptz + interval '1 millisecond')",
    tz: sqlLiteral(timezone),
    window: 'NULL::interval', // the dashboards use the default funnel, which has no window
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

export const RATE_LABELS: Record<RateName, string> = {
  pageLoad: 'Page load rate',
  widgetOpen: 'Widget open rate',
  humanRequest: 'Human request rate',
  accept: 'Accept rate',
  callback: 'Callback rate',
  continue: 'Continue rate',
};

const WEEKDAYS = ['Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat', 'Sun'];
const HOURS = Array.from({ length: 24 }, (_, h) => h);
const hourLabel = (h: number) => String(h).padStart(2, '0');
const counterColumns = (alias: string, names: readonly (Counter | 'sessions')[], zeroFill = false) =>
  names.map((c) => `${zeroFill ? `COALESCE(${alias}."${c}", 0)` : `${alias}."${c}"`} AS "${COUNTER_LABELS[c]}"`).join(', ');
/** A local date as the instant its local day starts: the time axis Grafana needs. */
const localMidnight = (dateExpr: string, p: SqlParams) => `(${dateExpr}::date::timestamp AT TIME ZONE ${p.tz})`;

/** Every local day of the range, zero-filled like the API's daily series, joined to a per-day query on its `date`. */
function everyDay(p: SqlParams, perDay: string, columns: string): string {
  const lastInstant = `(${p.to} - interval '1 millisecond')`;
  return `SELECT ${localMidnight('g.day', p)} AS "time", ${columns}
  FROM generate_series((${p.from} AT TIME ZONE ${p.tz})::date, (${lastInstant} AT TIME ZONE ${p.tz})::date, interval '1 day') AS g(day)
  LEFT JOIN (${perDay}) AS d ON d."date" = to_char(g.day, 'YYYY-MM-DD')
 ORDER BY 1`;
}

export function panelQueries(source: ClientSource, timezone: string) {
  const p = grafanaParams(timezone);
  const counts = countsSql(source, p);
  return {
    funnel: table(`SELECT ${counterColumns('c', ['sessions', ...FUNNEL_STEPS, ...ACTIONS])}\n  FROM (${counts}) AS c`),
    rates: table(`SELECT ${Object.entries(RATES)
      .map(([name, [num, den]]) => `c."${num}"::float8 / NULLIF(c."${den}", 0) AS "${RATE_LABELS[name as RateName]}"`)
      .join(', ')}\n  FROM (${counts}) AS c`),
    duration: table(`SELECT d."medianSeconds" AS "Median", d."p90Seconds" AS "p90", d."meanSeconds" AS "Mean"\n  FROM (${durationSql(source, p)}) AS d`),
    daily: { rawSql: everyDay(p, dailySql(source, p), counterColumns('d', ['sessions', ...COUNTERS], true)), format: 'time_series' as const },
    hourly: table(`SELECT lpad(h.hour::text, 2, '0') AS "Hour", ${counterColumns('d', ['sessions', ...FUNNEL_STEPS], true)}
  FROM generate_series(0, 23) AS h(hour)
  LEFT JOIN (${hourlySql(source, p)}) AS d ON d."hour" = h.hour
 ORDER BY h.hour`),
    heatmap: table(`SELECT (ARRAY[${WEEKDAYS.map(sqlLiteral).join(', ')}])[w.weekday] AS "Day",
       ${HOURS.map((h) => `COALESCE(sum(c."sessions") FILTER (WHERE c."hour" = ${h}), 0) AS "${hourLabel(h)}"`).join(', ')}
  FROM generate_series(1, 7) AS w(weekday)
  LEFT JOIN (${heatmapSql(source, p)}) AS c ON c."weekday" = w.weekday
 GROUP BY w.weekday
 ORDER BY w.weekday`),
    sessions: table(`SELECT s."startedAt"::timestamptz AS "Started", s."sessionId" AS "Session", s."reachedStep" AS "Reached",
       s."durationSeconds" AS "Duration", s."pressedAccept" IS NOT NULL AS "Accepted", s."pressedCallback" IS NOT NULL AS "Callback"
  FROM (${sessionsSql(source, p, { limit: '100' })}) AS s`),
    ...leadQueries(source, p, counts),
    insights: insightQueries(source, p),
  };
}

function leadQueries(source: ClientSource, p: SqlParams, counts: string) {
  const leads = source.tables.Leads;
  if (!leads) return {};
  const daily = leadsSql(leads, p);
  // Zero when the column exists but the range has no leads (as the API says); NULL when the column does not exist.
  const filled = (field: 'withEmail' | 'withPhone', column: string) =>
    leads.columns.has(column) ? `COALESCE(sum(l."${field}"), 0)` : `sum(l."${field}")`;
  return {
    leads: table(`SELECT COALESCE(sum(l."leads"), 0) AS "Leads", ${filled('withEmail', 'email')} AS "With email", ${filled('withPhone', 'phone')} AS "With phone"
  FROM (${daily}) AS l`),
    captureRate: table(`SELECT (SELECT COALESCE(sum(l."leads"), 0) FROM (${daily}) AS l)::float8 / NULLIF(c."sessions", 0) AS "Capture rate"
  FROM (${counts}) AS c`),
    leadsDaily: { rawSql: everyDay(p, daily, 'COALESCE(d."leads", 0) AS "Leads"'), format: 'time_series' as const },
  };
}

function table(rawSql: string): PanelQuery {
  return { rawSql, format: 'table' };
}

export type PanelQueries = ReturnType<typeof panelQueries>;
