import type pg from 'pg';
import type { ClientDatabases } from '../tenants/clientDatabases.ts';
import { refreshRollups, type RefreshOptions, type RefreshReport } from './refreshRollups.ts';

interface Log {
  info(details: object, message: string): void;
  warn(details: object, message: string): void;
}

export interface RollupRefresher {
  /** Refreshes every client once now (one after another); failures are logged, not thrown. */
  refreshAll(): Promise<RefreshReport[]>;
  /** Refreshes one client now (a job's work); null when it failed (logged) or the client is unknown. */
  refreshClient(clientId: string): Promise<RefreshReport | null>;
  /** Stops the timer, waits for a pass in progress, closes the refresher's connections. */
  stop(): Promise<void>;
}

/** A full build's cursor batch or a year-wide recompute may run long; each is one statement. */
const DEFAULT_STATEMENT_TIMEOUT_MS = 300_000;

export interface RefresherOptions {
  /** The clients to keep current, asked at every pass (the registry changes at runtime). */
  clientIds: () => readonly string[];
  /** Where each client's database is (`database(id)`) and its table layout (`source(id)`). */
  databases: ClientDatabases;
  platform: pg.Pool;
  /** Milliseconds between passes; 0: no timer, only `refreshAll()`. */
  intervalMs: number;
  log: Log;
  /** Longest single statement of a refresh (default 5 minutes); each cursor batch is one statement. */
  statementTimeoutMs?: number;
  refresh?: Omit<RefreshOptions, 'onProgress' | 'rebuild'>;
}

/**
 * Keeps every client's rollup current: a pass over the clients at start and then every `intervalMs`, never two passes
 * at once in this process (and the advisory lock keeps other replicas off a client being refreshed). It borrows one of
 * the client's connections under the same budget as the API (so a refresh never pushes the server past it), with a
 * statement timeout of its own set inside its transaction.
 * A client whose database is down is logged and tried again next time; it never stops the others.
 */
export function startRollupRefresher(opts: RefresherOptions): RollupRefresher {
  let running: Promise<RefreshReport[]> | null = null;
  let stopped = false;

  const refreshOne = async (clientId: string): Promise<RefreshReport | null> => {
    try {
      const source = await opts.databases.source(clientId);
      let logged = 0;
      const report = await refreshRollups(opts.databases.forClient(clientId), opts.platform, clientId, source, {
        statementTimeoutMs: opts.statementTimeoutMs ?? DEFAULT_STATEMENT_TIMEOUT_MS,
        ...opts.refresh,
        onProgress: ({ mode, rowsRead, estimate }) => {
          if (mode !== 'full' || rowsRead - logged < 500_000) return; // progress only for builds worth watching
          logged = rowsRead;
          opts.log.info({ clientId, rowsRead, estimate }, 'building rollups');
        },
      });
      if (report.mode === 'full' || report.bucketsTouched > 0) opts.log.info({ ...report }, 'rollups refreshed');
      return report;
    } catch (error) {
      // The message, never the error object: pg errors can carry connection details.
      opts.log.warn({ clientId, code: (error as { code?: string }).code }, `rollup refresh failed: ${(error as Error).message}`);
      return null;
    }
  };

  const refreshAll = () => {
    running ??= (async () => {
      const reports: RefreshReport[] = [];
      for (const clientId of opts.clientIds()) {
        if (stopped) break;
        const report = await refreshOne(clientId);
        if (report) reports.push(report);
      }
      return reports;
    })().finally(() => (running = null));
    return running;
  };

  const timer = opts.intervalMs > 0 ? setInterval(() => void refreshAll(), opts.intervalMs) : null;
  timer?.unref();
  if (opts.intervalMs > 0) void refreshAll();

  return {
    refreshAll,
    refreshClient: (clientId) => (stopped ? Promise.resolve(null) : refreshOne(clientId)),
    async stop() {
      stopped = true;
      if (timer) clearInterval(timer);
      await running;
    },
  };
}
