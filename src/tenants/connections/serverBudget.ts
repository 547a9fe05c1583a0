import { classifyDatabaseError, DatabaseBusyError } from './databaseErrors.ts';
import type { Connection, UrlPool } from './urlPool.ts';

/** One client's share of its server: how many connections it holds now, at most, and who of it is waiting. */
export class ClientGate {
  active = 0;
  readonly waiters: Waiter[] = [];
  constructor(readonly clientId: string, readonly max: number) {}
}

interface Waiter {
  gate: ClientGate;
  pool: UrlPool;
  resolve: (conn: Connection) => void;
  reject: (error: unknown) => void;
  timer: NodeJS.Timeout;
}

export interface BudgetStats {
  server: string;
  capacity: number;
  open: number;
  idle: number;
  inUse: number;
  waiting: number;
}

/**
 * The connections one platform process may hold to one PostgreSQL server (host and port), idle ones included, shared
 * by every client whose database lives there. `node-postgres` has no limit across pools, so this is it:
 * - a client takes an idle connection of its own URL, else opens one while the server has room, else closes another
 *   URL's idle connection to make room (idle pools give their places back as soon as someone waits);
 * - otherwise it waits, at most `acquireTimeoutMs`, then gets DATABASE_BUSY;
 * - a freed place goes to the next waiting client in turn (round robin), never to whoever asked most often, and no
 *   client holds more than its gate's `max` — one client's burst queues behind itself.
 */
export class ServerBudget {
  private open = 0;
  private readonly pools = new Set<UrlPool>();
  /** Clients with waiters, in turn order. */
  private ring: ClientGate[] = [];

  constructor(
    readonly server: string,
    readonly capacity: number,
    private readonly acquireTimeoutMs: number,
  ) {}

  addPool(pool: UrlPool): void {
    this.pools.add(pool);
  }

  acquire(gate: ClientGate, pool: UrlPool): Promise<Connection> {
    if (gate.waiters.length === 0) {
      const taken = this.tryTake(gate, pool);
      if (taken) return taken;
    }
    return new Promise((resolve, reject) => {
      const waiter: Waiter = {
        gate, pool, resolve, reject,
        timer: setTimeout(() => {
          this.unqueue(waiter);
          reject(new DatabaseBusyError('queue'));
        }, this.acquireTimeoutMs),
      };
      gate.waiters.push(waiter);
      if (!this.ring.includes(gate)) this.ring.push(gate);
    });
  }

  /** Gives a connection back: to the next client in turn if one waits, else to its pool's idle list. */
  release(gate: ClientGate, conn: Connection): void {
    gate.active--;
    if (conn.broken || conn.pool.closed) {
      this.close(conn);
      this.dispatch();
      return;
    }
    const next = this.nextWaiter();
    if (!next) {
      conn.pool.putIdle(conn);
      return;
    }
    this.unqueue(next);
    next.gate.active++;
    if (next.pool === conn.pool) {
      next.resolve(conn);
      return;
    }
    this.close(conn); // another database on this server: its place, not the connection, changes hands
    this.open++;
    this.openFor(next.gate, next.pool).then(next.resolve, next.reject);
  }

  /** An idle connection closed by itself: its place is free. */
  idleClosed(): void {
    this.open--;
    this.dispatch();
  }

  /** A client went away (or moved): its waiters get `refusal`; its pool closes separately. */
  dropWaiters(gate: ClientGate, refusal: Error): void {
    for (const waiter of [...gate.waiters]) {
      this.unqueue(waiter);
      waiter.reject(refusal);
    }
  }

  /** Closes a pool: idle connections now, lent ones when they come back. */
  closePool(pool: UrlPool): void {
    pool.closed = true;
    for (const conn of [...pool.idle]) this.close(conn);
    this.pools.delete(pool);
    this.dispatch();
  }

  stats(): BudgetStats {
    let idle = 0;
    for (const pool of this.pools) idle += pool.idle.length;
    const waiting = this.ring.reduce((n, gate) => n + gate.waiters.length, 0);
    return { server: this.server, capacity: this.capacity, open: this.open, idle, inUse: this.open - idle, waiting };
  }

  private tryTake(gate: ClientGate, pool: UrlPool): Promise<Connection> | null {
    if (gate.active >= gate.max) return null;
    const idle = pool.takeIdle();
    if (idle) {
      gate.active++;
      return Promise.resolve(idle);
    }
    if (this.open >= this.capacity) {
      const victim = this.oldestIdle();
      if (!victim) return null;
      this.close(victim);
    }
    this.open++;
    gate.active++;
    return this.openFor(gate, pool);
  }

  private async openFor(gate: ClientGate, pool: UrlPool): Promise<Connection> {
    try {
      return await pool.open();
    } catch (error) {
      this.open--;
      gate.active--;
      this.dispatch();
      throw classifyDatabaseError(error);
    }
  }

  /** Serves waiters while places or idle connections allow. */
  private dispatch(): void {
    for (;;) {
      const next = this.nextWaiter();
      if (!next) return;
      const taken = this.tryTake(next.gate, next.pool);
      if (!taken) return;
      this.unqueue(next);
      taken.then(next.resolve, next.reject);
    }
  }

  /** The first waiter of the first client in turn that may take one more connection (serving it ends its turn). */
  private nextWaiter(): Waiter | null {
    const gate = this.ring.find((g) => g.active < g.max && g.waiters.length > 0);
    return gate ? gate.waiters[0]! : null;
  }

  private unqueue(waiter: Waiter): void {
    clearTimeout(waiter.timer);
    const { gate } = waiter;
    const at = gate.waiters.indexOf(waiter);
    if (at >= 0) gate.waiters.splice(at, 1);
    if (gate.waiters.length === 0) this.ring = this.ring.filter((g) => g !== gate);
    else if (at === 0) this.ring = [...this.ring.filter((g) => g !== gate), gate]; // served: its turn is over
  }

  private oldestIdle(): Connection | null {
    let oldest: Connection | null = null;
    for (const pool of this.pools) for (const conn of pool.idle) if (!oldest || conn.idleSince < oldest.idleSince) oldest = conn;
    return oldest;
  }

  private close(conn: Connection): void {
    if (conn.pool.close(conn)) this.open--;
  }
}
