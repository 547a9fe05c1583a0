import { LRUCache } from 'lru-cache';
import { Redis } from 'ioredis';

/** Where cached answers live: this process (default) or Redis, shared by every API replica. */
export interface CacheBackend {
  get(key: string): Promise<string | null>;
  set(key: string, value: string, ttlMs: number): Promise<void>;
  /** Removes every entry whose key starts with `prefix` (one client's answers). */
  deletePrefix(prefix: string): Promise<void>;
  close(): Promise<void>;
}

/** Bounded by bytes, not entries: one year of daily rows weighs more than a funnel. */
export class MemoryBackend implements CacheBackend {
  private readonly lru: LRUCache<string, string>;

  constructor(maxBytes: number) {
    this.lru = new LRUCache<string, string>({ maxSize: maxBytes, sizeCalculation: (value, key) => value.length + key.length });
  }

  async get(key: string) {
    return this.lru.get(key) ?? null;
  }

  async set(key: string, value: string, ttlMs: number) {
    this.lru.set(key, value, { ttl: ttlMs });
  }

  async deletePrefix(prefix: string) {
    for (const key of [...this.lru.keys()]) if (key.startsWith(prefix)) this.lru.delete(key);
  }

  async close() {
    this.lru.clear();
  }
}

/** Redis keeps memory bounded itself (maxmemory + an eviction policy, set on the server); every key has a TTL. */
export class RedisBackend implements CacheBackend {
  private readonly redis: Redis;

  constructor(url: string) {
    // Fail fast while Redis is away: the answer is computed instead of waiting for a reconnect.
    this.redis = new Redis(url, { maxRetriesPerRequest: 1, enableOfflineQueue: false, connectTimeout: 1000, lazyConnect: false });
    this.redis.on('error', () => {}); // reported per call by ResultCache, without the URL
  }

  async get(key: string) {
    return this.redis.get(key);
  }

  async set(key: string, value: string, ttlMs: number) {
    await this.redis.set(key, value, 'PX', ttlMs);
  }

  /** SCAN, never KEYS: it does not block Redis while it walks a large keyspace. */
  async deletePrefix(prefix: string) {
    const stream = this.redis.scanStream({ match: `${prefix}*`, count: 500 });
    for await (const keys of stream as AsyncIterable<string[]>) if (keys.length > 0) await this.redis.unlink(...keys);
  }

  async close() {
    this.redis.disconnect();
  }
}
