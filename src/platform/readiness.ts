import type { Queryable } from '../db/queryable.ts';
import { withTimeout } from '../db/withTimeout.ts';
import { VERSION_TABLE } from './migrations.ts';

/** Each check: `ok`, or a fixed word for what is wrong (never an error message: those can name hosts). */
export interface Readiness {
  ready: boolean;
  checks: {
    platformDatabase: 'ok' | 'unreachable';
    migrations: 'ok' | 'behind' | 'unknown';
    registry: 'ok' | 'not-loaded';
  };
}

export interface ReadinessSources {
  platform: Queryable;
  /** The newest migration this code knows. */
  latestMigration: number;
  /** The client registry has been read (the file, and the clients managed in the product). */
  registryLoaded: () => boolean;
  /** Longest wait for the platform database (default 2 s): a health check must answer in time. */
  timeoutMs?: number;
}

/** Ready to serve: the platform database answers, it has every migration this code needs, and the registry is loaded. */
export async function checkReadiness(sources: ReadinessSources): Promise<Readiness> {
  let platformDatabase: Readiness['checks']['platformDatabase'] = 'ok';
  let migrations: Readiness['checks']['migrations'] = 'unknown';
  try {
    const { rows } = await withTimeout(sources.platform.query<{ version: number | null }>(`SELECT max(version)::int AS version FROM ${VERSION_TABLE}`), sources.timeoutMs ?? 2000);
    migrations = (rows[0]?.version ?? 0) >= sources.latestMigration ? 'ok' : 'behind';
  } catch (error) {
    // The version table missing (42P01) means the database answers but was never migrated.
    if ((error as { code?: string }).code === '42P01') migrations = 'behind';
    else platformDatabase = 'unreachable';
  }
  const registry = sources.registryLoaded() ? 'ok' : 'not-loaded';
  return { ready: platformDatabase === 'ok' && migrations === 'ok' && registry === 'ok', checks: { platformDatabase, migrations, registry } };
}
