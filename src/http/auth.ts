import type { FastifyRequest } from 'fastify';
import type { Access } from '../access/access.ts';
import type { Principal } from '../access/principal.ts';
import { ApiError } from './errors.ts';
import { sessionToken } from './session.ts';

/**
 * The request's principal: `Authorization: Bearer <credential>`, else the session cookie, else the open platform's
 * demo admin, else null. A wrong Authorization header is an `error` (the API answers 401 even with a session); routes
 * that only want the browser session (pages, Grafana) ignore it, and the header goes nowhere.
 */
export async function resolvePrincipal(request: FastifyRequest, access: Access): Promise<{ principal: Principal | null; error: Error | null }> {
  const header = request.headers.authorization;
  if (header !== undefined) {
    const match = /^Bearer\s+(\S+)\s*$/i.exec(header);
    const principal = match ? await access.bearer(match[1]!) : null;
    if (principal) return { principal, error: null };
    return { principal: await sessionOrOpen(request, access), error: new ApiError(401, 'UNAUTHORIZED', 'Invalid API key or token') };
  }
  return { principal: await sessionOrOpen(request, access), error: null };
}

async function sessionOrOpen(request: FastifyRequest, access: Access): Promise<Principal | null> {
  const token = sessionToken(request);
  const session = token ? await access.session(token) : null;
  return session ?? access.openPrincipal();
}

export const MISSING_CREDENTIALS = () => new ApiError(401, 'UNAUTHORIZED', 'Missing API key or token (Authorization: Bearer …) or session');
