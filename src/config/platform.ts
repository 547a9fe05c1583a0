import { readBool, readInt, readString, type Env, type Problems } from './env.ts';

/** The platform's own PostgreSQL (rollups, and what later modules keep) and how rollups are kept. */
export interface PlatformConfig {
  /** `PLATFORM_DB_URL`; null: an embedded PGlite of its own is started. A secret: never logged. */
  dbUrl: string | null;
  /** Apply pending migrations at start-up (`PLATFORM_MIGRATE`, default on); off: refuse to start when behind. */
  migrate: boolean;
  /** Seconds to keep trying an unreachable platform database at start-up (`PLATFORM_DB_WAIT_SECONDS`). */
  waitSeconds: number;
  /** Answer counts from rollups (`ROLLUPS`, default on: there is always a platform database). */
  rollups: boolean;
  /** Seconds between rollup refreshes of each client; 0 turns the periodic refresher off. */
  rollupRefreshSeconds: number;
  /** How far before the watermark a refresh re-reads `updatedAt`, for writes that commit late. */
  rollupOverlapSeconds: number;
}

export function parsePlatformConfig(env: Env, problems: Problems): PlatformConfig {
  const dbUrl = readString(env, 'PLATFORM_DB_URL') ?? null;
  if (dbUrl !== null && !/^postgres(?:ql)?:\/\//.test(dbUrl)) problems.add('PLATFORM_DB_URL', 'must be a postgres:// URL');
  return {
    dbUrl,
    migrate: readBool(env, 'PLATFORM_MIGRATE', problems) ?? true,
    waitSeconds: readInt(env, 'PLATFORM_DB_WAIT_SECONDS', 30, 0, 600, problems),
    rollups: readBool(env, 'ROLLUPS', problems) ?? true,
    rollupRefreshSeconds: readInt(env, 'ROLLUP_REFRESH_SECONDS', 60, 0, 86_400, problems),
    rollupOverlapSeconds: readInt(env, 'ROLLUP_OVERLAP_SECONDS', 300, 0, 86_400, problems),
  };
}
