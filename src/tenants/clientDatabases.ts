import pg from 'pg';
import type { ClientConfig, ClientDatabase } from './clientConfig.ts';
import type { DbSettings } from '../config/loadConfig.ts';
import { describeSource, type ClientSource } from './clientSource.ts';
import { pgTypes } from '../db/pgTypes.ts';

/** How long a client's table layout is trusted before it is read again (tables may be created later). */
const SOURCE_TTL_MS = 60_000;

export class DatabaseNotConfiguredError extends Error {
  constructor(clientId: string) {
    super(`No database is configured for client "${clientId}"`);
    this.name = 'DatabaseNotConfiguredError';
  }
}

interface Warn {
  warn(details: object, message: string): void;
}

/**
 * One bounded pool per database, created on first use, so a client whose database is down costs nothing until it
 * is asked for and never blocks another client's connections.
 */
export class ClientDatabases {
  private readonly pools = new Map<string, pg.Pool>();
  private readonly sources = new Map<string, { at: number; source: Promise<ClientSource> }>();

  constructor(
    private readonly databases: ReadonlyMap<string, ClientDatabase | null>,
    private readonly settings: DbSettings,
    private readonly log: Warn,
  ) {}

  static fromClients(clients: ClientConfig[], settings: DbSettings, log: Warn): ClientDatabases {
    return new ClientDatabases(new Map(clients.map((c) => [c.id, c.database])), settings, log);
  }

  database(clientId: string): ClientDatabase {
    const database = this.databases.get(clientId);
    if (!database) throw new DatabaseNotConfiguredError(clientId);
    return database;
  }

  pool(clientId: string): pg.Pool {
    const { url } = this.database(clientId);
    let pool = this.pools.get(url);
    if (!pool) {
      pool = new pg.Pool({
        connectionString: url,
        max: this.settings.poolMax,
        connectionTimeoutMillis: this.settings.connectTimeoutMs,
        idleTimeoutMillis: this.settings.idleTimeoutMs,
        statement_timeout: this.settings.statementTimeoutMs,
        // A server that ignores statement_timeout (the embedded one) is still bounded on our side.
        query_timeout: this.settings.statementTimeoutMs + 1000,
        application_name: 'chatbot-analytics',
        types: pgTypes,
      });
      // An idle connection dropped by the server must not crash the process; the URL is never logged.
      pool.on('error', (error: Error & { code?: string }) => {
        this.log.warn({ clientId, code: error.code }, 'idle database connection failed');
      });
      this.pools.set(url, pool);
    }
    return pool;
  }

  /** The client's tables and columns, cached briefly; a failed look-up is not cached. */
  source(clientId: string): Promise<ClientSource> {
    const cached = this.sources.get(clientId);
    if (cached && Date.now() - cached.at < SOURCE_TTL_MS) return cached.source;
    const source = describeSource(this.pool(clientId), this.database(clientId).schema);
    this.sources.set(clientId, { at: Date.now(), source });
    source.catch(() => this.sources.delete(clientId));
    return source;
  }

  /** Drops the cached table layout, e.g. after a query found a table or column gone. */
  forget(clientId: string): void {
    this.sources.delete(clientId);
  }

  async close(): Promise<void> {
    const pools = [...this.pools.values()];
    this.pools.clear();
    await Promise.allSettled(pools.map((pool) => pool.end()));
  }
}
