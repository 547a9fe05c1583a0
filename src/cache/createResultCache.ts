import type { CacheConfig } from '../config/cache.ts';
import { MemoryBackend, RedisBackend } from './backends.ts';
import { ResultCache } from './resultCache.ts';

export function createResultCache(config: CacheConfig, log: { warn(details: object, message: string): void }): ResultCache | null {
  if (!config.enabled) return null;
  const backend = config.redisUrl ? new RedisBackend(config.redisUrl) : new MemoryBackend(config.maxMegabytes * 1024 * 1024);
  return new ResultCache(backend, config.ttlSeconds * 1000, log);
}
