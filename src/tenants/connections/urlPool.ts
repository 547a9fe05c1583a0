import type pg from 'pg';
import { connectClient } from '../../db/pool.ts';

export interface Connection {
  client: pg.Client;
  pool: UrlPool;
  /** Failed in a way that leaves it unusable (or the server dropped it): closed on release. */
  broken: boolean;
  closed?: boolean;
  idleSince: number;
  idleTimer?: NodeJS.Timeout;
}

export interface UrlPoolSettings {
  connectTimeoutMs: number;
  idleTimeoutMs: number;
  applicationName: string;
}

/**
 * The connections to one database URL (one database, one user). Clients whose URLs are equal share them; what may be
 * opened at all is decided by the server's budget, which calls `open` and `close` and counts.
 */
export class UrlPool {
  readonly idle: Connection[] = [];
  /** Open or opening, idle or lent. */
  size = 0;
  closed = false;

  constructor(
    readonly url: string,
    private readonly settings: UrlPoolSettings,
    /** An idle connection closed itself (timeout or server error): its place is free once `ended` settles. */
    private readonly onIdleClosed: (ended: Promise<void>) => void,
  ) {}

  async open(): Promise<Connection> {
    this.size++;
    let conn: Connection | undefined;
    try {
      const client = await connectClient({
        connectionString: this.url,
        connectionTimeoutMillis: this.settings.connectTimeoutMs,
        application_name: this.settings.applicationName,
      }, () => {
        // The server dropped it (restart, terminate, pooler recycling): unusable from now on.
        if (!conn) return;
        conn.broken = true;
        if (this.idle.includes(conn)) this.dropIdle(conn);
      });
      conn = { client, pool: this, broken: false, idleSince: 0 };
      client.once('end', () => {
        if (!conn) return;
        conn.broken = true;
        if (this.idle.includes(conn)) this.dropIdle(conn);
      });
      return conn;
    } catch (error) {
      this.size--;
      throw error;
    }
  }

  takeIdle(): Connection | undefined {
    const conn = this.idle.pop(); // the most recently used: the others time out sooner
    if (conn) clearTimeout(conn.idleTimer);
    return conn;
  }

  putIdle(conn: Connection): void {
    conn.idleSince = Date.now();
    conn.idleTimer = setTimeout(() => this.dropIdle(conn), this.settings.idleTimeoutMs);
    conn.idleTimer.unref();
    this.idle.push(conn);
  }

  /**
   * Closes a connection this pool made (idle or just returned); null if it was closed already. The promise settles
   * once the socket is closed: the server drops its backend from `pg_stat_activity` before it closes the socket, so
   * from then on the server no longer counts it. A server that never answers the goodbye (gone silent) frees it
   * after the connect timeout, so a lost server cannot keep places forever.
   */
  close(conn: Connection): Promise<void> | null {
    if (conn.closed) return null;
    conn.closed = true;
    clearTimeout(conn.idleTimer);
    const at = this.idle.indexOf(conn);
    if (at >= 0) this.idle.splice(at, 1);
    this.size--;
    conn.broken = true;
    let timer: NodeJS.Timeout | undefined;
    const silent = new Promise<void>((resolve) => {
      timer = setTimeout(resolve, this.settings.connectTimeoutMs);
      timer.unref();
    });
    return Promise.race([conn.client.end().catch(() => {}), silent]).finally(() => clearTimeout(timer));
  }

  private dropIdle(conn: Connection): void {
    if (!this.idle.includes(conn)) return;
    const ended = this.close(conn);
    if (ended) this.onIdleClosed(ended);
  }
}
