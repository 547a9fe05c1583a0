import type { Queryable } from '../db/queryable.ts';

/**
 * Everything that grants access to one client: people's memberships, its service tokens, pending invitations naming
 * it. Dropped when a client is removed in the product, so that a new client given the same id later starts with no
 * one in it (a stale grant would otherwise read the newcomer's data). One statement: all of it or none.
 */
export async function dropClientGrants(db: Queryable, clientId: string): Promise<{ memberships: number; tokens: number; invitations: number }> {
  const { rows } = await db.query<{ memberships: number; tokens: number; invitations: number }>(
    `WITH memberships AS (DELETE FROM access.user_clients WHERE client_id = $1 RETURNING 1),
          tokens AS (UPDATE access.tokens SET revoked_at = now() WHERE kind = 'service' AND client_id = $1 AND revoked_at IS NULL RETURNING 1),
          invitations AS (UPDATE access.invitations SET revoked_at = now()
                           WHERE purpose = 'invite' AND used_at IS NULL AND revoked_at IS NULL AND clients ? $1 RETURNING 1)
     SELECT (SELECT count(*) FROM memberships)::int AS memberships, (SELECT count(*) FROM tokens)::int AS tokens,
            (SELECT count(*) FROM invitations)::int AS invitations`,
    [clientId],
  );
  return rows[0]!;
}
