import { createHash } from 'node:crypto';
import type { ClientLookup } from '../tenants/clientRegistry.ts';
import type { Principal } from './principal.ts';

export const digest = (value: string) => createHash('sha256').update(value).digest();
const digestHex = (value: string) => createHash('sha256').update(value).digest('hex');

/**
 * The bootstrap and legacy credentials: `ADMIN_API_KEY` and one `<ID>_API_KEY` per client. Keys are found by their
 * SHA-256 digest in a map: one hash per request whatever the number of clients, and the time taken depends on the
 * digest, never on how much of a real key a guess got right.
 */
export class KeyRing {
  private clientKeys = new Map<string, string>();
  private byDigest = new Map<string, Principal>();

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
    const index = new Map<string, Principal>();
    for (const [clientId, key] of this.clientKeys) index.set(digestHex(key), { role: 'client', clientId });
    if (this.adminApiKey !== null) index.set(digestHex(this.adminApiKey), { role: 'operator' });
    this.byDigest = index;
  }

  /** No key configured at all: the platform is open (start-up warns). */
  isOpen(): boolean {
    return this.adminApiKey === null && this.clientKeys.size === 0;
  }

  principalFor(key: string): Principal | null {
    return this.byDigest.get(digestHex(key)) ?? null;
  }

  /** The key a principal signs in with today (to tie a session to it: rotating the key ends the session). */
  keyOf(principal: Principal): string | null {
    return principal.role === 'operator' ? this.adminApiKey : (this.clientKeys.get(principal.clientId) ?? null);
  }
}
