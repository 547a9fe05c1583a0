import { createHmac } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import { SESSION_COOKIE } from '../../src/http/session.ts';

/**
 * Session cookies for access tests: real ones from `POST /login`, and the ones an attacker could make from them —
 * expired (re-signed with the real secret, so only the expiry is wrong), forged (signed with another secret) and
 * tampered (a real cookie whose payload was rewritten while keeping its signature).
 */
export async function signIn(app: FastifyInstance, key: string): Promise<string> {
  const res = await app.inject({ method: 'POST', url: '/login', payload: { key, next: '/' } });
  const value = new RegExp(`${SESSION_COOKIE}=([^;]+)`).exec(String(res.headers['set-cookie'] ?? ''))?.[1];
  if (res.statusCode !== 303 || !value) throw new Error(`sign-in failed: ${res.statusCode} ${res.body}`);
  return `${SESSION_COOKIE}=${value}`;
}

interface Signed {
  payload: Record<string, unknown>;
  signature: string;
}

function split(cookie: string): Signed {
  const signed = decodeURIComponent(cookie.slice(SESSION_COOKIE.length + 1));
  const dot = signed.lastIndexOf('.');
  return { payload: JSON.parse(Buffer.from(signed.slice(0, dot), 'base64url').toString('utf8')), signature: signed.slice(dot + 1) };
}

const encode = (payload: unknown) => Buffer.from(JSON.stringify(payload)).toString('base64url');
const asCookie = (signed: string) => `${SESSION_COOKIE}=${encodeURIComponent(signed)}`;

/** The session with `changes` applied to its payload, signed with the server's own secret. */
export function resign(app: FastifyInstance, cookie: string, changes: Record<string, unknown>): string {
  return asCookie(app.signCookie(encode({ ...split(cookie).payload, ...changes })));
}

/** The same session, correctly signed, but expired a second ago. */
export const expire = (app: FastifyInstance, cookie: string) => resign(app, cookie, { exp: Date.now() - 1000 });

/** An operator session signed with a secret that is not the server's. */
export function forgeOperator(cookie: string): string {
  const { payload } = split(cookie);
  const value = encode({ ...payload, p: { role: 'operator' } });
  const signature = createHmac('sha256', 'attacker-guessed-secret').update(value).digest('base64').replace(/=+$/, '');
  return asCookie(`${value}.${signature}`);
}

/** A real session's cookie with its principal rewritten to `clientId`, still carrying the original signature. */
export function tamper(cookie: string, clientId: string): string {
  const { payload, signature } = split(cookie);
  return asCookie(`${encode({ ...payload, p: { role: 'client', clientId } })}.${signature}`);
}
