import { createHash, timingSafeEqual } from 'node:crypto';
import type { Principal } from './principal.ts';

/** The bootstrap and legacy credentials: `ADMIN_API_KEY` and one `<ID>_API_KEY` per client, from the environment. */
export interface KeyRing {
  adminApiKey: string | null;
  clientApiKeys: ReadonlyMap<string, string>;
}

export const digest = (value: string) => createHash('sha256').update(value).digest();

/** Compares digests so neither the key's content nor its length leaks through timing. */
function sameKey(given: Buffer, expected: string): boolean {
  return timingSafeEqual(given, digest(expected));
}

export function isOpen(keys: KeyRing): boolean {
  return keys.adminApiKey === null && keys.clientApiKeys.size === 0;
}

/** The principal a key belongs to; every key is compared, so the time taken does not depend on which matched. */
export function principalForKey(key: string, keys: KeyRing): Principal | null {
  const given = digest(key);
  let found: Principal | null = null;
  if (keys.adminApiKey !== null && sameKey(given, keys.adminApiKey)) found = { role: 'operator' };
  for (const [clientId, clientKey] of keys.clientApiKeys) {
    if (sameKey(given, clientKey) && found === null) found = { role: 'client', clientId };
  }
  return found;
}

/** The key a principal signs in with today (to tie a session to it: rotating the key ends the session). */
export function keyOf(principal: Principal, keys: KeyRing): string | null {
  return principal.role === 'operator' ? keys.adminApiKey : (keys.clientApiKeys.get(principal.clientId) ?? null);
}
