import { createHash } from 'node:crypto';
import { LRUCache } from 'lru-cache';
import type { CacheBackend } from './backends.ts';

export interface CachedAnswer<T> {
  body: T;
  /** When the answer was computed (ISO 8601): how fresh the numbers are. */
  generatedAt: string;
  /** Milliseconds the answer may still be served. */
  remainingMs: number;
  etag: string;
  /**
   * What callers derive from this very answer (the HTTP layer keeps its serialised bytes here), shared by every hit
   * of the entry in this process and gone with it.
   */
  derived: Map<string, unknown>;
}

interface Stored<T> {
  body: T;
  generatedAt: string;
  expiresAt: number;
  /** Written with the entry, so a hit does not hash the body again (absent in entries of older versions). */
  etag?: string;
}

/** An entry as read last time: while the backend returns the same text, it is not parsed again. */
interface Decoded {
  text: string;
  stored: Stored<unknown> & { etag: string };
  derived: Map<string, unknown>;
}

/** Decoded entries kept per process, bounded by their text's size (the backend stays the source of truth). */
const DECODED_MAX_BYTES = 32 * 1024 * 1024;

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
  private readonly decoded = new LRUCache<string, Decoded>({ maxSize: DECODED_MAX_BYTES, sizeCalculation: (d) => d.text.length + 1 });
  /** Look-ups since start (for `/metrics`): a hit was answered without computing (stored, or joined in flight). */
  readonly lookups = { hits: 0, misses: 0 };

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
    for (const key of [...this.decoded.keys()]) if (key.startsWith(`${clientId}:`)) this.decoded.delete(key);
    await this.backend.deletePrefix(`${this.prefix}${clientId}:`).catch((error: Error) => {
      this.log.warn({ cache: error.name }, 'result cache could not drop a client\'s entries');
    });
  }

  async getOrCompute<T>(key: string, compute: () => Promise<T>): Promise<CachedAnswer<T>> {
    const running = this.inFlight.get(key);
    if (running) {
      this.lookups.hits++;
      return running as Promise<CachedAnswer<T>>;
    }
    // A hit goes straight back; only a miss is registered, so identical requests wait for its one computation.
    const found = await this.read(key);
    if (found && found.stored.expiresAt > Date.now()) {
      this.lookups.hits++;
      return answer(found) as CachedAnswer<T>;
    }
    const joined = this.inFlight.get(key); // another miss started while this one read
    if (joined) {
      this.lookups.hits++;
      return joined as Promise<CachedAnswer<T>>;
    }
    this.lookups.misses++;
    const work = this.compute(key, compute).finally(() => this.inFlight.delete(key));
    this.inFlight.set(key, work);
    return work as Promise<CachedAnswer<T>>;
  }

  private async compute<T>(key: string, compute: () => Promise<T>): Promise<CachedAnswer<T>> {
    const body = await compute();
    const generatedAt = new Date().toISOString();
    const fresh = { body, generatedAt, expiresAt: Date.now() + this.ttlMs, etag: etagOf(body, generatedAt) };
    const text = JSON.stringify(fresh);
    const entry: Decoded = { text, stored: fresh, derived: new Map() };
    await this.backend.set(this.prefix + key, text, this.ttlMs).then(() => {
      this.decoded.set(key, entry);
    }, (error: Error) => {
      this.log.warn({ cache: error.name }, 'result cache write failed; answering uncached');
    });
    return answer(entry) as CachedAnswer<T>;
  }

  /** The entry under `key`, parsed only when its text differs from the one read last time. */
  private async read(key: string): Promise<Decoded | null> {
    try {
      const text = await this.backend.get(this.prefix + key);
      if (text === null) return null;
      const known = this.decoded.get(key);
      if (known && known.text === text) return known;
      const stored = JSON.parse(text) as Stored<unknown>;
      const entry: Decoded = { text, stored: { ...stored, etag: stored.etag ?? etagOf(stored.body, stored.generatedAt) }, derived: new Map() };
      this.decoded.set(key, entry);
      return entry;
    } catch (error) {
      this.log.warn({ cache: (error as Error).name }, 'result cache read failed; answering uncached');
      return null;
    }
  }

  close(): Promise<void> {
    return this.backend.close();
  }
}

const etagOf = (body: unknown, generatedAt: string) =>
  `"${createHash('sha1').update(JSON.stringify(body)).update(generatedAt).digest('base64url')}"`;

function answer({ stored, derived }: Decoded): CachedAnswer<unknown> {
  const { body, generatedAt, etag, expiresAt } = stored;
  return { body, generatedAt, remainingMs: Math.max(0, expiresAt - Date.now()), etag, derived };
}
