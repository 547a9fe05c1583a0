import { createHash, timingSafeEqual } from 'node:crypto';
import type { FastifyRequest } from 'fastify';
import { ApiError } from './errors.ts';
import { readSession } from './session.ts';

/** Who is asking: an operator sees every client, a client only itself. */
export type Principal = { role: 'operator' } | { role: 'client'; clientId: string };

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

export function canSee(principal: Principal, clientId: string): boolean {
  return principal.role === 'operator' || principal.clientId === clientId;
}

/**
 * The request's principal: `Authorization: Bearer <key>` (a wrong key is a 401 even with a session), else the signed
 * session cookie set at sign-in, else null. With no key configured at all the platform is open (start-up warns).
 */
export function principalOf(request: FastifyRequest, keys: KeyRing): Principal | null {
  if (isOpen(keys)) return { role: 'operator' };
  const header = request.headers.authorization;
  if (header !== undefined) {
    const match = /^Bearer\s+(\S+)\s*$/i.exec(header);
    const principal = match ? principalForKey(match[1]!, keys) : null;
    if (!principal) throw new ApiError(401, 'UNAUTHORIZED', 'Invalid API key');
    return principal;
  }
  return readSession(request, keys);
}

export function authenticate(request: FastifyRequest, keys: KeyRing): Principal {
  const principal = principalOf(request, keys);
  if (!principal) throw new ApiError(401, 'UNAUTHORIZED', 'Missing API key (Authorization: Bearer <key>) or session');
  return principal;
}
