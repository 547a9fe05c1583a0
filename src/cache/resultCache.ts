import { createHash } from 'node:crypto';
import type { CacheBackend } from './backends.ts';

export interface CachedAnswer<T> {
  body: T;
  /** When the answer was computed (ISO 8601): how fresh the numbers are. */
  generatedAt: string;
  /** Milliseconds the answer may still be served. */
  remainingMs: number;
  etag: string;
}

interface Stored<T> {
  body: T;
  generatedAt: string;
  expiresAt: number;
}

interface Warn {
  warn(details: object, message: string): void;
}

/**
 * Answers keyed by (client, endpoint, normalised parameters) with a short TTL. Identical requests arriving while
 * an answer is being computed wait for that one computation (single flight), so a burst of 100 runs the query once.
 * A failing cache (e.g. Redis away) never fails a request: the answer is computed instead.
 */
export class ResultCache {
  private readonly inFlight = new Map<string, Promise<CachedAnswer<unknown>>>();

  constructor(
    private readonly backend: CacheBackend,
    private readonly ttlMs: number,
    private readonly log: Warn,
    private readonly prefix = 'ca:v1:',
  ) {}

  static key(parts: Record<string, unknown>): string {
    return createHash('sha256').update(JSON.stringify(parts)).digest('base64url');
  }

  /** A key for one client's answer: the client id leads, so its entries can be dropped together. */
  static clientKey(clientId: string, parts: Record<string, unknown>): string {
    return `${clientId}:${ResultCache.key(parts)}`;
  }

  /** Forgets a client's answers (its database moved, or it left); a failure is logged, never thrown. */
  async dropClient(clientId: string): Promise<void> {
    await this.backend.deletePrefix(`${this.prefix}${clientId}:`).catch((error: Error) => {
      this.log.warn({ cache: error.name }, 'result cache could not drop a client\'s entries');
    });
  }

  async getOrCompute<T>(key: string, compute: () => Promise<T>): Promise<CachedAnswer<T>> {
    const running = this.inFlight.get(key);
    if (running) return running as Promise<CachedAnswer<T>>;
    const work = this.lookup(key, compute).finally(() => this.inFlight.delete(key));
    this.inFlight.set(key, work);
    return work;
  }

  private async lookup<T>(key: string, compute: () => Promise<T>): Promise<CachedAnswer<T>> {
    const stored = await this.read<T>(key);
    if (stored && stored.expiresAt > Date.now()) return answer(stored);
    const fresh: Stored<T> = { body: await compute(), generatedAt: new Date().toISOString(), expiresAt: Date.now() + this.ttlMs };
    await this.backend.set(this.prefix + key, JSON.stringify(fresh), this.ttlMs).catch((error: Error) => {
      this.log.warn({ cache: error.name }, 'result cache write failed; answering uncached');
    });
    return answer(fresh);
  }

  private async read<T>(key: string): Promise<Stored<T> | null> {
    try {
      const text = await this.backend.get(this.prefix + key);
      return text === null ? null : (JSON.parse(text) as Stored<T>);
    } catch (error) {
      this.log.warn({ cache: (error as Error).name }, 'result cache read failed; answering uncached');
      return null;
    }
  }

  close(): Promise<void> {
    return this.backend.close();
  }
}

function answer<T>(stored: Stored<T>): CachedAnswer<T> {
  const etag = `"${createHash('sha1').update(JSON.stringify(stored.body)).update(stored.generatedAt).digest('base64url')}"`;
  return { body: stored.body, generatedAt: stored.generatedAt, remainingMs: Math.max(0, stored.expiresAt - Date.now()), etag };
}
