import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import type { MasterKey } from '../config/secrets.ts';

/**
 * Values the platform database keeps encrypted (client database URLs), by envelope encryption with AES-256-GCM:
 * each value gets a random data key that encrypts it, and that data key is encrypted ("wrapped") under a master key
 * from `ENCRYPTION_KEYS`. What is stored names the master key (`kid`), so a value under an older key still opens
 * while that key is configured, and rotating re-wraps only the data keys. The value's ciphertext is bound to where
 * it is stored (`context`, e.g. the client id): moved to another row, it no longer opens.
 *
 * Stored as `{ v: 1, kid, wrappedKey, iv, tag, ciphertext }` (base64; `wrappedKey` is the wrap's IV, tag and the
 * encrypted data key, 12 + 16 + 32 bytes).
 */
export interface Envelope {
  v: 1;
  kid: string;
  wrappedKey: string;
  iv: string;
  tag: string;
  ciphertext: string;
}

const ALGORITHM = 'aes-256-gcm';
const IV_BYTES = 12;
const TAG_BYTES = 16;
const KEY_BYTES = 32;

/** Why a stored value cannot be opened; the message names the key id (never a key or the value). */
export class SecretError extends Error {
  constructor(readonly reason: 'no-keys' | 'unknown-key' | 'tampered' | 'malformed', readonly kid: string | null, message: string) {
    super(message);
    this.name = 'SecretError';
  }
}

/** No master key is configured: nothing can be encrypted (and stored values cannot be opened). */
export class EncryptionNotConfiguredError extends Error {
  constructor() {
    super('ENCRYPTION_KEYS is not set: a database URL can only be saved encrypted; set ENCRYPTION_KEYS (see README, Configuration) and restart');
    this.name = 'EncryptionNotConfiguredError';
  }
}

const b64 = (buffer: Buffer) => buffer.toString('base64');
/** The wrap is bound to the format version and the master key id. */
const wrapAad = (kid: string) => Buffer.from(`chatbot-analytics:envelope:v1:${kid}`);

function encrypt(key: Buffer, plaintext: Buffer, aad: Buffer): { iv: Buffer; tag: Buffer; ciphertext: Buffer } {
  const iv = randomBytes(IV_BYTES);
  const cipher = createCipheriv(ALGORITHM, key, iv, { authTagLength: TAG_BYTES });
  cipher.setAAD(aad);
  const ciphertext = Buffer.concat([cipher.update(plaintext), cipher.final()]);
  return { iv, tag: cipher.getAuthTag(), ciphertext };
}

/** Throws on a wrong key or altered bytes (GCM authentication). */
function decrypt(key: Buffer, iv: Buffer, tag: Buffer, ciphertext: Buffer, aad: Buffer): Buffer {
  const decipher = createDecipheriv(ALGORITHM, key, iv, { authTagLength: TAG_BYTES });
  decipher.setAAD(aad);
  decipher.setAuthTag(tag);
  return Buffer.concat([decipher.update(ciphertext), decipher.final()]);
}

/** The master keys in force: the first (current) encrypts, any of them decrypts what it wrapped. */
export class SecretBox {
  private readonly keys: ReadonlyMap<string, Buffer>;
  readonly currentKid: string;

  /** `ephemeral`: a key made for this process only (the embedded platform database, which starts empty anyway). */
  constructor(keys: readonly MasterKey[], readonly ephemeral = false) {
    if (keys.length === 0) throw new Error('SecretBox needs at least one master key');
    for (const { kid, key } of keys) if (key.length !== KEY_BYTES) throw new Error(`master key "${kid}" is not ${KEY_BYTES} bytes`);
    this.keys = new Map(keys.map(({ kid, key }) => [kid, key]));
    this.currentKid = keys[0]!.kid;
  }

  static ephemeral(): SecretBox {
    return new SecretBox([{ kid: `process-${randomBytes(4).toString('hex')}`, key: randomBytes(KEY_BYTES) }], true);
  }

  get kids(): string[] {
    return [...this.keys.keys()];
  }

  /** Encrypts `plaintext` under a fresh data key, wrapped under the current master key. */
  seal(plaintext: string, context: string): Envelope {
    const dataKey = randomBytes(KEY_BYTES);
    try {
      const value = encrypt(dataKey, Buffer.from(plaintext, 'utf8'), Buffer.from(context));
      return { v: 1, kid: this.currentKid, wrappedKey: this.wrap(dataKey, this.currentKid), iv: b64(value.iv), tag: b64(value.tag), ciphertext: b64(value.ciphertext) };
    } finally {
      dataKey.fill(0);
    }
  }

  /** The plaintext of a sealed value, or a `SecretError` naming the key it needs. */
  open(stored: unknown, context: string): string {
    const envelope = parseEnvelope(stored);
    const dataKey = this.unwrap(envelope);
    try {
      return decrypt(dataKey, fromB64(envelope.iv, IV_BYTES), fromB64(envelope.tag, TAG_BYTES), fromB64(envelope.ciphertext), Buffer.from(context)).toString('utf8');
    } catch {
      throw new SecretError('tampered', envelope.kid, `the stored value does not authenticate: it was altered or belongs to another record (key "${envelope.kid}")`);
    } finally {
      dataKey.fill(0);
    }
  }

  /** Whether the value is wrapped under an older key than the current one. */
  isCurrent(stored: unknown): boolean {
    return parseEnvelope(stored).kid === this.currentKid;
  }

  /**
   * The same value with its data key wrapped under the current master key (the ciphertext is unchanged): what
   * rotation does. Values already under the current key come back as they are.
   */
  rewrap(stored: unknown): Envelope {
    const envelope = parseEnvelope(stored);
    if (envelope.kid === this.currentKid) return envelope;
    const dataKey = this.unwrap(envelope);
    try {
      return { ...envelope, kid: this.currentKid, wrappedKey: this.wrap(dataKey, this.currentKid) };
    } finally {
      dataKey.fill(0);
    }
  }

  private wrap(dataKey: Buffer, kid: string): string {
    const wrapped = encrypt(this.keys.get(kid)!, dataKey, wrapAad(kid));
    return b64(Buffer.concat([wrapped.iv, wrapped.tag, wrapped.ciphertext]));
  }

  private unwrap(envelope: Envelope): Buffer {
    const master = this.keys.get(envelope.kid);
    if (!master) {
      throw new SecretError('unknown-key', envelope.kid,
        `encrypted under key "${envelope.kid}", which ENCRYPTION_KEYS does not hold (it holds ${this.kids.map((k) => `"${k}"`).join(', ')})`);
    }
    const wrapped = fromB64(envelope.wrappedKey, IV_BYTES + TAG_BYTES + KEY_BYTES);
    try {
      return decrypt(master, wrapped.subarray(0, IV_BYTES), wrapped.subarray(IV_BYTES, IV_BYTES + TAG_BYTES), wrapped.subarray(IV_BYTES + TAG_BYTES), wrapAad(envelope.kid));
    } catch {
      throw new SecretError('tampered', envelope.kid, `key "${envelope.kid}" in ENCRYPTION_KEYS is not the key this value was encrypted under (or the value was altered)`);
    }
  }
}

/** What opening a value says when no master key is configured at all. */
export function noKeysError(stored: unknown): SecretError {
  let kid: string | null = null;
  try {
    kid = parseEnvelope(stored).kid;
  } catch {
    // malformed: say so without a key id
  }
  return new SecretError('no-keys', kid, `encrypted under key "${kid ?? '?'}", but ENCRYPTION_KEYS is not set`);
}

function fromB64(text: string, bytes?: number): Buffer {
  const buffer = Buffer.from(text, 'base64');
  if (bytes !== undefined && buffer.length !== bytes) throw new SecretError('malformed', null, 'the stored value is not a valid envelope');
  return buffer;
}

function parseEnvelope(stored: unknown): Envelope {
  const e = (typeof stored === 'string' ? safeJson(stored) : stored) as Partial<Envelope> | null;
  const fields = ['kid', 'wrappedKey', 'iv', 'tag', 'ciphertext'] as const;
  if (!e || typeof e !== 'object' || e.v !== 1 || fields.some((f) => typeof e[f] !== 'string')) {
    throw new SecretError('malformed', null, 'the stored value is not a valid envelope (version 1)');
  }
  return e as Envelope;
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return null;
  }
}
