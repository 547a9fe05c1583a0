import type { Queryable } from '../db/queryable.ts';
import { CLIENT_TABLES, type ClientTable } from './clientTables.ts';
import { describeSource } from './clientSource.ts';

export interface ConnectionReport {
  latencyMs: number;
  serverVersion: string;
  tables: Record<ClientTable, boolean>;
}

/** Round-trip time of a trivial query, the server version, and which of the chatbot's tables exist. */
export async function testConnection(db: Queryable, schema: string): Promise<ConnectionReport> {
  const started = performance.now();
  const { rows } = await db.query<{ version: string }>(`SELECT current_setting('server_version') AS version`);
  const latencyMs = Math.round((performance.now() - started) * 100) / 100;
  const source = await describeSource(db, schema);
  const tables = Object.fromEntries(CLIENT_TABLES.map((t) => [t, source.tables[t] !== undefined])) as ConnectionReport['tables'];
  return { latencyMs, serverVersion: rows[0]!.version, tables };
}
