import type { FastifyReply, FastifyRequest } from 'fastify';

/**
 * The browser session cookie: an opaque random value naming a session the platform database holds (so signing out
 * ends it everywhere). httpOnly, SameSite=Lax, Secure in production; it lasts as long as the session may.
 */
export const SESSION_COOKIE = 'ca_session';

export function setSessionCookie(reply: FastifyReply, token: string, expiresAt: Date, secure: boolean): void {
  reply.setCookie(SESSION_COOKIE, token, {
    httpOnly: true,
    sameSite: 'lax',
    secure,
    path: '/',
    expires: expiresAt,
  });
}

export function clearSessionCookie(reply: FastifyReply): void {
  reply.clearCookie(SESSION_COOKIE, { path: '/' });
}

/** The cookie's value when it has the shape of one we set (43 base64url characters), else null. */
export function sessionToken(request: FastifyRequest): string | null {
  const value = request.cookies?.[SESSION_COOKIE];
  return value && /^[A-Za-z0-9_-]{43}$/.test(value) ? value : null;
}
