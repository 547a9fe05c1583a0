import pg from 'pg';
import { EMBEDDED_MAX_CONNECTIONS, startEmbeddedPostgres, type EmbeddedPostgres } from '../db/embedded/startEmbeddedPostgres.ts';
import { migrateRollups } from '../rollups/schema.ts';
import { createPool } from '../db/pool.ts';

export interface PlatformDatabase {
  pool: pg.Pool;
  /** True when no `PLATFORM_DB_URL` was given and an embedded PGlite holds the rollups (in memory). */
  embedded: boolean;
  close(): Promise<void>;
}

/**
 * The platform-owned PostgreSQL, migrated. Without a URL it starts its own embedded PGlite — never the demo clients'
 * one: a refresh holds a platform transaction while it reads the client, and one PGlite runs one transaction at a time.
 */
export async function openPlatformDatabase(url: string | null, opts: { poolMax?: number } = {}): Promise<PlatformDatabase> {
  let embedded: EmbeddedPostgres | null = null;
  if (url === null) embedded = await startEmbeddedPostgres();
  const max = Math.min(opts.poolMax ?? 5, embedded ? EMBEDDED_MAX_CONNECTIONS : Infinity);
  const pool = createPool({ connectionString: embedded?.url ?? url!, max, application_name: 'chatbot-analytics-rollups' });
  try {
    await migrateRollups(pool);
  } catch (error) {
    await pool.end();
    await embedded?.stop();
    throw error;
  }
  return {
    pool,
    embedded: embedded !== null,
    async close() {
      await pool.end();
      await embedded?.stop();
    },
  };
}
