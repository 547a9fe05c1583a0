import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';

/**
 * How a webhook receiver knows a body is ours and fresh. Each request carries
 *   X-Signature-Timestamp: <unix seconds>
 *   X-Signature: sha256=<hex HMAC-SHA256 of "<timestamp>.<raw body>" under the channel's secret>
 * A receiver recomputes the HMAC over the raw bytes it received, compares in constant time, and refuses a timestamp
 * more than a few minutes from its clock (a replayed request). `verifySignature` below is exactly that.
 */
export const SIGNATURE_HEADER = 'x-signature';
export const TIMESTAMP_HEADER = 'x-signature-timestamp';
/** The prefix of every webhook secret we generate (so a leaked one is recognisable, and the log scan finds it). */
export const SECRET_PREFIX = 'whsec_';
export const REPLAY_WINDOW_SECONDS = 300;

export const newWebhookSecret = () => `${SECRET_PREFIX}${randomBytes(32).toString('base64url')}`;

export function signature(secret: string, timestamp: number, body: string): string {
  return `sha256=${createHmac('sha256', secret).update(`${timestamp}.`).update(body).digest('hex')}`;
}

export function signedHeaders(secret: string, body: string, now = new Date()): Record<string, string> {
  const timestamp = Math.floor(now.getTime() / 1000);
  return { [TIMESTAMP_HEADER]: String(timestamp), [SIGNATURE_HEADER]: signature(secret, timestamp, body) };
}

/** What a receiver does: true when the signature matches the body and the timestamp is within the window. */
export function verifySignature(secret: string, headers: { timestamp?: string; signature?: string }, rawBody: string, now = new Date()): boolean {
  const timestamp = Number(headers.timestamp);
  if (!Number.isInteger(timestamp) || Math.abs(now.getTime() / 1000 - timestamp) > REPLAY_WINDOW_SECONDS) return false;
  const expected = Buffer.from(signature(secret, timestamp, rawBody));
  const given = Buffer.from(headers.signature ?? '');
  return given.length === expected.length && timingSafeEqual(given, expected);
}
