import type { Queryable } from '../../db/queryable.ts';

/** The people of a client (its members and its assigned operators), not disabled: an email channel's "members". */
export async function clientMemberEmails(db: Queryable, clientId: string): Promise<string[]> {
  const { rows } = await db.query<{ email: string }>(
    `SELECT u.email FROM access.user_clients uc JOIN access.users u ON u.id = uc.user_id
      WHERE uc.client_id = $1 AND u.disabled_at IS NULL ORDER BY u.email`,
    [clientId],
  );
  return rows.map((r) => r.email);
}
