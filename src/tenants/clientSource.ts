import type { Queryable } from '../db/queryable.ts';
import { CLIENT_LAYOUT, CLIENT_TABLES, type ClientTable } from './clientTables.ts';
import { tableRef } from '../db/identifiers.ts';

export type ColumnKind = 'timestamp' | 'timestamptz' | 'other';

export interface TableInfo {
  /** Quoted, schema-qualified name for SQL. */
  ref: string;
  columns: Map<string, ColumnKind>;
}

/** What a client's database holds: analytics adapts to it instead of failing on a missing table or column. */
export interface ClientSource {
  schema: string;
  /** Which database this is (server, database name; never credentials), when known: rollups built from another one never answer. */
  origin?: string;
  tables: Partial<Record<ClientTable, TableInfo>>;
}

interface ColumnRow {
  table_name: ClientTable;
  column_name: string;
  data_type: string;
}

const KIND: Record<string, ColumnKind> = {
  'timestamp without time zone': 'timestamp',
  'timestamp with time zone': 'timestamptz',
};

export async function describeSource(db: Queryable, schema: string): Promise<ClientSource> {
  const { rows } = await db.query<ColumnRow>(
    `SELECT table_name, column_name, data_type
       FROM information_schema.columns
      WHERE table_schema = $1 AND table_name = ANY($2::text[])`,
    [schema, CLIENT_TABLES],
  );
  const tables: ClientSource['tables'] = {};
  for (const row of rows) {
    const table = (tables[row.table_name] ??= { ref: tableRef(schema, row.table_name), columns: new Map() });
    table.columns.set(row.column_name, KIND[row.data_type] ?? 'other');
  }
  return { schema, tables };
}

export const REQUIRED_USER_EVENTS_COLUMNS = [
  'sessionId', 'pageLoaded', 'widgetOpened', 'requestedHuman',
  'pressedAccept', 'pressedCallback', 'pressedContinue', 'createdAt',
] as const;

/** Thrown when the client's database lacks something a metric cannot do without. */
export class SourceUnavailableError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'SourceUnavailableError';
  }
}

/** The UserEvents table, or a clear error naming what is missing. */
export function userEventsOf(source: ClientSource): TableInfo {
  const table = source.tables.UserEvents;
  if (!table) throw new SourceUnavailableError('The client database has no "UserEvents" table');
  const missing = REQUIRED_USER_EVENTS_COLUMNS.filter((column) => !table.columns.has(column));
  if (missing.length > 0) {
    throw new SourceUnavailableError(`"UserEvents" lacks column(s): ${missing.join(', ')}`);
  }
  return table;
}

/**
 * The layout the chatbot's Prisma schema creates, for consumers that cannot ask the database (generated Grafana
 * dashboards). `timestampType` says how its timestamp columns are declared.
 */
export function layoutSource(schema: string, timestampType: 'timestamp' | 'timestamptz'): ClientSource {
  const tables: ClientSource['tables'] = {};
  for (const table of CLIENT_TABLES) {
    const columns = new Map<string, ColumnKind>(
      CLIENT_LAYOUT[table].map((c) => [c.name, c.type === 'TEXT' ? 'other' : timestampType]),
    );
    tables[table] = { ref: tableRef(schema, table), columns };
  }
  return { schema, tables };
}
