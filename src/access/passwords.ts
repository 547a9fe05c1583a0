import { argon2, randomBytes, timingSafeEqual } from 'node:crypto';
import { createRequire } from 'node:module';
import { promisify } from 'node:util';
import type * as Zxcvbn from '@zxcvbn-ts/core';
import type * as Common from '@zxcvbn-ts/language-common';
import type * as English from '@zxcvbn-ts/language-en';
import { hasControlCharacters } from '../analytics/errors.ts';

/**
 * Passwords are stored as argon2id (Node's own, OpenSSL's implementation) with OWASP's parameters — 19 MiB, 2 passes,
 * 1 lane — in the PHC string format, so the parameters travel with each hash and can be raised later.
 */
const hash = promisify(argon2);
const PARAMS = { memory: 19_456, passes: 2, parallelism: 1, tagLength: 32 };
const PHC = /^\$argon2id\$v=19\$m=(\d+),t=(\d+),p=(\d+)\$([A-Za-z0-9+/]+)\$([A-Za-z0-9+/]+)$/;

const b64 = (buffer: Buffer) => buffer.toString('base64').replace(/=+$/, '');

export async function hashPassword(password: string): Promise<string> {
  const nonce = randomBytes(16);
  const tag = await hash('argon2id', { message: password, nonce, ...PARAMS });
  return `$argon2id$v=19$m=${PARAMS.memory},t=${PARAMS.passes},p=${PARAMS.parallelism}$${b64(nonce)}$${b64(tag)}`;
}

/** Constant-time comparison of the derived tags; a malformed stored value never matches. */
export async function verifyPassword(password: string, stored: string | null): Promise<boolean> {
  const parts = stored ? PHC.exec(stored) : null;
  if (!parts) {
    await hashPassword(password); // the same work either way: timing does not tell whether the account exists
    return false;
  }
  const [, memory, passes, parallelism, nonce, expected] = parts;
  const wanted = Buffer.from(expected!, 'base64');
  const tag = await hash('argon2id', {
    message: password, nonce: Buffer.from(nonce!, 'base64'),
    memory: Number(memory), passes: Number(passes), parallelism: Number(parallelism), tagLength: wanted.length,
  });
  return tag.length === wanted.length && timingSafeEqual(tag, wanted);
}

/**
 * Built on the first password checked, not at start: the dictionaries cost a process ~50 MiB (measured with
 * `import()` on Node 24), and most processes never see a new password.
 */
const load = createRequire(import.meta.url);
let estimator: Zxcvbn.ZxcvbnFactory | undefined;
function strength(): Zxcvbn.ZxcvbnFactory {
  if (estimator) return estimator;
  const { ZxcvbnFactory } = load('@zxcvbn-ts/core') as typeof Zxcvbn;
  const common = load('@zxcvbn-ts/language-common') as typeof Common;
  const english = load('@zxcvbn-ts/language-en') as typeof English;
  return (estimator = new ZxcvbnFactory({
    dictionary: { ...common.dictionary, ...english.dictionary },
    graphs: common.adjacencyGraphs,
    translations: english.translations,
  }));
}

export const MIN_PASSWORD_LENGTH = 12;
const MAX_PASSWORD_LENGTH = 256;

/**
 * Why a new password is refused, or null. NIST SP 800-63B: a length floor, no composition rules, and no password
 * found in lists of common and breached passwords — zxcvbn's dictionaries hold those, and its estimate catches
 * the rest (keyboard walks, repeats, dates, the person's own email).
 */
export function passwordProblem(password: string, context: string[] = []): string | null {
  if (password.length < MIN_PASSWORD_LENGTH) return `must be at least ${MIN_PASSWORD_LENGTH} characters`;
  if (password.length > MAX_PASSWORD_LENGTH) return `must be at most ${MAX_PASSWORD_LENGTH} characters`;
  if (hasControlCharacters(password)) return 'must not contain control characters'; // nobody can type them at sign-in
  const result = strength().check(password, context);
  if (result.score >= 3) return null;
  const warning = result.feedback.warning;
  return `is too easy to guess${warning ? ` (${warning.replace(/\.$/, '').toLowerCase()})` : ''}: use a longer phrase of unrelated words`;
}
