import type { Static } from 'typebox';
import type { PortfolioRowSchema } from '../../http/schemas/portfolio.ts';
import { describeChange, formatCount, formatPercent, NONE } from '../app/format.ts';

export type Row = Static<typeof PortfolioRowSchema>;
export type OkRow = Extract<Row, { state: 'ok' }>;
export type KpiName = keyof OkRow['kpis'];

/** One sortable column: its heading, how a row sorts on it (null last), and for figures how they are shown. */
export interface Column {
  key: string;
  label: string;
  sortValue: (row: Row) => number | string | null;
  kpi?: { name: KpiName; format: (value: number | null) => string };
}

const kpi = (name: KpiName, label: string, format: (value: number | null) => string): Column => ({
  key: name, label, kpi: { name, format },
  sortValue: (row) => (row.state === 'ok' ? row.kpis[name]?.current ?? null : null),
});

/** Worst first when sorted descending: a client that cannot answer, then silent, quiet, fine. */
const SEVERITY = { unavailable: 4, silent: 3, quiet: 2, 'no-history': 1, ok: 0 } as const;
export const severityOf = (row: Row) => (row.state === 'ok' ? SEVERITY[row.freshness.status] : SEVERITY.unavailable);

/** A row needs a look: its database does not answer, its data stopped, or an alert is open. */
export const hasProblem = (row: Row) => severityOf(row) >= SEVERITY.quiet || (row.alerts?.length ?? 0) > 0;

export const COLUMNS: Column[] = [
  { key: 'name', label: 'Client', sortValue: (row) => row.name.toLocaleLowerCase() },
  kpi('sessions', 'Sessions', formatCount),
  kpi('widgetOpenRate', 'Widget open rate', formatPercent),
  kpi('humanRequestRate', 'Human request rate', formatPercent),
  kpi('acceptRate', 'Accept rate', formatPercent),
  kpi('leads', 'Leads', formatCount),
  kpi('unansweredHandoffs', 'Unanswered handoffs', formatCount),
  { key: 'trend', label: 'Daily sessions', sortValue: (row) => (row.state === 'ok' ? row.trend.reduce((n, d) => n + d.sessions, 0) : null) },
  { key: 'freshness', label: 'Data', sortValue: (row) => severityOf(row) * 1e6 + (row.state === 'ok' ? row.freshness.quietHours ?? 0 : 0) },
  { key: 'alerts', label: 'Open alerts', sortValue: (row) => row.alerts?.length ?? null },
];

/** A figure's cell text: the value, and its change against the previous period ("no comparison" without one). */
export function figureText(column: Column, row: OkRow): { value: string; change: string; direction: string } {
  const change = row.kpis[column.kpi!.name];
  if (!change) return { value: NONE, change: '', direction: 'none' };
  const described = describeChange(change);
  return { value: column.kpi!.format(change.current), change: described.text, direction: described.direction };
}
