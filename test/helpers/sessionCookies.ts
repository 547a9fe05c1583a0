import { createHash, randomBytes } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import { SESSION_COOKIE } from '../../src/http/session.ts';
import { runtimeOf } from './buildTestApp.ts';

/**
 * Session cookies for access tests: real ones from `POST /login`, and the ones an attacker could make or keep —
 * expired (a real session past its end), forged (a value of the right shape the server never issued) and tampered
 * (a real value with one character changed). Sessions live in the platform database, so none of these signs in.
 */

/** What a browser sends with a form posted from one of our own pages (inject's Host is localhost:80). */
export const SAME_ORIGIN = { origin: 'http://localhost' };

export async function signIn(app: FastifyInstance, key: string): Promise<string> {
  const res = await app.inject({ method: 'POST', url: '/login', payload: { key, next: '/' }, headers: SAME_ORIGIN });
  const value = new RegExp(`${SESSION_COOKIE}=([^;]+)`).exec(String(res.headers['set-cookie'] ?? ''))?.[1];
  if (res.statusCode !== 303 || !value) throw new Error(`sign-in failed: ${res.statusCode} ${res.body}`);
  return `${SESSION_COOKIE}=${value}`;
}

const valueOf = (cookie: string) => cookie.slice(SESSION_COOKIE.length + 1);

/** A real session of `key` whose end has come (as if it was signed in a month ago). */
export async function expiredSession(app: FastifyInstance, key: string): Promise<string> {
  const cookie = await signIn(app, key);
  const hash = createHash('sha256').update(valueOf(cookie)).digest();
  await runtimeOf(app).platform.pool.query(`UPDATE access.sessions SET expires_at = now() - interval '1 second' WHERE id_hash = $1`, [hash]);
  return cookie;
}

/** A cookie of the right shape that no sign-in ever produced. */
export const forgedSession = () => `${SESSION_COOKIE}=${randomBytes(32).toString('base64url')}`;

/** A real session's cookie with its last character changed. */
export function tampered(cookie: string): string {
  return cookie.replace(/.$/, (c) => (c === 'A' ? 'B' : 'A'));
}
