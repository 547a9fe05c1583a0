import { createHash, randomBytes } from 'node:crypto';
import type { Queryable } from '../db/queryable.ts';
import type { ClientRole, Role } from './principal.ts';

/**
 * API tokens, the way to integrate: personal tokens act as their owner does at each use (their current role and
 * clients; a removed or disabled person's tokens stop at once), service tokens read one client as a viewer. A secret
 * is `cba_pat_` or `cba_svc_` and 43 base64url characters (32 random bytes); it is returned once, when created, and
 * only its SHA-256 is stored. Its first 12 characters are kept as the display prefix — never more.
 */
export type TokenKind = 'personal' | 'service';
export const TOKEN_KINDS: readonly TokenKind[] = ['personal', 'service'];

const MARKER: Record<TokenKind, string> = { personal: 'cba_pat_', service: 'cba_svc_' };
/** Every token secret starts with this (anything else presented as a bearer credential is a legacy key). */
export const TOKEN_PREFIX = 'cba_';
const SECRET_SHAPE = /^cba_(?:pat|svc)_[A-Za-z0-9_-]{43}$/;
export const DISPLAY_PREFIX_LENGTH = 12;
export const MAX_TOKEN_NAME = 100;
/** `last_used_at` is written at most this often per token: an integration makes many requests a minute. */
const TOUCH_EVERY_MS = 60_000;

const secretHash = (secret: string) => createHash('sha256').update(secret).digest();

/** A token as it is listed: never its secret or hash. */
export interface Token {
  id: string;
  kind: TokenKind;
  name: string;
  prefix: string;
  /** Service tokens: the client they read. */
  clientId: string | null;
  /** Personal tokens: the owner. */
  userId: string | null;
  ownerEmail: string | null;
  createdBy: string | null;
  createdAt: string;
  expiresAt: string | null;
  lastUsedAt: string | null;
  revokedAt: string | null;
}

const instant = (column: string) => `to_char(${column} AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')`;
const SELECT = `SELECT t.id, t.kind, t.name, t.prefix, t.client_id AS "clientId", t.user_id AS "userId", u.email AS "ownerEmail",
       t.created_by AS "createdBy", ${instant('t.created_at')} AS "createdAt", ${instant('t.expires_at')} AS "expiresAt",
       ${instant('t.last_used_at')} AS "lastUsedAt", ${instant('t.revoked_at')} AS "revokedAt"
  FROM access.tokens t LEFT JOIN access.users u ON u.id = t.user_id`;

export type NewToken = { name: string; expiresAt: Date | null; createdBy: string | null } & (
  | { kind: 'personal'; userId: string }
  | { kind: 'service'; clientId: string }
);

/** Creates a token; returns its secret (shown this once, never stored) and the token as listed. */
export async function createToken(db: Queryable, spec: NewToken): Promise<{ secret: string; token: Token }> {
  const secret = `${MARKER[spec.kind]}${randomBytes(32).toString('base64url')}`;
  const { rows } = await db.query<{ id: string }>(
    `INSERT INTO access.tokens (kind, user_id, client_id, name, prefix, secret_hash, created_by, expires_at)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING id`,
    [spec.kind, spec.kind === 'personal' ? spec.userId : null, spec.kind === 'service' ? spec.clientId : null, spec.name,
      secret.slice(0, DISPLAY_PREFIX_LENGTH), secretHash(secret), spec.createdBy, spec.expiresAt],
  );
  return { secret, token: (await tokenById(db, rows[0]!.id))! };
}

export async function tokenById(db: Queryable, id: string): Promise<Token | null> {
  if (!/^[0-9a-f-]{36}$/i.test(id)) return null;
  const { rows } = await db.query<Token>(`${SELECT} WHERE t.id = $1`, [id]);
  return rows[0] ?? null;
}

/** Which tokens to list: every one, and/or an owner's personal tokens, and/or the service tokens of these clients. */
export interface TokenFilter {
  everything?: boolean;
  ownerId?: string | null;
  clientIds?: readonly string[];
}

/** Newest first; revoked and expired ones too (they say so), at most `limit`. */
export async function listTokens(db: Queryable, filter: TokenFilter, limit = 1000): Promise<Token[]> {
  const { rows } = await db.query<Token>(
    `${SELECT} WHERE $1::boolean OR t.user_id = $2::uuid OR (t.kind = 'service' AND t.client_id = ANY($3::text[]))
      ORDER BY t.created_at DESC, t.id LIMIT $4`,
    [filter.everything ?? false, filter.ownerId ?? null, [...(filter.clientIds ?? [])], limit],
  );
  return rows;
}

/** Revokes a token at once (every replica: the next look-up fails); an already revoked one keeps its time. */
export async function revokeToken(db: Queryable, id: string): Promise<Token | null> {
  if (!/^[0-9a-f-]{36}$/i.test(id)) return null;
  await db.query('UPDATE access.tokens SET revoked_at = COALESCE(revoked_at, now()) WHERE id = $1', [id]);
  return tokenById(db, id);
}

/** What a live token stands for: a personal token's owner as they are now, or a service token's client. */
export interface TokenGrant {
  id: string;
  name: string;
  kind: TokenKind;
  clientId: string | null;
  owner: { id: string; email: string; role: Role; allClients: boolean; clients: Record<string, ClientRole> } | null;
}

/**
 * The live token behind a secret, or null: unknown, malformed, revoked, expired, or a personal token whose owner is
 * disabled (a removed owner's tokens are gone with them). Marks it used, at most once a minute.
 */
export async function findTokenBySecret(db: Queryable, secret: string): Promise<TokenGrant | null> {
  if (!SECRET_SHAPE.test(secret)) return null;
  const { rows } = await db.query<TokenGrant & { stale: boolean; ownerDisabled: boolean | null }>(
    `SELECT t.id, t.name, t.kind, t.client_id AS "clientId", u.disabled_at IS NOT NULL AS "ownerDisabled",
            t.last_used_at IS NULL OR t.last_used_at < now() - $2 * interval '1 millisecond' AS stale,
            CASE WHEN u.id IS NULL THEN NULL ELSE jsonb_build_object(
              'id', u.id, 'email', u.email, 'role', u.role, 'allClients', u.all_clients,
              'clients', COALESCE((SELECT jsonb_object_agg(c.client_id, c.client_role) FROM access.user_clients c WHERE c.user_id = u.id), '{}'::jsonb))
            END AS owner
       FROM access.tokens t LEFT JOIN access.users u ON u.id = t.user_id
      WHERE t.secret_hash = $1 AND t.revoked_at IS NULL AND (t.expires_at IS NULL OR t.expires_at > now())`,
    [secretHash(secret), TOUCH_EVERY_MS],
  );
  const found = rows[0];
  if (!found) return null;
  if (found.kind === 'personal' && (!found.owner || found.ownerDisabled)) return null;
  if (found.kind === 'service' && !found.clientId) return null;
  if (found.stale) {
    await db.query(
      `UPDATE access.tokens SET last_used_at = now()
        WHERE id = $1 AND (last_used_at IS NULL OR last_used_at < now() - $2 * interval '1 millisecond')`,
      [found.id, TOUCH_EVERY_MS],
    );
  }
  return { id: found.id, name: found.name, kind: found.kind, clientId: found.clientId, owner: found.owner };
}
