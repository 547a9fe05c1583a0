import { createHash } from 'node:crypto';
import type { ClientLookup } from '../tenants/clientRegistry.ts';
import type { Principal } from './principal.ts';

const digestHex = (value: string) => createHash('sha256').update(value).digest('hex');

/** The principal a legacy key stands for: the admin key is an admin, a client key a viewer of its client. */
function keyPrincipal(clientId: string | null): Principal {
  return clientId === null
    ? { actor: { kind: 'key', id: null, label: 'ADMIN_API_KEY' }, role: 'admin', userId: null, clients: 'all', via: 'bearer' }
    : { actor: { kind: 'key', id: clientId, label: `${clientId.toUpperCase().replace(/-/g, '_')}_API_KEY` }, role: 'member', userId: null,
        clients: new Map([[clientId, 'viewer']]), via: 'bearer' };
}

/**
 * The bootstrap and legacy credentials: `ADMIN_API_KEY` and one `<ID>_API_KEY` per client (API tokens are the way to
 * integrate now). Keys are found by their SHA-256 digest in a map: one hash per request whatever the number of
 * clients, and the time taken depends on the digest, never on how much of a real key a guess got right.
 */
export class KeyRing {
  private clientKeys = new Map<string, string>();
  private byDigest = new Map<string, string | null>();

  constructor(readonly adminApiKey: string | null, clientKeys: Iterable<[string, string]> = []) {
    this.setClientKeys(clientKeys);
  }

  /** A key ring whose client keys follow the registry (each client's `apiKey`). */
  static following(adminApiKey: string | null, registry: ClientLookup): KeyRing {
    const keysOf = () => registry.list().flatMap((c): [string, string][] => (c.apiKey ? [[c.id, c.apiKey]] : []));
    const ring = new KeyRing(adminApiKey, keysOf());
    registry.subscribe(() => ring.setClientKeys(keysOf()));
    return ring;
  }

  setClientKeys(entries: Iterable<[string, string]>): void {
    this.clientKeys = new Map(entries);
    const index = new Map<string, string | null>();
    for (const [clientId, key] of this.clientKeys) index.set(digestHex(key), clientId);
    if (this.adminApiKey !== null) index.set(digestHex(this.adminApiKey), null);
    this.byDigest = index;
  }

  /** Whether any key is configured at all. */
  get empty(): boolean {
    return this.adminApiKey === null && this.clientKeys.size === 0;
  }

  principalFor(key: string): Principal | null {
    const owner = this.byDigest.get(digestHex(key));
    return owner === undefined ? null : keyPrincipal(owner);
  }

  /**
   * A fingerprint of the key a browser signed in with, kept with its session: a rotated key no longer matches, so
   * its sessions end. It cannot be turned back into the key.
   */
  fingerprintOf(key: string): string | null {
    return this.byDigest.has(digestHex(key)) ? digestHex(`session:${key}`).slice(0, 32) : null;
  }

  /** The principal of a session signed in with a key, if that key is still configured. */
  principalForFingerprint(fingerprint: string): Principal | null {
    for (const key of [this.adminApiKey, ...this.clientKeys.values()]) {
      if (key !== null && digestHex(`session:${key}`).slice(0, 32) === fingerprint) return this.principalFor(key);
    }
    return null;
  }
}
