import type pg from 'pg';
import { EMBEDDED_MAX_CONNECTIONS, startEmbeddedPostgres, type EmbeddedPostgres } from '../db/embedded/startEmbeddedPostgres.ts';
import { createPool } from '../db/pool.ts';
import { migratePlatform, migrationStatus, PlatformBehindError, type MigrationStatus } from './migrations.ts';

/**
 * The platform's own PostgreSQL: rollups, and what later modules keep (accounts, jobs, alert state). Production
 * names it with `PLATFORM_DB_URL`; without one an embedded PGlite of its own is started (in memory) — never the demo
 * clients' one: a refresh holds a platform transaction while it reads the client, and PGlite runs one at a time.
 */
export interface PlatformDatabase {
  pool: pg.Pool;
  /** No `PLATFORM_DB_URL`: an embedded PGlite, emptied at every start. */
  embedded: boolean;
  status: MigrationStatus;
  close(): Promise<void>;
}

export interface PlatformOptions {
  /** `PLATFORM_DB_URL`, or null for the embedded one. A secret: never logged. */
  url: string | null;
  /** Apply pending migrations (default); otherwise refuse to open a database that is behind. */
  migrate: boolean;
  /** How long to keep trying an unreachable database at start-up (a database starting beside us). */
  waitSeconds: number;
  poolMax?: number;
  log?: { warn(details: object, message: string): void };
}

/** The platform database cannot be reached; the message names the variable, never the URL. */
export class PlatformUnreachableError extends Error {
  constructor(readonly code: string | undefined, seconds: number) {
    super(`The platform database (PLATFORM_DB_URL) is unreachable${code ? ` (${code})` : ''}${seconds > 0 ? ` after ${seconds} s` : ''}`);
    this.name = 'PlatformUnreachableError';
  }
}

export async function openPlatformDatabase(options: PlatformOptions): Promise<PlatformDatabase> {
  let embedded: EmbeddedPostgres | null = null;
  if (options.url === null) embedded = await startEmbeddedPostgres();
  const max = Math.min(options.poolMax ?? 5, embedded ? EMBEDDED_MAX_CONNECTIONS : Infinity);
  const pool = createPool({ connectionString: embedded?.url ?? options.url!, max, application_name: 'chatbot-analytics-platform' });
  const close = async () => {
    await pool.end();
    await embedded?.stop();
  };
  try {
    await waitUntilReachable(pool, embedded ? 0 : options.waitSeconds, options.log);
    const status = options.migrate || embedded ? await migratePlatform(pool) : await migrationStatus(pool);
    if (status.current < status.latest) throw new PlatformBehindError(status);
    return { pool, embedded: embedded !== null, status: { current: status.current, latest: status.latest }, close };
  } catch (error) {
    await close();
    throw error;
  }
}

const CONNECTION_CODES = /^(08|28|3D|57P)|^E[A-Z]+$/;

async function waitUntilReachable(pool: pg.Pool, waitSeconds: number, log: PlatformOptions['log']): Promise<void> {
  const deadline = Date.now() + waitSeconds * 1000;
  for (let attempt = 1; ; attempt++) {
    try {
      await pool.query('SELECT 1');
      return;
    } catch (error) {
      const code = (error as { code?: string }).code;
      const connectionProblem = code === undefined || CONNECTION_CODES.test(code);
      if (!connectionProblem) throw error;
      if (Date.now() >= deadline) throw new PlatformUnreachableError(code, waitSeconds);
      if (attempt === 1) log?.warn({ code }, `platform database not reachable yet; retrying for up to ${waitSeconds} s`);
      await new Promise((resolve) => setTimeout(resolve, 1000));
    }
  }
}
