import type { Queryable } from '../db/queryable.ts';
import { getCounts } from './getCounts.ts';
import type { Counts } from './steps.ts';
import { isTimestamp, leadSourceColumn, LEAD_SOURCE_COLUMNS } from './optionalColumns.ts';
import { boundValues, runQuery, type MetricQuery } from './query.ts';
import { BOUND_PARAMS, counterCondition, DEFAULT_FUNNEL, inRange, instant, rate, type FunnelSql, type SqlParams } from './sql.ts';
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
  | {
      available: true; sourceColumn: string; total: number; sessions: number; requestedHuman: number | null; sources: LeadSourceRow[];
      /** The sources beyond the first `MAX_SOURCES` (free-text sources can be countless), folded into one figure. */
      otherSources: { sources: number; leads: number } | null;
    }
  | { available: false; reason: string };

/** Most leads first; the rest are summed. */
export const MAX_SOURCES = 100;

type SqlRow = { source: string; leads: number; requestedHuman: number | null; sourceCount: number; allLeads: number; allHuman: number | null };

/**
 * Leads by their own `createdAt` in the range, per trimmed source (NULL or blank → `(none)`), most leads first, and
 * how many of them belong to a session that reached `requestedHuman` (wherever that session's anchor falls).
 */
export function leadSourcesSql(source: ClientSource, leads: TableInfo, column: string, p: SqlParams = BOUND_PARAMS, funnel: FunnelSql = DEFAULT_FUNNEL): string {
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
  // Totals are taken over every source before the list is cut, so they never depend on where it was cut.
  const sql = `SELECT s.*, count(*) OVER () AS "sourceCount", sum(s."leads") OVER () AS "allLeads", sum(s."requestedHuman") OVER () AS "allHuman"
  FROM (${leadSourcesSql(source, leads, column, BOUND_PARAMS, q.funnel)}) AS s
 ORDER BY s."leads" DESC, s."source"
 LIMIT ${MAX_SOURCES}`;
  const [rows, counts] = await Promise.all([runQuery<SqlRow>(db, sql, boundValues(q)), countsOf()]);
  const total = rows[0]?.allLeads ?? 0;
  const shown = rows.reduce((sum, row) => sum + row.leads, 0);
  const withSession = leads.columns.has('sessionId');
  const sourceCount = rows[0]?.sourceCount ?? 0;
  return {
    available: true,
    sourceColumn: column,
    total,
    sessions: counts.sessions,
    requestedHuman: withSession ? (rows[0]?.allHuman ?? 0) : null,
    otherSources: sourceCount > rows.length ? { sources: sourceCount - rows.length, leads: total - shown } : null,
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
