import type pg from 'pg';
import type { QueryResultRow } from 'pg';
import type { ClientDatabase } from '../config/clients.ts';
import type { DbSettings } from '../config/loadConfig.ts';
import type { Queryable } from '../db/queryable.ts';
import type { ConnectionSource } from '../db/transaction.ts';
import { databaseMoved, type ClientLookup, type RegistryChange } from './clientRegistry.ts';
import { describeSource, type ClientSource } from './clientSource.ts';
import { breaksConnection, classifyDatabaseError, DatabaseBusyError, DatabaseNotConfiguredError } from './connections/databaseErrors.ts';
import { ClientGate, ServerBudget, type BudgetStats } from './connections/serverBudget.ts';
import { serverOf } from './connections/serverOf.ts';
import { UrlPool, type Connection } from './connections/urlPool.ts';

/** How long a client's table layout is trusted before it is read again (tables may be created later). */
const SOURCE_TTL_MS = 60_000;
/** How long closing waits for connections to come back and close. */
const CLOSE_WAIT_MS = 2000;

interface Log {
  warn(details: object, message: string): void;
}

/**
 * A client's database as the platform uses it. `query` runs one statement in its own short READ ONLY transaction
 * with `SET LOCAL statement_timeout`, so nothing depends on session state and it works the same behind PgBouncer in
 * transaction mode; `connect` lends a connection for a transaction of the caller's own (set its timeout inside).
 */
export interface ClientDb extends Queryable, ConnectionSource {
  readonly clientId: string;
  readonly schema: string;
  /**
   * The rows of `text`, `batchSize` at a time, through a cursor in one READ ONLY transaction: an export of any size
   * holds one batch in memory. Each batch is one statement under the statement timeout; stopping early closes it.
   */
  stream<R extends QueryResultRow>(text: string, values: unknown[], batchSize: number): AsyncGenerator<R[]>;
}

interface Tenant {
  database: ClientDatabase;
  gate: ClientGate;
  budget: ServerBudget;
  pool: UrlPool;
}

/**
 * The connections of every client, under one budget per PostgreSQL server (`DB_MAX_CONNECTIONS_PER_SERVER`), kept in
 * line with the registry: a new client's pool opens on first use, a changed URL gets a new pool (requests in flight
 * finish on the old one), a removed client's connections are closed.
 */
export class ClientDatabases {
  private readonly tenants = new Map<string, Tenant>();
  private readonly budgets = new Map<string, ServerBudget>();
  private readonly pools = new Map<string, { pool: UrlPool; users: Set<string> }>();
  private readonly sources = new Map<string, { at: number; source: Promise<ClientSource> }>();
  private readonly unsubscribe: () => void;

  constructor(
    private readonly registry: ClientLookup,
    private readonly settings: DbSettings,
    private readonly log: Log,
  ) {
    this.unsubscribe = registry.subscribe((change) => this.follow(change));
  }

  database(clientId: string): ClientDatabase {
    const client = this.registry.get(clientId);
    if (!client?.database) throw new DatabaseNotConfiguredError(clientId, client?.databaseProblem);
    return client.database;
  }

  /** The client's database, bound to the pool it uses now. */
  forClient(clientId: string): ClientDb {
    const tenant = this.tenant(clientId);
    const connect = () => this.lend(tenant);
    const statementTimeoutMs = this.settings.statementTimeoutMs;
    return {
      clientId,
      schema: tenant.database.schema,
      connect,
      async *stream<R extends QueryResultRow>(text: string, values: unknown[], batchSize: number) {
        const tx = await connect();
        let reusable = false;
        try {
          await tx.query(`BEGIN READ ONLY; SET LOCAL statement_timeout = ${Math.trunc(statementTimeoutMs)}`);
          await tx.query({ text: `DECLARE export_rows NO SCROLL CURSOR FOR ${text}`, values });
          for (;;) {
            const { rows } = await tx.query<R>(`FETCH FORWARD ${Math.trunc(batchSize)} FROM export_rows`);
            if (rows.length > 0) yield rows;
            if (rows.length < batchSize) break;
          }
          await tx.query('COMMIT');
          reusable = true;
        } catch (error) {
          throw classifyDatabaseError(error);
        } finally {
          // Stopped early (the caller went away) or failed: end the transaction before the connection is reused.
          if (!reusable) reusable = await tx.query('ROLLBACK').then(() => true, () => false);
          tx.release(!reusable);
        }
      },
      async query<R extends QueryResultRow>(text: string, values?: unknown[]) {
        const tx = await connect();
        let result: pg.QueryResult<R>;
        try {
          await tx.query(`BEGIN READ ONLY; SET LOCAL statement_timeout = ${Math.trunc(statementTimeoutMs)}`);
          // The client-side bound also holds for servers that ignore statement_timeout (the embedded one).
          result = await tx.query<R>({ text, values, query_timeout: statementTimeoutMs + 1000 } as pg.QueryConfig);
        } catch (error) {
          let reusable = !breaksConnection(error);
          if (reusable) await tx.query('ROLLBACK').catch(() => (reusable = false));
          tx.release(!reusable);
          throw classifyDatabaseError(error);
        }
        // The rows are final (READ ONLY): answer now and end the transaction on the way, saving the answer one round
        // trip. The connection stays lent (and counted against the budget) until COMMIT is through.
        tx.query('COMMIT').then(() => tx.release(), () => tx.release(true));
        return result;
      },
    };
  }

  /** The client's tables and columns, cached briefly; a failed look-up is not cached. */
  source(clientId: string): Promise<ClientSource> {
    const cached = this.sources.get(clientId);
    if (cached && Date.now() - cached.at < SOURCE_TTL_MS) return cached.source;
    const db = this.forClient(clientId);
    const origin = originOf(this.database(clientId).url);
    const source = describeSource(db, db.schema).then((described) => ({ ...described, origin }));
    this.sources.set(clientId, { at: Date.now(), source });
    source.catch(() => this.sources.delete(clientId));
    return source;
  }

  /** Drops the cached table layout, e.g. after a query found a table or column gone. */
  forget(clientId: string): void {
    this.sources.delete(clientId);
  }

  stats(): BudgetStats[] {
    return [...this.budgets.values()].map((budget) => budget.stats());
  }

  /**
   * Closes every pool and waits until the servers no longer count our connections: closing ones until their sockets
   * close, lent ones (a COMMIT on its way) for a moment. A statement still running then is left to the exit.
   */
  async close(): Promise<void> {
    this.unsubscribe();
    for (const [clientId] of this.tenants) this.retire(clientId);
    await Promise.all([...this.budgets.values()].map((budget) => budget.empty(CLOSE_WAIT_MS)));
  }

  private tenant(clientId: string): Tenant {
    const database = this.database(clientId);
    const existing = this.tenants.get(clientId);
    if (existing && existing.database.url === database.url) return existing;
    if (existing) this.retire(clientId);
    const server = serverOf(database.url);
    let budget = this.budgets.get(server);
    if (!budget) {
      const capacity = Math.min(this.settings.maxConnectionsPerServer, this.settings.serverCapacities?.get(server) ?? Infinity);
      budget = new ServerBudget(server, capacity, this.settings.acquireTimeoutMs);
      this.budgets.set(server, budget);
    }
    let shared = this.pools.get(database.url);
    if (!shared) {
      const owner = budget;
      const pool = new UrlPool(database.url, {
        connectTimeoutMs: this.settings.connectTimeoutMs,
        idleTimeoutMs: this.settings.idleTimeoutMs,
        applicationName: 'chatbot-analytics',
      }, (ended) => owner.idleClosed(ended));
      budget.addPool(pool);
      shared = { pool, users: new Set() };
      this.pools.set(database.url, shared);
    }
    shared.users.add(clientId);
    const tenant: Tenant = { database, gate: new ClientGate(clientId, this.settings.poolMax), budget, pool: shared.pool };
    this.tenants.set(clientId, tenant);
    return tenant;
  }

  private async lend(tenant: Tenant): Promise<pg.PoolClient> {
    const conn: Connection = await tenant.budget.acquire(tenant.gate, tenant.pool);
    const lease = conn.client as pg.PoolClient;
    let released = false;
    lease.release = (destroy?: boolean | Error) => {
      if (released) return;
      released = true;
      if (destroy) conn.broken = true;
      tenant.budget.release(tenant.gate, conn);
    };
    return lease;
  }

  private follow(change: RegistryChange): void {
    for (const client of change.removed) this.retire(client.id, new DatabaseNotConfiguredError(client.id));
    for (const { before, after } of change.changed) if (databaseMoved(before, after)) this.retire(after.id, new DatabaseBusyError('queue'));
  }

  /** Forgets a client's pool: waiting requests get `refusal`, lent connections close when they come back. */
  private retire(clientId: string, refusal: Error = new DatabaseNotConfiguredError(clientId)): void {
    this.sources.delete(clientId);
    const tenant = this.tenants.get(clientId);
    if (!tenant) return;
    this.tenants.delete(clientId);
    tenant.budget.dropWaiters(tenant.gate, refusal);
    const shared = this.pools.get(tenant.database.url);
    shared?.users.delete(clientId);
    if (shared && shared.users.size === 0) {
      this.pools.delete(tenant.database.url);
      tenant.budget.closePool(shared.pool);
    }
  }
}

/** Server, port and database name: enough to tell two databases apart, and no credential in it. */
export function originOf(url: string): string {
  return `${serverOf(url)}/${decodeURIComponent(new URL(url).pathname.slice(1))}`;
}
