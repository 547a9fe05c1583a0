import type { FastifyRequest } from 'fastify';
import type { KeyRing } from '../access/apiKeys.ts';
import type { Principal } from '../access/principal.ts';
import { ApiError } from './errors.ts';
import { readSession } from './session.ts';

/**
 * The request's principal: `Authorization: Bearer <key>` (a wrong key is a 401 even with a session), else the signed
 * session cookie set at sign-in, else null. With no key configured at all the platform is open (start-up warns).
 */
export function principalOf(request: FastifyRequest, keys: KeyRing): Principal | null {
  if (keys.isOpen()) return { role: 'operator' };
  const header = request.headers.authorization;
  if (header !== undefined) {
    const match = /^Bearer\s+(\S+)\s*$/i.exec(header);
    const principal = match ? keys.principalFor(match[1]!) : null;
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
