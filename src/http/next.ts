import { InvalidParameterError } from '../analytics/errors.ts';

const BASE = 'https://platform.invalid';
/** Control characters, whitespace (Chromium drops tabs and newlines from URLs), and backslashes (read as slashes). */
const REFUSED = /[\u0000-\u0020\u007f-\u00a0\u1680\u2000-\u200f\u2028\u2029\u202f\u205f\u3000\ufeff\\]/;

/**
 * Where to send a browser after sign-in: a path on this site only. `next` is resolved against our own origin and must
 * stay on it, and may not hold whitespace or control characters that browsers strip before they resolve (which is
 * how `/\t/evil.example` becomes `//evil.example`). A bad value is a 400 naming `next`, never a redirect.
 */
export function safeNext(next: string | undefined): string {
  if (next === undefined || next === '') return '/';
  if (REFUSED.test(next) || !next.startsWith('/')) throw new InvalidParameterError('next', 'must be a path on this site');
  const url = new URL(next, BASE);
  if (url.origin !== BASE) throw new InvalidParameterError('next', 'must be a path on this site');
  return `${url.pathname}${url.search}${url.hash}`;
}
