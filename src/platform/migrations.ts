import { fileURLToPath } from 'node:url';
import Postgrator from 'postgrator';
import type pg from 'pg';
import { inTransaction, type ConnectionSource } from '../db/transaction.ts';

/**
 * Versioned SQL migrations of the platform database, run by postgrator. Each module keeps its own in
 * `src/<module>/migrations/NNN.do.<name>.sql`; versions are unique across modules (a test checks) and applied in
 * order. Everything runs in one transaction under an advisory lock: replicas starting together take turns, the
 * first migrates, the others find nothing to do, and a failing migration leaves the database as it was.
 */
const MIGRATIONS = `${fileURLToPath(new URL('..', import.meta.url))}*/migrations/*.sql`;
export const VERSION_TABLE = 'platform.schemaversion';
/** 'plat' — first key of the migration lock, apart from every other advisory lock we take. */
const MIGRATION_LOCK = 0x706c6174;

export interface MigrationStatus {
  /** The newest migration applied to the database (0: none). */
  current: number;
  /** The newest migration this code knows. */
  latest: number;
}

export interface MigrationReport extends MigrationStatus {
  applied: { version: number; name: string }[];
}

function postgratorOn(tx: pg.PoolClient): Postgrator {
  return new Postgrator({
    migrationPattern: MIGRATIONS,
    driver: 'pg',
    schemaTable: VERSION_TABLE,
    execQuery: (query) => tx.query(query),
  });
}

/** Brings the platform database to the newest version; safe to run from several processes at once. */
export async function migratePlatform(db: ConnectionSource): Promise<MigrationReport> {
  return inTransaction(db, async (tx) => {
    await tx.query('SELECT pg_advisory_xact_lock($1::int, 0)', [MIGRATION_LOCK]);
    const postgrator = postgratorOn(tx);
    const current = await postgrator.getDatabaseVersion();
    const applied = await postgrator.migrate();
    const latest = await postgrator.getMaxVersion();
    return { current: Math.max(current, ...applied.map((m) => m.version)), latest, applied: applied.map(({ version, name }) => ({ version, name })) };
  });
}

/** Where the database stands against this code, without changing anything. */
export async function migrationStatus(db: ConnectionSource): Promise<MigrationStatus> {
  return inTransaction(db, async (tx) => {
    const postgrator = postgratorOn(tx);
    return { current: await postgrator.getDatabaseVersion(), latest: await postgrator.getMaxVersion() };
  }, 'BEGIN READ ONLY');
}

/** The database lacks migrations this code needs (and this process may not apply them). */
export class PlatformBehindError extends Error {
  constructor(readonly status: MigrationStatus) {
    super(`The platform database is at migration ${status.current}, this version needs ${status.latest}: run \`npm run migrate\` (or start with PLATFORM_MIGRATE=1)`);
    this.name = 'PlatformBehindError';
  }
}
