import { createHash, randomBytes } from 'node:crypto';
import type { Queryable } from '../db/queryable.ts';
import type { ClientRole, Role } from './principal.ts';
import { normaliseEmail } from './users.ts';

/**
 * Invitations and password resets: single-use links that expire. The link holds 32 random bytes (base64url, 43
 * characters); only their SHA-256 is stored. Using one is one conditional UPDATE, so of two uses at once exactly one
 * wins. A new invitation for an email, or a new reset for a person, withdraws the earlier ones still pending.
 */
export type InvitationPurpose = 'invite' | 'reset';

/** An invitation lasts 48 hours (the figure): long enough to be found in a mailbox after a weekend. */
export const INVITATION_MS = 48 * 3_600_000;
/** A reset the person asked for at the sign-in page lasts 2 hours: it goes to their mailbox and is used at once. */
export const SELF_RESET_MS = 2 * 3_600_000;
/** A reset an admin (or operator) creates for a person is handed over like an invitation, and lasts as long. */
export const ADMIN_RESET_MS = INVITATION_MS;

export const TOKEN_PATTERN = /^[A-Za-z0-9_-]{43}$/;

export interface Invitation {
  id: string;
  purpose: InvitationPurpose;
  email: string;
  /** An invitation's role; null for a reset. */
  role: Role | null;
  allClients: boolean;
  clients: Record<string, ClientRole>;
  /** A reset's person. */
  userId: string | null;
  invitedBy: { id: string | null; label: string };
  createdAt: string;
  expiresAt: string;
  usedAt: string | null;
  revokedAt: string | null;
}

/** Where a link stands: only a live one may be used. */
export type LinkState = 'live' | 'expired' | 'used' | 'revoked';

const tokenHash = (token: string) => createHash('sha256').update(token).digest();
const utc = (column: string) => `to_char(${column} AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"')`;

const SELECT = `SELECT i.id, i.purpose, i.email, i.role, i.all_clients AS "allClients", i.clients, i.user_id AS "userId",
       jsonb_build_object('id', i.invited_by, 'label', i.invited_by_label) AS "invitedBy",
       ${utc('i.created_at')} AS "createdAt", ${utc('i.expires_at')} AS "expiresAt",
       ${utc('i.used_at')} AS "usedAt", ${utc('i.revoked_at')} AS "revokedAt",
       CASE WHEN i.used_at IS NOT NULL THEN 'used' WHEN i.revoked_at IS NOT NULL AND i.revoked_at < i.expires_at THEN 'revoked'
            WHEN i.expires_at <= now() THEN 'expired' ELSE 'live' END AS state
  FROM access.invitations i`;
const LIVE = 'i.used_at IS NULL AND i.revoked_at IS NULL AND i.expires_at > now()';

type Row = Invitation & { state: LinkState };
const toInvitation = ({ state: _state, ...row }: Row): Invitation => row;

export interface Creator {
  /** The person creating it; null for a key, a service token, the open platform, or someone asking for their own reset. */
  id: string | null;
  label: string;
}

/** Unique violation: another link for the same address or person was made at the same moment (retried). */
const UNIQUE_VIOLATION = '23505';

async function insert(db: Queryable, values: {
  purpose: InvitationPurpose; email: string; role: Role | null; allClients: boolean; clients: Record<string, ClientRole>;
  userId: string | null; by: Creator; ttlMs: number;
}): Promise<{ invitation: Invitation; token: string }> {
  for (let attempt = 1; ; attempt++) {
    // The earlier unused links of this address (invitations) or person (resets) are withdrawn, so only the newest
    // works; expired ones are closed too, as the unique index wants. Another link made between the two statements
    // breaks that index: then both run again (each statement commits on its own, no transaction is held).
    await db.query(
      `UPDATE access.invitations SET revoked_at = now()
        WHERE purpose = $1 AND used_at IS NULL AND revoked_at IS NULL
          AND CASE WHEN $1 = 'reset' THEN user_id = $2::uuid ELSE lower(email) = $3 END`,
      [values.purpose, values.userId, normaliseEmail(values.email)],
    );
    const token = randomBytes(32).toString('base64url');
    try {
      const { rows } = await db.query<{ id: string }>(
        `INSERT INTO access.invitations (purpose, token_hash, email, role, all_clients, clients, user_id, invited_by, invited_by_label, expires_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, now() + $10 * interval '1 millisecond') RETURNING id`,
        [values.purpose, tokenHash(token), normaliseEmail(values.email), values.role, values.allClients, JSON.stringify(values.clients),
          values.userId, values.by.id, values.by.label.slice(0, 320), values.ttlMs],
      );
      return { invitation: (await invitationById(db, rows[0]!.id))!, token };
    } catch (error) {
      if ((error as { code?: string }).code !== UNIQUE_VIOLATION || attempt >= 10) throw error;
    }
  }
}

export interface NewInvitation {
  email: string;
  role: Role;
  allClients: boolean;
  clients: Record<string, ClientRole>;
}

/** An invitation for `email` (48 hours), replacing any earlier one; returns the token (never stored) for the link. */
export function createInvitation(db: Queryable, invite: NewInvitation, by: Creator, ttlMs = INVITATION_MS) {
  return insert(db, { purpose: 'invite', ...invite, userId: null, by, ttlMs });
}

/** A password reset for a person; earlier pending resets of theirs are withdrawn (only the newest link works). */
export function createReset(db: Queryable, user: { id: string; email: string }, by: Creator, ttlMs: number) {
  return insert(db, { purpose: 'reset', email: user.email, role: null, allClients: false, clients: {}, userId: user.id, by, ttlMs });
}

export async function invitationById(db: Queryable, id: string): Promise<Invitation | null> {
  if (!/^[0-9a-f-]{36}$/i.test(id)) return null;
  const { rows } = await db.query<Row>(`${SELECT} WHERE i.id = $1`, [id]);
  return rows[0] ? toInvitation(rows[0]) : null;
}

/** The link behind `token` and where it stands, or null for a token never issued (or of the wrong shape). */
export async function findByToken(db: Queryable, token: string, purpose: InvitationPurpose): Promise<{ invitation: Invitation; state: LinkState } | null> {
  if (!TOKEN_PATTERN.test(token)) return null;
  const { rows } = await db.query<Row>(`${SELECT} WHERE i.token_hash = $1 AND i.purpose = $2`, [tokenHash(token), purpose]);
  return rows[0] ? { invitation: toInvitation(rows[0]), state: rows[0].state } : null;
}

/** Uses a live link once: the invitation, or null when it was used, withdrawn or expired meanwhile (or never was). */
export async function useToken(db: Queryable, token: string, purpose: InvitationPurpose): Promise<Invitation | null> {
  if (!TOKEN_PATTERN.test(token)) return null;
  const { rows } = await db.query<{ id: string }>(
    `UPDATE access.invitations i SET used_at = now() WHERE i.token_hash = $1 AND i.purpose = $2 AND ${LIVE} RETURNING i.id`,
    [tokenHash(token), purpose],
  );
  return rows[0] ? invitationById(db, rows[0].id) : null;
}

/** Withdraws a pending invitation or reset; false when it was not pending any more. */
export async function revokeInvitation(db: Queryable, id: string): Promise<boolean> {
  if (!/^[0-9a-f-]{36}$/i.test(id)) return false;
  const { rows } = await db.query(`UPDATE access.invitations i SET revoked_at = now() WHERE i.id = $1 AND ${LIVE} RETURNING 1`, [id]);
  return rows.length > 0;
}

/** Pending (live) invitations, newest first; `email` narrows them to one address. */
export async function pendingInvitations(db: Queryable, email?: string): Promise<Invitation[]> {
  const { rows } = await db.query<Row>(
    `${SELECT} WHERE i.purpose = 'invite' AND ${LIVE} AND ($1::text IS NULL OR lower(i.email) = $1) ORDER BY i.created_at DESC, i.id`,
    [email === undefined ? null : normaliseEmail(email)],
  );
  return rows.map(toInvitation);
}

/** Links that can no longer be used are deleted a while after they ended (a week: long enough to say why one failed). */
export async function pruneInvitations(db: Queryable): Promise<void> {
  await db.query(`DELETE FROM access.invitations WHERE COALESCE(used_at, revoked_at, expires_at) < now() - interval '7 days'`);
}
