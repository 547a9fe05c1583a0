import type { Queryable } from '../db/queryable.ts';
import { quoteIdent, tableRef } from '../db/identifiers.ts';
import { anchor, instant } from './sql.ts';
import type { ClientSource, TableInfo } from '../tenants/clientSource.ts';
import type { ClientTable } from '../tenants/clientTables.ts';

/** An index the platform's queries need, as the exact statement to create it. */
export interface IndexAdvice {
  table: ClientTable;
  name: string;
  why: string;
  /** What is indexed: the same SQL expression the queries filter and sort on, so the planner can use it. */
  expression: string;
  create: string;
}

function advice(source: ClientSource, table: ClientTable, name: string, why: string, expression: string): IndexAdvice {
  return {
    table, name, why, expression,
    create: `CREATE INDEX CONCURRENTLY ${quoteIdent(name)} ON ${tableRef(source.schema, table)} (${expression});`,
  };
}

const has = (t: TableInfo | undefined, column: string) => t?.columns.has(column) ?? false;

/** What each query family needs, for the tables and columns this client has. */
export function recommendedIndexes(source: ClientSource): IndexAdvice[] {
  const { UserEvents: ue, Leads: leads, ChatLog: chat, AgentConnection: agent } = source.tables;
  const list: IndexAdvice[] = [];
  if (ue && has(ue, 'pageLoaded') && has(ue, 'createdAt')) {
    list.push(advice(source, 'UserEvents', 'UserEvents_anchor_idx', 'every range query filters on the anchor time', `(${anchor(ue)}), "sessionId"`));
  }
  if (ue && has(ue, 'updatedAt')) {
    list.push(advice(source, 'UserEvents', 'UserEvents_updatedAt_idx', 'rollups are refreshed from rows changed since the last run', '"updatedAt"'));
  }
  if (leads && has(leads, 'createdAt')) {
    list.push(advice(source, 'Leads', 'Leads_createdAt_idx', 'leads are counted by their own creation time', `(${instant(leads, 'createdAt')})`));
  }
  for (const [table, info] of [['Leads', leads], ['ChatLog', chat], ['AgentConnection', agent]] as const) {
    if (has(info, 'sessionId')) {
      list.push(advice(source, table, `${table}_sessionId_idx`, 'session detail and conversations join on the session', '"sessionId"'));
    }
  }
  if (agent && has(agent, 'requestedAt')) {
    list.push(advice(source, 'AgentConnection', 'AgentConnection_requestedAt_idx', 'agent figures are counted by request time', `(${instant(agent, 'requestedAt')})`));
  }
  return list;
}

/**
 * Whether an equivalent index exists. PostgreSQL rewrites expressions when it stores them, so the candidate is
 * built on an empty temporary copy of the table and the two definitions are compared in PostgreSQL's own words.
 */
/** `db` must be one connection (not a pool): the probe lives in a transaction. */
export async function existingIndex(db: Queryable, source: ClientSource, item: IndexAdvice): Promise<string | null> {
  const ref = tableRef(source.schema, item.table);
  await db.query('BEGIN');
  try {
    await db.query(`CREATE TEMP TABLE "doctor_probe" (LIKE ${ref}) ON COMMIT DROP`);
    await db.query(`CREATE INDEX "doctor_probe_idx" ON "doctor_probe" (${item.expression})`);
    const { rows } = await db.query<{ name: string }>(
      `WITH wanted AS (SELECT regexp_replace(pg_get_indexdef('doctor_probe_idx'::regclass), '^.* USING ', '') AS def)
       SELECT i.indexname AS name
         FROM pg_indexes i, wanted
        WHERE i.schemaname = $1 AND i.tablename = $2
          AND regexp_replace(i.indexdef, '^.* USING ', '') = wanted.def`,
      [source.schema, item.table],
    );
    return rows[0]?.name ?? null;
  } finally {
    await db.query('ROLLBACK');
  }
}

export interface TableStats {
  table: string;
  estimatedRows: number;
  deadRows: number;
  lastAnalyzed: string | null;
}

/** Planner statistics: a table never analysed gets bad plans whatever its indexes. */
export async function tableStats(db: Queryable, schema: string): Promise<TableStats[]> {
  const { rows } = await db.query<TableStats>(
    `SELECT s.relname AS "table", GREATEST(c.reltuples, 0)::bigint AS "estimatedRows", s.n_dead_tup AS "deadRows",
            to_char(GREATEST(s.last_analyze, s.last_autoanalyze) AT TIME ZONE 'UTC', 'YYYY-MM-DD HH24:MI"Z"') AS "lastAnalyzed"
       FROM pg_stat_user_tables s JOIN pg_class c ON c.oid = s.relid
      WHERE s.schemaname = $1 AND s.relname = ANY($2::text[])
      ORDER BY 1`,
    [schema, ['UserEvents', 'Leads', 'ChatLog', 'AgentConnection']],
  );
  return rows;
}
