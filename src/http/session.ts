import type { FastifyReply, FastifyRequest } from 'fastify';
import { digest, type KeyRing } from '../access/apiKeys.ts';
import { type Principal } from '../access/principal.ts';

/** The browser session: a signed, httpOnly, SameSite cookie holding who signed in, until when, and with which key. */
export const SESSION_COOKIE = 'ca_session';
export const SESSION_HOURS = 12;

interface SessionBody {
  p: Principal;
  /** Expiry, ms since epoch. */
  exp: number;
  /** Fingerprint of the key used to sign in: a rotated key ends its sessions. */
  k: string;
}

const fingerprint = (key: string) => digest(`session:${key}`).subarray(0, 12).toString('base64url');

export function startSession(reply: FastifyReply, principal: Principal, keys: KeyRing, secure: boolean, now = Date.now()): void {
  const key = keys.keyOf(principal);
  if (key === null) return;
  const body: SessionBody = { p: principal, exp: now + SESSION_HOURS * 3600_000, k: fingerprint(key) };
  reply.setCookie(SESSION_COOKIE, Buffer.from(JSON.stringify(body)).toString('base64url'), {
    signed: true,
    httpOnly: true,
    sameSite: 'lax',
    secure,
    path: '/',
    maxAge: SESSION_HOURS * 3600,
  });
}

export function endSession(reply: FastifyReply): void {
  reply.clearCookie(SESSION_COOKIE, { path: '/' });
}

/** The signed-in principal, or null for no, forged, expired or outdated session. */
export function readSession(request: FastifyRequest, keys: KeyRing, now = Date.now()): Principal | null {
  const raw = request.cookies?.[SESSION_COOKIE];
  if (!raw) return null;
  const unsigned = request.unsignCookie(raw);
  if (!unsigned.valid || unsigned.value === null) return null;
  try {
    const body = JSON.parse(Buffer.from(unsigned.value, 'base64url').toString('utf8')) as SessionBody;
    if (typeof body.exp !== 'number' || body.exp <= now) return null;
    const key = keys.keyOf(body.p);
    return key !== null && body.k === fingerprint(key) ? body.p : null;
  } catch {
    return null;
  }
}
