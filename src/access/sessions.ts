import { createHash, randomBytes } from 'node:crypto';
import type { Queryable } from '../db/queryable.ts';
import type { ClientRole, Role } from './principal.ts';

/**
 * Browser sessions, kept in the platform database so that signing out, a password change, removing a person or
 * "sign out everywhere" ends them at once on every replica. The cookie holds 32 random bytes; only their SHA-256 is
 * stored, so a copy of the table signs nobody in.
 */
export interface SessionSettings {
  /** A session unused this long ends. */
  idleMs: number;
  /** And every session ends this long after it began, used or not. */
  absoluteMs: number;
}

export const DEFAULT_SESSIONS: SessionSettings = { idleMs: 7 * 86_400_000, absoluteMs: 30 * 86_400_000 };
/** `last_seen_at` is written at most this often per session: a page load makes a dozen requests. */
const TOUCH_EVERY_MS = 60_000;

const idHash = (token: string) => createHash('sha256').update(token).digest();

export type SessionOwner = { userId: string } | { keyFingerprint: string };

export interface SessionRecord {
  /** Absent for sessions signed in with a legacy key. */
  user: { id: string; email: string; name: string; role: Role; allClients: boolean; disabled: boolean; clients: Record<string, ClientRole> } | null;
  keyFingerprint: string | null;
  expiresAt: string;
}

/** Starts a session; returns the cookie value (never stored) and when it ends for good. */
export async function createSession(db: Queryable, owner: SessionOwner, settings: SessionSettings): Promise<{ token: string; expiresAt: Date }> {
  const token = randomBytes(32).toString('base64url');
  const expiresAt = new Date(Date.now() + settings.absoluteMs);
  await db.query(
    'INSERT INTO access.sessions (id_hash, user_id, key_fingerprint, expires_at) VALUES ($1, $2, $3, $4)',
    [idHash(token), 'userId' in owner ? owner.userId : null, 'keyFingerprint' in owner ? owner.keyFingerprint : null, expiresAt],
  );
  return { token, expiresAt };
}

/** The live session behind a cookie value, or null (unknown, idle too long, past its end, or its person disabled). */
export async function findSession(db: Queryable, token: string, settings: SessionSettings): Promise<SessionRecord | null> {
  const { rows } = await db.query<SessionRecord & { stale: boolean }>(
    `SELECT s.key_fingerprint AS "keyFingerprint", s.expires_at::text AS "expiresAt", s.last_seen_at < now() - $3 * interval '1 millisecond' AS stale,
            CASE WHEN u.id IS NULL THEN NULL ELSE jsonb_build_object(
              'id', u.id, 'email', u.email, 'name', u.name, 'role', u.role, 'allClients', u.all_clients, 'disabled', u.disabled_at IS NOT NULL,
              'clients', COALESCE((SELECT jsonb_object_agg(c.client_id, c.client_role) FROM access.user_clients c WHERE c.user_id = u.id), '{}'::jsonb))
            END AS "user"
       FROM access.sessions s LEFT JOIN access.users u ON u.id = s.user_id
      WHERE s.id_hash = $1 AND s.expires_at > now() AND s.last_seen_at > now() - $2 * interval '1 millisecond'`,
    [idHash(token), settings.idleMs, TOUCH_EVERY_MS],
  );
  const found = rows[0];
  if (!found || found.user?.disabled) return null;
  if (found.stale) await db.query('UPDATE access.sessions SET last_seen_at = now() WHERE id_hash = $1', [idHash(token)]);
  return { user: found.user, keyFingerprint: found.keyFingerprint, expiresAt: found.expiresAt };
}

export async function endSession(db: Queryable, token: string): Promise<void> {
  await db.query('DELETE FROM access.sessions WHERE id_hash = $1', [idHash(token)]);
}

/** Every session of a person (password changed, removed, "sign out everywhere"), but `keep` (the one asking). */
export async function endSessionsOf(db: Queryable, userId: string, keep: string | null = null): Promise<number> {
  const { rows } = await db.query(
    'DELETE FROM access.sessions WHERE user_id = $1 AND ($2::bytea IS NULL OR id_hash <> $2) RETURNING 1',
    [userId, keep === null ? null : idHash(keep)],
  );
  return rows.length;
}

/** Ended sessions are deleted now and then (the lookup never needs them). */
export async function pruneSessions(db: Queryable, settings: SessionSettings): Promise<void> {
  await db.query(`DELETE FROM access.sessions WHERE expires_at <= now() OR last_seen_at <= now() - $1 * interval '1 millisecond'`, [settings.idleMs]);
}
