import { readString, type Env, type Problems } from './env.ts';

/** A master key: wraps the data keys of values the platform database keeps encrypted (src/platform/secrets.ts). */
export interface MasterKey {
  /** Stored with every value it wraps, so a value names the key it needs. Not a secret. */
  kid: string;
  /** 32 bytes (AES-256). A secret: never logged. */
  key: Buffer;
}

export interface SecretsConfig {
  /** `ENCRYPTION_KEYS`, in order: the first encrypts new values, the others still decrypt. Empty when unset. */
  keys: MasterKey[];
}

export const KEY_ID = /^[A-Za-z0-9_-]{1,32}$/;
const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=|[A-Za-z0-9+/]{4})$/;
const BASE64URL = /^[A-Za-z0-9_-]{43}$/;

/**
 * `ENCRYPTION_KEYS=k2:<base64 of 32 bytes>,k1:<…>` (make one with `openssl rand -base64 32`). Problems never echo a
 * key, and echo a key id only once it looks like one (an entry without `kid:` may be a bare key).
 */
export function parseSecrets(env: Env, problems: Problems): SecretsConfig {
  const raw = readString(env, 'ENCRYPTION_KEYS');
  if (raw === undefined) return { keys: [] };
  const keys: MasterKey[] = [];
  raw.split(',').map((entry) => entry.trim()).forEach((entry, i) => {
    const at = `entry ${i + 1}`;
    const colon = entry.indexOf(':');
    if (colon < 0) return problems.add('ENCRYPTION_KEYS', `${at} is not "kid:base64-of-32-bytes" (the key id and ":" are missing)`);
    const kid = entry.slice(0, colon).trim();
    const material = entry.slice(colon + 1).trim();
    if (!KEY_ID.test(kid)) return problems.add('ENCRYPTION_KEYS', `${at}: the key id must be 1–32 letters, digits, "-" or "_"`);
    if (keys.some((k) => k.kid === kid)) return problems.add('ENCRYPTION_KEYS', `key id "${kid}" appears twice`);
    const key = BASE64.test(material) || BASE64URL.test(material) ? Buffer.from(material, BASE64.test(material) ? 'base64' : 'base64url') : null;
    if (!key || key.length !== 32) return problems.add('ENCRYPTION_KEYS', `key "${kid}" is not 32 bytes of base64 (make one with: openssl rand -base64 32)`);
    keys.push({ kid, key });
  });
  return { keys };
}
