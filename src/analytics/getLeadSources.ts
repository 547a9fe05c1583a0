import type { Queryable } from '../db/queryable.ts';
import { getCounts } from './getCounts.ts';
import type { Counts } from './steps.ts';
import { isTimestamp, leadSourceColumn, LEAD_SOURCE_COLUMNS } from './optionalColumns.ts';
import { boundValues, runQuery, type MetricQuery } from './query.ts';
import { BOUND_PARAMS, counterCondition, DEFAULT_FUNNEL, inRange, instant, rate, type FunnelOptions, type SqlParams } from './sql.ts';
import { userEventsOf, type ClientSource, type TableInfo } from '../tenants/clientSource.ts';

/** A NULL or blank source. */
export const NO_SOURCE = '(none)';

export interface LeadSourceRow {
  source: string;
  leads: number;
  /** Of all leads in the range. */
  share: number | null;
  /** Leads from this source per session in the range. */
  captureRate: number | null;
  /** Leads whose session reached `requestedHuman`; null when `Leads` has no `sessionId`. */
  requestedHuman: number | null;
  requestedHumanShare: number | null;
}

export type LeadSourceStats =
  | { available: true; sourceColumn: string; total: number; sessions: number; requestedHuman: number | null; sources: LeadSourceRow[] }
  | { available: false; reason: string };

type SqlRow = { source: string; leads: number; requestedHuman: number | null };

/**
 * Leads by their own `createdAt` in the range, per trimmed source (NULL or blank → `(none)`), most leads first, and
 * how many of them belong to a session that reached `requestedHuman` (wherever that session's anchor falls).
 */
export function leadSourcesSql(source: ClientSource, leads: TableInfo, column: string, p: SqlParams = BOUND_PARAMS, funnel: FunnelOptions = DEFAULT_FUNNEL): string {
  const userEvents = userEventsOf(source);
  const human = leads.columns.has('sessionId')
    ? `count(*) FILTER (WHERE EXISTS (SELECT 1 FROM ${userEvents.ref} u
                                    WHERE u."sessionId" = l."sessionId" AND ${counterCondition(userEvents, 'requestedHuman', funnel, p)}))`
    : 'NULL::int';
  // Unqualified columns resolve to the innermost table: `createdAt` here is the lead's, in the subquery the session's.
  const created = instant(leads, 'createdAt');
  return `SELECT COALESCE(NULLIF(btrim(l."${column}"::text), ''), '${NO_SOURCE}') AS "source",
       count(*) AS "leads",
       ${human} AS "requestedHuman"
  FROM ${leads.ref} l
 WHERE ${inRange(created, p)}
 GROUP BY 1
 ORDER BY 2 DESC, 1`;
}

/** `countsOf` gives the sessions in the range (the capture rate's denominator): raw SQL unless the caller has rollups. */
export async function getLeadSources(
  db: Queryable,
  source: ClientSource,
  q: MetricQuery,
  countsOf: () => Promise<Counts> = () => getCounts(db, source, q),
): Promise<LeadSourceStats> {
  const leads = source.tables.Leads;
  if (!leads) return { available: false, reason: 'The client database has no "Leads" table' };
  if (!isTimestamp(leads, 'createdAt')) return { available: false, reason: '"Leads" has no "createdAt" timestamp column' };
  const column = leadSourceColumn(leads);
  if (!column) return { available: false, reason: `"Leads" has no source column (${LEAD_SOURCE_COLUMNS.join(', ')})` };
  const [rows, counts] = await Promise.all([
    runQuery<SqlRow>(db, leadSourcesSql(source, leads, column, BOUND_PARAMS, q.funnel), boundValues(q)),
    countsOf(),
  ]);
  const total = rows.reduce((sum, row) => sum + row.leads, 0);
  const withSession = leads.columns.has('sessionId');
  return {
    available: true,
    sourceColumn: column,
    total,
    sessions: counts.sessions,
    requestedHuman: withSession ? rows.reduce((sum, row) => sum + (row.requestedHuman ?? 0), 0) : null,
    sources: rows.map((row) => ({
      source: row.source,
      leads: row.leads,
      share: rate(row.leads, total),
      captureRate: rate(row.leads, counts.sessions),
      requestedHuman: row.requestedHuman,
      requestedHumanShare: row.requestedHuman === null ? null : rate(row.requestedHuman, row.leads),
    })),
  };
}
