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
 * - a connection being closed keeps its place until its socket is closed: the server still counts it until then, so
 *   opening its successor earlier would briefly hold one more than the budget;
 * - otherwise it waits, at most `acquireTimeoutMs`, then gets DATABASE_BUSY;
 * - a freed place goes to the next waiting client in turn (round robin), never to whoever asked most often, and no
 *   client holds more than its gate's `max` — one client's burst queues behind itself.
 */
export class ServerBudget {
  /** Connections opening, open or closing: every one the server may count. */
  private open = 0;
  /** Of `open`, those closing: places that free themselves soon. */
  private closing = 0;
  private emptied: (() => void)[] = [];
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
      this.makeRoom();
    });
  }

  /** Gives a connection back: to the next client in turn if one waits, else to its pool's idle list. */
  release(gate: ClientGate, conn: Connection): void {
    gate.active--;
    if (conn.broken || conn.pool.closed) {
      this.close(conn);
      return;
    }
    const next = this.nextWaiter();
    if (!next) {
      conn.pool.putIdle(conn);
      return;
    }
    if (next.pool === conn.pool) {
      this.unqueue(next);
      next.gate.active++;
      next.resolve(conn);
      return;
    }
    this.close(conn); // another database on this server waits: its place, once free, goes to whoever's turn it is
  }

  /** An idle connection closed by itself: its place is free once it has `ended`. */
  idleClosed(ended: Promise<void>): void {
    this.closed(ended);
  }

  /**
   * Resolves once this budget holds no connection at all (after its pools are closed), or after `withinMs`: lent
   * connections close when they come back, closing ones when their sockets are closed.
   */
  empty(withinMs: number): Promise<void> {
    if (this.open === 0) return Promise.resolve();
    return new Promise((resolve) => {
      const timer = setTimeout(resolve, withinMs);
      timer.unref();
      this.emptied.push(() => {
        clearTimeout(timer);
        resolve();
      });
    });
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
    if (this.open >= this.capacity) return null;
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
      this.settled();
      throw classifyDatabaseError(error);
    }
  }

  /** Closes idle connections of other URLs while waiters could use their places and not enough are closing yet. */
  private makeRoom(): void {
    while (this.open >= this.capacity && this.closing < this.servable()) {
      const victim = this.oldestIdle();
      if (!victim) return;
      this.close(victim);
    }
  }

  /** How many waiters could be served now if places were free: each client up to its gate's `max`. */
  private servable(): number {
    let n = 0;
    for (const gate of this.ring) n += Math.min(gate.waiters.length, Math.max(0, gate.max - gate.active));
    return n;
  }

  /** A place was given back: serve who waits, and tell `empty` callers when none is held. */
  private settled(): void {
    this.dispatch();
    if (this.open > 0) return;
    for (const resolve of this.emptied.splice(0)) resolve();
  }

  /** Serves waiters while places or idle connections allow. */
  private dispatch(): void {
    for (;;) {
      const next = this.nextWaiter();
      if (!next) return;
      const taken = this.tryTake(next.gate, next.pool);
      if (!taken) {
        this.makeRoom();
        return;
      }
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
    const ended = conn.pool.close(conn);
    if (ended) this.closed(ended);
  }

  /** A connection is closing: it holds its place until `ended`. */
  private closed(ended: Promise<void>): void {
    this.closing++;
    void ended.then(() => {
      this.closing--;
      this.open--;
      this.settled();
    });
  }
}
