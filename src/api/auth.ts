import { createHash, timingSafeEqual } from 'node:crypto';
import type { FastifyRequest } from 'fastify';
import { ApiError } from './errors.ts';

/** Who is asking: an operator sees every client, a client only itself. */
export type Principal = { role: 'operator' } | { role: 'client'; clientId: string };

export interface KeyRing {
  adminApiKey: string | null;
  clientApiKeys: ReadonlyMap<string, string>;
}

const digest = (value: string) => createHash('sha256').update(value).digest();

/** Compares digests so neither the key's content nor its length leaks through timing. */
function sameKey(given: Buffer, expected: string): boolean {
  return timingSafeEqual(given, digest(expected));
}

export function isOpen(keys: KeyRing): boolean {
  return keys.adminApiKey === null && keys.clientApiKeys.size === 0;
}

/** Resolves `Authorization: Bearer <key>`; every key is compared, so the time taken does not depend on which matched. */
export function principalFromBearer(header: string | undefined, keys: KeyRing): Principal | null {
  const match = /^Bearer\s+(\S+)\s*$/i.exec(header ?? '');
  if (!match) return null;
  const given = digest(match[1]!);
  let found: Principal | null = null;
  if (keys.adminApiKey !== null && sameKey(given, keys.adminApiKey)) found = { role: 'operator' };
  for (const [clientId, key] of keys.clientApiKeys) {
    if (sameKey(given, key) && found === null) found = { role: 'client', clientId };
  }
  return found;
}

export function canSee(principal: Principal, clientId: string): boolean {
  return principal.role === 'operator' || principal.clientId === clientId;
}

/** The request's principal, or 401. With no key configured at all the API is open (start-up warns). */
export function authenticate(request: FastifyRequest, keys: KeyRing): Principal {
  if (isOpen(keys)) return { role: 'operator' };
  const principal = principalFromBearer(request.headers.authorization, keys);
  if (!principal) {
    throw new ApiError(401, 'UNAUTHORIZED', request.headers.authorization ? 'Invalid API key' : 'Missing API key (Authorization: Bearer <key>)');
  }
  return principal;
}
