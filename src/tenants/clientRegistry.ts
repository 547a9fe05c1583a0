import { isDeepStrictEqual } from 'node:util';
import type { ClientConfig } from '../config/clients.ts';

/** What one update changed. `changed` holds both versions, so a listener can tell what moved (a URL, a name). */
export interface RegistryChange {
  added: ClientConfig[];
  changed: { before: ClientConfig; after: ClientConfig }[];
  removed: ClientConfig[];
}

export type RegistryListener = (change: RegistryChange) => void | Promise<void>;

/** Where entries come from. A provisioned file wins over the product's own store for the same id (as in Grafana). */
export type RegistrySource = 'file' | 'database';
const PRECEDENCE: RegistrySource[] = ['database', 'file'];

/** What readers of the registry need; the HTTP layer, the refresher and the sync see only this. */
export interface ClientLookup {
  get(clientId: string): ClientConfig | undefined;
  list(): readonly ClientConfig[];
  subscribe(listener: RegistryListener): () => void;
}

/**
 * The clients the platform serves, which change at runtime: each source (the registry file, the clients managed in
 * the product, kept in the platform database) replaces its whole set, the registry works out what was added,
 * changed or removed and tells every subscriber — pools, cache, rollups and Grafana follow without a restart.
 * Entries are never mutated in place.
 */
export class ClientRegistry implements ClientLookup {
  private readonly sources = new Map<RegistrySource, readonly ClientConfig[]>();
  private readonly grafanaOrgs = new Map<string, number>();
  private effective = new Map<string, ClientConfig>();
  private readonly listeners = new Set<RegistryListener>();

  constructor(private readonly onListenerError: (error: unknown) => void = () => {}) {}

  get(clientId: string): ClientConfig | undefined {
    return this.effective.get(clientId);
  }

  list(): readonly ClientConfig[] {
    return [...this.effective.values()];
  }

  subscribe(listener: RegistryListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** What `source` provides now, including entries another source overrides. */
  provided(source: RegistrySource): readonly ClientConfig[] {
    return this.sources.get(source) ?? [];
  }

  /** Which source the client in force comes from (the file, when both have it). */
  sourceOf(clientId: string): RegistrySource | undefined {
    for (const source of [...PRECEDENCE].reverse()) if (this.provided(source).some((c) => c.id === clientId)) return source;
    return undefined;
  }

  /** Replaces everything `source` provides; returns (and announces) what that changed. */
  replace(source: RegistrySource, clients: readonly ClientConfig[]): RegistryChange {
    this.sources.set(source, clients);
    return this.recompute();
  }

  /**
   * Grafana gave the client's organization another id than the registry holds: use Grafana's from now on (the
   * sync logs it for the registry file), for this process's lifetime.
   */
  useGrafanaOrg(clientId: string, orgId: number): RegistryChange {
    this.grafanaOrgs.set(clientId, orgId);
    return this.recompute();
  }

  private recompute(): RegistryChange {
    const next = new Map<string, ClientConfig>();
    for (const source of PRECEDENCE) {
      for (const client of this.sources.get(source) ?? []) {
        const orgId = this.grafanaOrgs.get(client.id);
        next.set(client.id, Object.freeze(orgId === undefined ? client : { ...client, grafanaOrgId: orgId }));
      }
    }
    const change: RegistryChange = { added: [], changed: [], removed: [] };
    for (const [id, after] of next) {
      const before = this.effective.get(id);
      if (!before) change.added.push(after);
      else if (!isDeepStrictEqual(before, after)) change.changed.push({ before, after });
    }
    for (const [id, before] of this.effective) if (!next.has(id)) change.removed.push(before);
    this.effective = next;
    if (change.added.length + change.changed.length + change.removed.length > 0) this.announce(change);
    return change;
  }

  private announce(change: RegistryChange): void {
    for (const listener of this.listeners) {
      try {
        void Promise.resolve(listener(change)).catch(this.onListenerError);
      } catch (error) {
        this.onListenerError(error);
      }
    }
  }
}

/** Whether a change moved the client to another database (a pool and its cached layout no longer apply). */
export function databaseMoved(before: ClientConfig, after: ClientConfig): boolean {
  return !isDeepStrictEqual(before.database, after.database);
}
