import { stat, timeSeries, type DataSourceRef, type Panel } from './panels.ts';

/**
 * The platform's own health in Grafana, from its Prometheus metrics (src/metrics): traffic and latency, each
 * client's answers and failures, connection pools, cache, rollup lag, jobs and deliveries. Provisioned in the main
 * organization next to a Prometheus data source (deploy/grafana, `npm run grafana:dashboards` writes both).
 */
export const PLATFORM_DASHBOARD_UID = 'chatbot-platform';
export const PROMETHEUS_DATASOURCE_UID = 'chatbot-platform-prometheus';
const SCHEMA_VERSION = 41;

interface Query {
  expr: string;
  legend: string;
}

interface Layout {
  title: string;
  description: string;
  at: [number, number, number, number];
  unit: string;
  kind: 'timeseries' | 'stat';
  queries: Query[];
}

const q = (expr: string, legend: string): Query => ({ expr, legend });
const RATE = '[$__rate_interval]';

const LAYOUT: Layout[] = [
  { title: 'Requests per second by route', kind: 'timeseries', unit: 'reqps', at: [0, 0, 12, 8],
    description: 'Every HTTP request, by route pattern (never the URL).',
    queries: [q(`sum by (route) (rate(cba_http_request_duration_seconds_count${RATE}))`, '{{route}}')] },
  { title: 'Latency p95 by route', kind: 'timeseries', unit: 's', at: [12, 0, 12, 8],
    description: '95th percentile of the time to answer, by route pattern.',
    queries: [q(`histogram_quantile(0.95, sum by (le, route) (rate(cba_http_request_duration_seconds_bucket${RATE})))`, '{{route}}')] },
  { title: 'Server errors per second', kind: 'timeseries', unit: 'reqps', at: [0, 8, 12, 8],
    description: 'Responses with a 5xx status, by route pattern and status.',
    queries: [q(`sum by (route, status_code) (rate(cba_http_request_duration_seconds_count{status_code=~"5.."}${RATE}))`, '{{route}} {{status_code}}')] },
  { title: 'Platform database up', kind: 'stat', unit: 'bool_yes_no', at: [12, 8, 6, 4],
    description: 'Whether the platform database answered the last scrape of every API process.',
    queries: [q('min(cba_platform_database_up)', 'up')] },
  { title: 'Cache hit ratio (1 h)', kind: 'stat', unit: 'percentunit', at: [18, 8, 6, 4],
    description: 'Answers served from the result cache (or a computation already under way), of all look-ups.',
    queries: [q('sum(increase(cba_cache_lookups_total{outcome="hit"}[1h])) / clamp_min(sum(increase(cba_cache_lookups_total[1h])), 1)', 'hit ratio')] },
  { title: 'Platform database connections', kind: 'timeseries', unit: 'short', at: [12, 12, 12, 4],
    description: 'Connections of the platform pool in use and idle, and queries waiting for one.',
    queries: [q('sum by (state) (cba_platform_db_connections)', '{{state}}'), q('sum(cba_platform_db_waiting_requests)', 'waiting')] },
  { title: 'Answers per client', kind: 'timeseries', unit: 'reqps', at: [0, 16, 12, 8],
    description: "Successful answers of each client's endpoints per second.",
    queries: [q(`sum by (client) (rate(cba_client_answers_total${RATE}))`, '{{client}}')] },
  { title: 'Failed answers per client', kind: 'timeseries', unit: 'reqps', at: [12, 16, 12, 8],
    description: "Answers a client's database could not give (down, busy, too slow, tables missing), by error code.",
    queries: [q(`sum by (client, code) (rate(cba_client_errors_total${RATE}))`, '{{client}} {{code}}')] },
  { title: 'Client database connections per server', kind: 'timeseries', unit: 'short', at: [0, 24, 12, 8],
    description: 'Connections to each client database server by state, against its budget (DB_MAX_CONNECTIONS_PER_SERVER).',
    queries: [q('sum by (server, state) (cba_db_connections)', '{{server}} {{state}}'), q('max by (server) (cba_db_connections_max)', '{{server}} budget')] },
  { title: 'Requests waiting for a connection', kind: 'timeseries', unit: 'short', at: [12, 24, 12, 8],
    description: 'Requests queued for a connection to each client database server: a full budget, or a slow server.',
    queries: [q('sum by (server) (cba_db_waiting_requests)', '{{server}}')] },
  { title: 'Rollup lag per client', kind: 'timeseries', unit: 's', at: [0, 32, 12, 8],
    description: "Seconds since each client's rollups were last refreshed.",
    queries: [q('max by (client) (cba_rollup_lag_seconds)', '{{client}}')] },
  { title: 'Job queue depth', kind: 'timeseries', unit: 'short', at: [12, 32, 12, 8],
    description: 'Jobs waiting, deferred and running per queue; failures per hour.',
    queries: [
      q('max by (queue, state) (cba_job_queue_jobs{state=~"queued|deferred|active"})', '{{queue}} {{state}}'),
      q('sum by (queue) (increase(cba_job_failures_total[1h]))', '{{queue}} failures / h'),
    ] },
  { title: 'Emails and webhooks', kind: 'timeseries', unit: 'short', at: [0, 40, 12, 8],
    description: 'Messages sent, failed or kept in the outbox only, per channel, in each interval.',
    queries: [q(`sum by (channel, status) (increase(cba_deliveries_total${RATE}))`, '{{channel}} {{status}}')] },
  { title: 'Memory and event loop', kind: 'timeseries', unit: 'bytes', at: [12, 40, 12, 8],
    description: 'Resident memory of each API process (the event loop lag p99, in seconds, on the right).',
    queries: [q('max by (instance) (process_resident_memory_bytes)', '{{instance}} memory'), q('max by (instance) (nodejs_eventloop_lag_p99_seconds)', '{{instance}} event loop p99')] },
];

function panelOf(layout: Layout, id: number, datasource: DataSourceRef): Panel {
  const [x, y, w, h] = layout.at;
  const targets = layout.queries.map((query, i) => ({
    refId: String.fromCharCode(65 + i), datasource, editorMode: 'code', expr: query.expr, legendFormat: query.legend, range: true,
  }));
  const base = { id, title: layout.title, description: layout.description, gridPos: { x, y, w, h }, datasource, targets };
  const panel = layout.kind === 'stat' ? stat(base, layout.unit) : timeSeries(base);
  return { ...panel, fieldConfig: { ...panel.fieldConfig, defaults: { ...panel.fieldConfig.defaults, unit: layout.unit } } };
}

/** The dashboard, as Grafana's classic JSON model. */
export function buildPlatformDashboard(datasourceUid = PROMETHEUS_DATASOURCE_UID) {
  const datasource: DataSourceRef = { type: 'prometheus', uid: datasourceUid };
  return {
    uid: PLATFORM_DASHBOARD_UID,
    title: 'Chatbot Analytics — Platform',
    description: "The platform's own health from its Prometheus metrics. Generated by chatbot-analytics (npm run grafana:dashboards).",
    tags: ['chatbot', 'platform', 'generated'],
    timezone: 'browser',
    editable: false,
    graphTooltip: 1,
    time: { from: 'now-6h', to: 'now' },
    timepicker: {},
    fiscalYearStartMonth: 0,
    liveNow: false,
    weekStart: 'monday',
    refresh: '30s',
    schemaVersion: SCHEMA_VERSION,
    panels: LAYOUT.map((layout, i) => panelOf(layout, i + 1, datasource)),
    templating: { list: [] },
    annotations: { list: [] },
    links: [],
  };
}

const PROMQL_WORDS = new Set(['by', 'without', 'on', 'ignoring', 'group_left', 'group_right', 'bool', 'and', 'or', 'unless', 'offset']);

/**
 * The metric names a PromQL expression reads: every name left once label matchers, groupings, ranges and strings
 * are removed, other than function calls and keywords (enough for the expressions above; checked by a test).
 */
export function metricNamesIn(expr: string): string[] {
  const bare = expr
    .replace(/"[^"]*"/g, '')
    .replace(/\{[^}]*\}/g, '')
    .replace(/\[[^\]]*\]/g, '')
    .replace(/\b(by|without|on|ignoring)\s*\([^)]*\)/g, '');
  const names = [...bare.matchAll(/[A-Za-z_:][A-Za-z0-9_:]*/g)]
    .filter((m) => !/^\s*\(/.test(bare.slice(m.index + m[0].length))) // a function call
    .map((m) => m[0])
    .filter((name) => !PROMQL_WORDS.has(name));
  return [...new Set(names)];
}
