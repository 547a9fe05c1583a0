import type { ClientDatabase } from '../config/clients.ts';
import { connectClient } from '../db/pool.ts';
import type { Queryable } from '../db/queryable.ts';
import { CLIENT_TABLES, type ClientTable } from './clientTables.ts';
import { describeSource, SourceUnavailableError, userEventsOf, type ClientSource } from './clientSource.ts';

export interface ConnectionReport {
  latencyMs: number;
  serverVersion: string;
  tables: Record<ClientTable, boolean>;
}

async function probe(db: Queryable, schema: string): Promise<{ report: ConnectionReport; source: ClientSource }> {
  const started = performance.now();
  const { rows } = await db.query<{ version: string }>(`SELECT current_setting('server_version') AS version`);
  const latencyMs = Math.round((performance.now() - started) * 100) / 100;
  const source = await describeSource(db, schema);
  const tables = Object.fromEntries(CLIENT_TABLES.map((t) => [t, source.tables[t] !== undefined])) as ConnectionReport['tables'];
  return { report: { latencyMs, serverVersion: rows[0]!.version, tables }, source };
}

/** Round-trip time of a trivial query, the server version, and which of the chatbot's tables exist. */
export async function testConnection(db: Queryable, schema: string): Promise<ConnectionReport> {
  return (await probe(db, schema)).report;
}

/** What "test connection" answers before a client is saved: usable (`ok`), or the problems in the way. */
export interface ConnectionCheck {
  ok: boolean;
  latencyMs: number | null;
  serverVersion: string | null;
  tables: Record<ClientTable, boolean>;
  /** `Table.column` → how each timestamp column is declared. */
  timestampTypes: Record<string, 'timestamp' | 'timestamptz'>;
  /** Fixed, safe sentences: never the URL, a host name or PostgreSQL's own message. */
  problems: string[];
}

/** Everything `testConnection` says, plus each timestamp column's type and whether `UserEvents` is usable. */
export async function checkConnection(db: Queryable, schema: string): Promise<ConnectionCheck> {
  const { report, source } = await probe(db, schema);
  const timestampTypes: ConnectionCheck['timestampTypes'] = {};
  for (const table of CLIENT_TABLES) {
    for (const [column, kind] of source.tables[table]?.columns ?? []) if (kind !== 'other') timestampTypes[`${table}.${column}`] = kind;
  }
  const problems: string[] = [];
  try {
    userEventsOf(source);
  } catch (error) {
    if (!(error instanceof SourceUnavailableError)) throw error;
    problems.push(`${error.message} (schema "${schema}")`);
  }
  return { ok: problems.length === 0, ...report, timestampTypes, problems };
}

const NO_TABLES = Object.fromEntries(CLIENT_TABLES.map((t) => [t, false])) as Record<ClientTable, boolean>;

/** A failed check: one fixed sentence, nothing else. */
export const failedCheck = (problem: string): ConnectionCheck => ({ ok: false, latencyMs: null, serverVersion: null, tables: { ...NO_TABLES }, timestampTypes: {}, problems: [problem] });

/** A fixed sentence for why a connection failed, from its code only (PostgreSQL's and Node's messages can carry host names). */
export function connectionFailure(error: unknown, connectTimeoutMs: number): string {
  const { code, message = '' } = error as { code?: string; message?: string };
  if (code === 'ECONNREFUSED') return 'Connection refused: nothing accepts connections at that host and port';
  if (code === 'ENOTFOUND' || code === 'EAI_AGAIN') return 'The host name does not resolve';
  if (code === 'EHOSTUNREACH' || code === 'ENETUNREACH') return 'The host cannot be reached from this server';
  if (message === 'Query read timeout' || code === '57014') return 'The database did not answer in time';
  if (code === 'ETIMEDOUT' || (!code && /timeout/i.test(message))) return `The server did not answer within ${connectTimeoutMs} ms`;
  if (code === '28P01' || code === '28000') return 'The server refused the user name or password';
  if (code === '3D000') return 'The database does not exist on that server';
  if (code === '42501') return "The user may not read the chatbot's tables";
  if (code?.startsWith('53')) return 'The server has no connection to spare';
  if (!code && /ssl|tls/i.test(message)) return 'The TLS (SSL) handshake failed, or the server does not offer TLS';
  return `The database could not be reached${code && /^[A-Z0-9_]{1,16}$/.test(code) ? ` (${code})` : ''}`;
}

/**
 * Tests a database URL on a connection of its own (before it is saved, nothing else has one): connects within
 * `connectTimeoutMs`, reads in one READ ONLY transaction under `statementTimeoutMs`, closes. Never throws for the
 * database's sake: an unreachable one is a failed check with a fixed sentence.
 */
export async function testDatabase(database: ClientDatabase, timeouts: { connectTimeoutMs: number; statementTimeoutMs: number }): Promise<ConnectionCheck> {
  let client: Awaited<ReturnType<typeof connectClient>> | null = null;
  try {
    client = await connectClient({
      connectionString: database.url,
      connectionTimeoutMillis: timeouts.connectTimeoutMs,
      query_timeout: timeouts.statementTimeoutMs + 1000,
      application_name: 'chatbot-analytics-test',
    });
    await client.query(`BEGIN READ ONLY; SET LOCAL statement_timeout = ${Math.trunc(timeouts.statementTimeoutMs)}`);
    const connection = client;
    return await checkConnection({ query: (text, values) => connection.query(text, values) }, database.schema);
  } catch (error) {
    return failedCheck(connectionFailure(error, timeouts.connectTimeoutMs));
  } finally {
    await client?.end().catch(() => {});
  }
}
