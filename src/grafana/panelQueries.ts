import { countsSql } from '../analytics/getCounts.ts';
import { dailySql } from '../analytics/getDaily.ts';
import { durationSql } from '../analytics/getDuration.ts';
import { heatmapSql } from '../analytics/getHeatmap.ts';
import { hourlySql } from '../analytics/getHourly.ts';
import { leadsSql } from '../analytics/getLeads.ts';
import { RATES, type RateName } from '../analytics/getMetrics.ts';
import { sessionsSql } from '../analytics/getSessions.ts';
import { isTimestamp } from '../analytics/optionalColumns.ts';
import { RUN_TIME_FUNNEL, type SqlParams } from '../analytics/sql.ts';
import { ACTIONS, COUNTERS, FUNNEL_STEPS, type Counter } from '../analytics/steps.ts';
import { REQUIRED_USER_EVENTS_COLUMNS, SourceUnavailableError, userEventsOf, type ClientSource } from '../tenants/clientSource.ts';
import { insightQueries } from './insightQueries.ts';
import { COUNTER_LABELS, grafanaParams, missing, table, timeSeries, weekdayHourTable, type Slot } from './sqlText.ts';

/**
 * Every panel's SQL, built from the metric definitions the API uses, for the tables and columns this client's
 * database really has. Panels that follow the funnel definition take it from the dashboard's `mode` and `window`.
 */
export const RATE_LABELS: Record<RateName, string> = {
  pageLoad: 'Page load rate',
  widgetOpen: 'Widget open rate',
  humanRequest: 'Human request rate',
  accept: 'Accept rate',
  callback: 'Callback rate',
  continue: 'Continue rate',
};

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

export type PanelName =
  | 'funnel' | 'rates' | 'duration' | 'daily' | 'hourly' | 'heatmap' | 'sessions' | 'leads' | 'captureRate' | 'leadsDaily'
  | 'timeToConvert' | 'handoffs' | 'containment' | 'timeToAgent' | 'leadSources' | 'unanswered';

export function panelQueries(source: ClientSource, timezone: string): Record<PanelName, Slot> {
  const p = grafanaParams(timezone);
  try {
    userEventsOf(source);
  } catch (error) {
    if (!(error instanceof SourceUnavailableError)) throw error;
    const needs = missing(`a \`UserEvents\` table with ${REQUIRED_USER_EVENTS_COLUMNS.map((c) => `\`${c}\``).join(', ')}`, error.message);
    return Object.fromEntries(PANELS.map((name) => [name, needs])) as Record<PanelName, Slot>;
  }
  const counts = countsSql(source, p, RUN_TIME_FUNNEL);
  return {
    funnel: table(`SELECT ${counterColumns('c', ['sessions', ...FUNNEL_STEPS, ...ACTIONS])}\n  FROM (${counts}) AS c`),
    rates: table(`SELECT ${Object.entries(RATES)
      .map(([name, [num, den]]) => `c."${num}"::float8 / NULLIF(c."${den}", 0) AS "${RATE_LABELS[name as RateName]}"`)
      .join(', ')}\n  FROM (${counts}) AS c`),
    duration: table(`SELECT d."medianSeconds" AS "Median", d."p90Seconds" AS "p90", d."meanSeconds" AS "Mean"\n  FROM (${durationSql(source, p)}) AS d`),
    daily: timeSeries(everyDay(p, dailySql(source, p, RUN_TIME_FUNNEL), counterColumns('d', ['sessions', ...COUNTERS], true))),
    hourly: table(`SELECT lpad(h.hour::text, 2, '0') AS "Hour", ${counterColumns('d', ['sessions', ...FUNNEL_STEPS], true)}
  FROM generate_series(0, 23) AS h(hour)
  LEFT JOIN (${hourlySql(source, p, RUN_TIME_FUNNEL)}) AS d ON d."hour" = h.hour
 ORDER BY h.hour`),
    heatmap: table(weekdayHourTable(heatmapSql(source, p), 'c."sessions"')),
    sessions: table(`SELECT s."startedAt"::timestamptz AS "Started", s."sessionId" AS "Session", s."reachedStep" AS "Reached",
       s."durationSeconds" AS "Duration", s."pressedAccept" IS NOT NULL AS "Accepted", s."pressedCallback" IS NOT NULL AS "Callback"
  FROM (${sessionsSql(source, p, { limit: '100' }, RUN_TIME_FUNNEL)}) AS s`),
    ...leadQueries(source, p, counts),
    ...insightQueries(source, p),
  };
}

export const PANELS: readonly PanelName[] = [
  'funnel', 'rates', 'duration', 'daily', 'hourly', 'heatmap', 'sessions', 'leads', 'captureRate', 'leadsDaily',
  'timeToConvert', 'handoffs', 'containment', 'timeToAgent', 'leadSources', 'unanswered',
];

function leadQueries(source: ClientSource, p: SqlParams, counts: string): Record<'leads' | 'captureRate' | 'leadsDaily', Slot> {
  const leads = source.tables.Leads;
  if (!leads || !isTimestamp(leads, 'createdAt')) {
    const needs = missing('a `Leads` table with a `createdAt` timestamp',
      leads ? '"Leads" has no "createdAt" timestamp column' : 'The client database has no "Leads" table');
    return { leads: needs, captureRate: needs, leadsDaily: needs };
  }
  const daily = leadsSql(leads, p);
  // Zero when the column exists but the range has no leads (as the API says); NULL when the column does not exist.
  const filled = (field: 'withEmail' | 'withPhone', column: string) =>
    leads.columns.has(column) ? `COALESCE(sum(l."${field}"), 0)` : `sum(l."${field}")`;
  return {
    leads: table(`SELECT COALESCE(sum(l."leads"), 0) AS "Leads", ${filled('withEmail', 'email')} AS "With email", ${filled('withPhone', 'phone')} AS "With phone"
  FROM (${daily}) AS l`),
    captureRate: table(`SELECT (SELECT COALESCE(sum(l."leads"), 0) FROM (${daily}) AS l)::float8 / NULLIF(c."sessions", 0) AS "Capture rate"
  FROM (${counts}) AS c`),
    leadsDaily: timeSeries(everyDay(p, daily, 'COALESCE(d."leads", 0) AS "Leads"')),
  };
}
