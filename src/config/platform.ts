import { readBool, readInt, readString, type Env, type Problems } from './env.ts';

/** The platform's own PostgreSQL (rollups live there, never in a client's database) and how rollups are kept. */
export interface PlatformConfig {
  /** Answer counts, daily, hourly and heatmap from rollups (`ROLLUPS`; default: on when `PLATFORM_DB_URL` is set). */
  rollups: boolean;
  /** `PLATFORM_DB_URL`; null: an embedded PGlite of its own is started. A secret: never logged. */
  dbUrl: string | null;
  /** Seconds between rollup refreshes of each client; 0 turns the periodic refresher off. */
  rollupRefreshSeconds: number;
  /** How far before the watermark a refresh re-reads `updatedAt`, for writes that commit late. */
  rollupOverlapSeconds: number;
}

export function parsePlatformConfig(env: Env, problems: Problems): PlatformConfig {
  const dbUrl = readString(env, 'PLATFORM_DB_URL') ?? null;
  if (dbUrl !== null && !/^postgres(?:ql)?:\/\//.test(dbUrl)) problems.add('PLATFORM_DB_URL', 'must be a postgres:// URL');
  const rollups = readString(env, 'ROLLUPS') === undefined ? dbUrl !== null : (readBool(env, 'ROLLUPS', problems) ?? false);
  return {
    rollups,
    dbUrl,
    rollupRefreshSeconds: readInt(env, 'ROLLUP_REFRESH_SECONDS', 60, 0, 86_400, problems),
    rollupOverlapSeconds: readInt(env, 'ROLLUP_OVERLAP_SECONDS', 300, 0, 86_400, problems),
  };
}
