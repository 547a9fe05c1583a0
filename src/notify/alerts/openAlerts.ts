import type { Queryable } from '../../db/queryable.ts';

/** An alert that is pending or firing now, as the portfolio shows it next to its client. */
export interface OpenAlert { clientId: string; rule: string; state: 'pending' | 'firing'; since: string; title: string }

/** The open alerts of these clients, firing first, then the longest-standing. */
export async function openAlerts(db: Queryable, clientIds: readonly string[]): Promise<OpenAlert[]> {
  if (clientIds.length === 0) return [];
  const { rows } = await db.query<OpenAlert>(
    `SELECT client_id AS "clientId", rule, state,
            to_char(since AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') AS since, title
       FROM notify.alerts
      WHERE client_id = ANY($1::text[]) AND state IN ('pending', 'firing')
      ORDER BY state = 'firing' DESC, since, client_id, rule`,
    [clientIds],
  );
  return rows;
}
