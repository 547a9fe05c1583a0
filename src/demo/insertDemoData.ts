import type { ClientTable } from '../tenants/clientTables.ts';
import { createClientTablesSql } from '../tenants/clientTables.ts';
import { quoteIdent, tableRef } from '../db/identifiers.ts';
import type { Queryable } from '../db/queryable.ts';
import type { DemoData } from './demoTypes.ts';

/** PostgreSQL allows 65,535 bound parameters per statement; staying well under keeps each message small too. */
export const MAX_PARAMS_PER_STATEMENT = 29_999;

export type InsertProgress = (table: ClientTable, done: number, total: number) => void;

/** Creates the client's schema and the chatbot's four tables when they are missing. */
export async function createClientTables(db: Queryable, schema: string): Promise<void> {
  await db.query(`CREATE SCHEMA IF NOT EXISTS ${quoteIdent(schema)}`);
  for (const statement of createClientTablesSql(schema)) await db.query(statement);
}

/**
 * `pg` would send a Date in the Node process's local zone. ISO text with `Z` is right for both column types an
 * existing table may have: `timestamptz` reads the instant, `timestamp` keeps the UTC wall-clock time (Prisma's way).
 */
function toParam(value: unknown): unknown {
  return value instanceof Date ? value.toISOString() : value;
}

/** Multi-row INSERTs with bound parameters only, in batches under the parameter limit. */
async function insertRows<Row extends object>(
  db: Queryable,
  schema: string,
  table: ClientTable,
  columns: readonly (keyof Row & string)[],
  rows: readonly Row[],
  onProgress?: InsertProgress,
): Promise<void> {
  const perBatch = Math.floor(MAX_PARAMS_PER_STATEMENT / columns.length);
  const head = `INSERT INTO ${tableRef(schema, table)} (${columns.map(quoteIdent).join(', ')}) VALUES `;
  for (let offset = 0; offset < rows.length; offset += perBatch) {
    const batch = rows.slice(offset, offset + perBatch);
    const values: unknown[] = [];
    const tuples = batch.map((row) => {
      const placeholders = columns.map((column) => {
        values.push(toParam(row[column]));
        return `$${values.length}`;
      });
      return `(${placeholders.join(', ')})`;
    });
    await db.query(head + tuples.join(', '), values);
    onProgress?.(table, offset + batch.length, rows.length);
  }
}

export async function insertDemoData(
  db: Queryable,
  schema: string,
  data: DemoData,
  onProgress?: InsertProgress,
): Promise<void> {
  const userEventColumns = [
    'sessionId',
    'pageLoaded',
    'widgetOpened',
    'requestedHuman',
    'pressedAccept',
    'pressedCallback',
    'pressedContinue',
    'createdAt',
    'updatedAt',
  ] as const;
  await insertRows(db, schema, 'UserEvents', userEventColumns, data.userEvents, onProgress);
  const leadColumns = ['id', 'sessionId', 'createdAt', 'name', 'email', 'phone', 'source'] as const;
  await insertRows(db, schema, 'Leads', leadColumns, data.leads, onProgress);
  const chatColumns = ['id', 'sessionId', 'createdAt', 'role', 'message'] as const;
  await insertRows(db, schema, 'ChatLog', chatColumns, data.chatLog, onProgress);
  const agentColumns = ['id', 'sessionId', 'requestedAt', 'connectedAt', 'endedAt', 'status'] as const;
  await insertRows(db, schema, 'AgentConnection', agentColumns, data.agentConnections, onProgress);
}

/** Row counts per table, for logs and summaries. */
export function demoRowCounts(data: DemoData): Record<ClientTable, number> {
  return {
    UserEvents: data.userEvents.length,
    Leads: data.leads.length,
    ChatLog: data.chatLog.length,
    AgentConnection: data.agentConnections.length,
  };
}
