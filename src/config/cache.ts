import { readBool, readInt, readString, type Env, type Problems } from './env.ts';

/** The result cache: in this process by default, in Redis (shared by every replica) with `REDIS_URL`. */
export interface CacheConfig {
  enabled: boolean;
  ttlSeconds: number;
  /** Bound on the in-process cache; Redis is bounded by its own maxmemory. */
  maxMegabytes: number;
  /** A secret (it may hold a password): never logged. */
  redisUrl: string | null;
}

export function parseCache(env: Env, problems: Problems): CacheConfig {
  const raw = readString(env, 'CACHE')?.toLowerCase();
  const enabled = raw === undefined ? true : (readBool(env, 'CACHE', problems) ?? true);
  const redisUrl = readString(env, 'REDIS_URL') ?? null;
  if (redisUrl !== null && !/^rediss?:\/\//.test(redisUrl)) problems.add('REDIS_URL', 'must be a redis:// or rediss:// URL');
  return {
    enabled,
    ttlSeconds: readInt(env, 'CACHE_TTL_SECONDS', 30, 1, 86400, problems),
    maxMegabytes: readInt(env, 'CACHE_MAX_MB', 64, 1, 16384, problems),
    redisUrl,
  };
}
