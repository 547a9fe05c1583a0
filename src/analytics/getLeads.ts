import type { Queryable } from '../db/queryable.ts';
import { getCounts } from './getCounts.ts';
import type { Counts } from './steps.ts';
import { boundValues, runQuery, type MetricQuery } from './query.ts';
import { BOUND_PARAMS, inRange, instant, localTime, rate, type SqlParams } from './sql.ts';
import type { ClientSource, TableInfo } from '../tenants/clientSource.ts';

export type LeadStats =
  | {
      available: true;
      total: number;
      /** Sessions in the range (the capture rate's denominator). */
      sessions: number;
      /** null when the Leads table has no such column. */
      withEmail: number | null;
      withPhone: number | null;
      /** Leads per session in the range. */
      captureRate: number | null;
      days: { date: string; leads: number }[];
    }
  | { available: false; reason: string };

type LeadDayRow = { date: string; leads: number; withEmail: number | null; withPhone: number | null };

const filled = (table: TableInfo, column: string) =>
  table.columns.has(column)
    ? `count(*) FILTER (WHERE NULLIF(btrim("${column}"::text), '') IS NOT NULL)`
    : 'NULL::int';

/** Leads per local day of the lead's own `createdAt`. */
export function leadsSql(leads: TableInfo, p: SqlParams = BOUND_PARAMS): string {
  const created = instant(leads, 'createdAt');
  return `SELECT to_char(${localTime(created, p)}::date, 'YYYY-MM-DD') AS "date",
       count(*) AS "leads",
       ${filled(leads, 'email')} AS "withEmail",
       ${filled(leads, 'phone')} AS "withPhone"
  FROM ${leads.ref}
 WHERE ${inRange(created, p)}
 GROUP BY 1
 ORDER BY 1`;
}

/** `countsOf` gives the sessions in the range (the capture rate's denominator): raw SQL unless the caller has rollups. */
export async function getLeads(
  db: Queryable,
  source: ClientSource,
  q: MetricQuery,
  countsOf: () => Promise<Counts> = () => getCounts(db, source, q),
): Promise<LeadStats> {
  const leads = source.tables.Leads;
  if (!leads) return { available: false, reason: 'The client database has no "Leads" table' };
  const kind = leads.columns.get('createdAt');
  if (kind !== 'timestamp' && kind !== 'timestamptz') {
    return { available: false, reason: '"Leads" has no "createdAt" timestamp column' };
  }
  const [rows, counts] = await Promise.all([
    runQuery<LeadDayRow>(db, leadsSql(leads), boundValues(q)),
    countsOf(),
  ]);
  const byDate = new Map(rows.map((row) => [row.date, row.leads]));
  const total = rows.reduce((sum, row) => sum + row.leads, 0);
  const sumOf = (column: 'withEmail' | 'withPhone') =>
    leads.columns.has(column === 'withEmail' ? 'email' : 'phone') ? rows.reduce((s, r) => s + (r[column] ?? 0), 0) : null;
  return {
    available: true,
    total,
    sessions: counts.sessions,
    withEmail: sumOf('withEmail'),
    withPhone: sumOf('withPhone'),
    captureRate: rate(total, counts.sessions),
    days: q.range.days.map((date) => ({ date, leads: byDate.get(date) ?? 0 })),
  };
}
