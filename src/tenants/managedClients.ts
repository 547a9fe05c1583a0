import type { ClientConfig } from '../config/clients.ts';
import type { Queryable } from '../db/queryable.ts';
import type { SecretBox } from '../platform/secrets.ts';
import type { ClientRegistry, RegistryChange } from './clientRegistry.ts';
import { loadStoredClients, storeSignature, type ClientProblem } from './clientStore.ts';

/** How often each process asks whether another replica changed a stored client (one cheap query). */
export const STORE_POLL_MS = 2000;

interface Log {
  info(details: object, message: string): void;
  warn(details: object, message: string): void;
}

/**
 * The registry's 'database' source: the clients managed in the product. Loaded at start-up, reloaded by this
 * process right after each change it makes (so the change applies before the API answers), and polled every
 * `STORE_POLL_MS` for changes other replicas made. Polling rather than LISTEN/NOTIFY: it works the same through
 * PgBouncer in transaction mode and with the embedded platform database. A disabled client is not in the registry.
 */
export class ManagedClients {
  private signature: string | null = null;
  private queue: Promise<unknown> = Promise.resolve();
  private timer: NodeJS.Timeout | undefined;
  private polling: Promise<void> | null = null;
  private pollFailing = false;
  private problems = new Map<string, string>();

  constructor(
    private readonly db: Queryable,
    /** Encrypts and decrypts stored database URLs; null when no key is configured (no URL can be saved). */
    readonly box: SecretBox | null,
    private readonly registry: ClientRegistry,
    private readonly log: Log,
    /** For "test connection": how long to wait for a connection, and for its queries. */
    readonly timeouts: { connectTimeoutMs: number; statementTimeoutMs: number },
  ) {}

  /** Reads the store into the registry now (one load at a time; a load asked for during one runs after it). */
  reload(reason: string): Promise<RegistryChange> {
    const next = this.queue.catch(() => {}).then(() => this.load(reason));
    this.queue = next;
    return next;
  }

  /** The clients of `CLIENTS_FILE` win over stored ones with the same id: the API leaves their ids alone. */
  fileProvides(clientId: string): ClientConfig | undefined {
    return this.registry.provided('file').find((client) => client.id === clientId);
  }

  fileClients(): readonly ClientConfig[] {
    return this.registry.provided('file');
  }

  /** The stored clients have been read into the registry at least once (readiness). */
  get loaded(): boolean {
    return this.signature !== null;
  }

  /** Why a stored (enabled) client has no usable database, when it has one stored. */
  problemOf(clientId: string): string | null {
    return this.problems.get(clientId) ?? null;
  }

  start(intervalMs = STORE_POLL_MS): void {
    this.timer = setInterval(() => {
      if (!this.polling) this.polling = this.poll().finally(() => (this.polling = null));
    }, intervalMs);
    this.timer.unref();
  }

  async stop(): Promise<void> {
    clearInterval(this.timer);
    await this.polling;
    await this.queue.catch(() => {});
  }

  private async poll(): Promise<void> {
    try {
      if ((await storeSignature(this.db)) !== this.signature) await this.reload('changed elsewhere');
      if (this.pollFailing) this.log.info({}, 'clients managed in the product: the platform database answers again');
      this.pollFailing = false;
    } catch (error) {
      if (!this.pollFailing) this.log.warn({ code: (error as { code?: string }).code }, 'clients managed in the product could not be re-read; keeping the last ones read');
      this.pollFailing = true;
    }
  }

  private async load(reason: string): Promise<RegistryChange> {
    // Read before the rows: a change in between is in the rows and makes the next poll read again (harmless).
    const signature = await storeSignature(this.db);
    const { clients, problems } = await loadStoredClients(this.db, this.box);
    this.signature = signature;
    this.report(problems);
    const change = this.registry.replace('database', clients);
    const summary = { added: change.added.map((c) => c.id), changed: change.changed.map((c) => c.after.id), removed: change.removed.map((c) => c.id) };
    if (summary.added.length + summary.changed.length + summary.removed.length > 0) this.log.info({ reason, ...summary }, 'client registry updated (clients managed in the product)');
    return change;
  }

  /** Each problem is logged once, when it appears. */
  private report(problems: ClientProblem[]): void {
    const next = new Map(problems.map((p) => [p.clientId, p.message]));
    for (const [clientId, message] of next) {
      if (this.problems.get(clientId) !== message) this.log.warn({ clientId }, `client "${clientId}": ${message}; its endpoints answer 503, other clients are unaffected`);
    }
    this.problems = next;
  }
}
