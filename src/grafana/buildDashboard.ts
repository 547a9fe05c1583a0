import type { ClientConfig } from '../config/clients.ts';
import { layoutSource, type ClientSource } from '../tenants/clientSource.ts';
import { panelQueries, type PanelName } from './panelQueries.ts';
import { barChart, barGauge, stat, table, text, timeSeries, type DashboardPanel, type DataSourceRef, type GridPos, type Panel } from './panels.ts';
import { funnelVariables } from './variables.ts';
import type { PanelQuery } from './sqlText.ts';

export const DASHBOARD_TITLE = 'User Events Analytics';
export const DATASOURCE_TYPE = 'grafana-postgresql-datasource';
/** Grafana's classic dashboard schema version this generator targets (Grafana 12). */
const SCHEMA_VERSION = 41;

export const dashboardUid = (clientId: string) => `chatbot-${clientId}`;

type Builder = (base: { id: number; title: string; description: string; gridPos: GridPos; datasource: DataSourceRef; query: PanelQuery }) => Panel;
interface Layout {
  name: PanelName;
  title: string;
  /** What the panel shows, for "Add … to see <about>". */
  about: string;
  description: (zone: string) => string;
  at: [number, number, number, number];
  build: Builder;
}

const heatCells = { color: { mode: 'continuous-GrYlRd' } };
const LAYOUT: Layout[] = [
  { name: 'funnel', title: 'Conversion funnel', about: 'the funnel', at: [0, 0, 12, 9], build: barGauge,
    description: () => 'Sessions, then how many reached each step (all earlier steps present), then the actions taken after asking for a human.' },
  { name: 'rates', title: 'Conversion rates', about: 'conversion rates', at: [12, 0, 12, 5], build: (b) => stat(b, 'percentunit'),
    description: () => 'Each step relative to the previous one; accept, callback and continue relative to human requests.' },
  { name: 'duration', title: 'Session duration', about: 'session durations', at: [12, 5, 12, 4], build: (b) => stat(b, 's'),
    description: () => 'Seconds from the first to the last step or action, over sessions with at least two.' },
  { name: 'daily', title: 'Daily sessions and funnel', about: 'daily counts', at: [0, 9, 24, 9], build: timeSeries,
    description: (zone) => `Per local day in ${zone}.` },
  { name: 'hourly', title: 'Hourly distribution', about: 'the hourly distribution', at: [0, 18, 12, 9], build: (b) => barChart(b, 'Hour'),
    description: (zone) => `Sessions by local hour of day in ${zone}.` },
  { name: 'heatmap', title: 'Weekday × hour heatmap', about: 'the weekday × hour heatmap', at: [12, 18, 12, 9],
    build: (b) => table(b, 'color-background', heatCells), description: (zone) => `Sessions by local weekday and hour in ${zone}.` },
  { name: 'sessions', title: 'Latest sessions', about: 'the latest sessions', at: [0, 27, 16, 10], build: (b) => table(b),
    description: () => 'The 100 newest sessions in the range.' },
  { name: 'leads', title: 'Leads', about: 'leads', at: [16, 27, 8, 3], build: (b) => stat(b, 'short'),
    description: () => 'Leads created in the range (by their own creation time).' },
  { name: 'captureRate', title: 'Lead capture rate', about: 'the lead capture rate', at: [16, 30, 8, 3], build: (b) => stat(b, 'percentunit'),
    description: () => 'Leads per session in the range.' },
  { name: 'leadsDaily', title: 'Leads per day', about: 'leads per day', at: [16, 33, 8, 4], build: timeSeries,
    description: (zone) => `Per local day in ${zone}.` },
  { name: 'timeToConvert', title: 'Time to convert', about: 'time to convert', at: [0, 37, 12, 8], build: (b) => table(b),
    description: () => 'Seconds between consecutive steps and from page load to each action (sessions with both, in order).' },
  { name: 'handoffs', title: 'After a human request', about: 'what follows a human request', at: [12, 37, 12, 8], build: barGauge,
    description: () => 'The first action within 10 minutes of asking for a human; none: abandoned (or pending if recent).' },
  { name: 'containment', title: 'Containment', about: 'containment', at: [0, 45, 6, 4], build: (b) => stat(b, 'percentunit'),
    description: () => 'Conversations whose session never asked for a human, of all conversations.' },
  { name: 'timeToAgent', title: 'Time to agent', about: 'time to agent', at: [6, 45, 6, 4], build: (b) => stat(b, 's'),
    description: () => 'From a request for a human to an agent connecting (AgentConnection).' },
  { name: 'leadSources', title: 'Leads by source', about: 'leads by source', at: [12, 45, 12, 8], build: (b) => table(b),
    description: () => 'Leads created in the range per source, and how many of their sessions asked for a human.' },
  { name: 'unanswered', title: 'Unanswered human requests (weekday × hour)', about: 'unanswered human requests', at: [0, 49, 12, 8],
    build: (b) => table(b, 'color-background', heatCells),
    description: (zone) => `Requests for an agent that never connected, by local weekday and hour in ${zone}: where staff is missing.` },
];

/**
 * The layout the chatbot's Prisma schema creates, for a dashboard built without asking the database (the committed
 * demo dashboards): `timestamp(3)` columns unless the registry's `timestampType` says otherwise.
 */
export const assumedSource = (client: ClientConfig): ClientSource =>
  layoutSource(client.database?.schema ?? 'public', client.timestampType ?? 'timestamp');

/**
 * The "User Events Analytics" dashboard for one client, as Grafana's classic JSON model, fitted to `source` — what
 * the client's database really has (`detectDashboardSource`): a panel whose table or column is missing becomes a
 * text panel saying what enables it, so no panel ever errors. Days and hours are bucketed in the client's time zone
 * by the panel SQL itself (Grafana's `$__timeGroup` would bucket in UTC).
 */
export function buildClientDashboard(client: ClientConfig, datasourceUid: string, source: ClientSource = assumedSource(client)) {
  const datasource: DataSourceRef = { type: DATASOURCE_TYPE, uid: datasourceUid };
  const queries = panelQueries(source, client.timezone);
  const panels = LAYOUT.map((panel, i): DashboardPanel => {
    const [x, y, w, h] = panel.at;
    const base = { id: i + 1, title: panel.title, description: panel.description(client.timezone), gridPos: { x, y, w, h } };
    const slot = queries[panel.name];
    if ('query' in slot) return panel.build({ ...base, datasource, query: slot.query });
    const detail = slot.detail ? `\n\n_${slot.detail}._` : '';
    return text(base, `Add ${slot.missing} to the chatbot's database to see ${panel.about} here.${detail}`);
  });

  return {
    uid: dashboardUid(client.id),
    title: DASHBOARD_TITLE,
    description: `Chatbot funnel and traffic for ${client.name}. Generated by chatbot-analytics; edits in Grafana are overwritten by the next sync.`,
    tags: ['chatbot', 'generated'],
    timezone: client.timezone,
    editable: false,
    graphTooltip: 1,
    // The last 30 local days including today, like the API's default range.
    time: { from: 'now-29d/d', to: 'now/d' },
    timepicker: {},
    fiscalYearStartMonth: 0,
    liveNow: false,
    weekStart: 'monday',
    refresh: '5m',
    schemaVersion: SCHEMA_VERSION,
    panels,
    templating: { list: funnelVariables() },
    annotations: { list: [] },
    links: [],
  };
}

export type ClientDashboard = ReturnType<typeof buildClientDashboard>;
