import type { Queryable } from '../../db/queryable.ts';
import type { AlertState } from './alertState.ts';

/** An alert as the API answers it. */
export interface AlertView {
  clientId: string;
  rule: string;
  state: AlertState;
  since: string;
  title: string;
  facts: Record<string, unknown>;
  evaluatedAt: string;
  lastNotifiedAt: string | null;
}

export interface AlertChange {
  id: number;
  clientId: string;
  rule: string;
  at: string;
  from: AlertState;
  to: AlertState;
  title: string;
  facts: Record<string, unknown>;
}

const iso = (column: string) => `to_char(${column} AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')`;

/** The current alerts of these clients, in `states` when given; firing first. */
export async function listAlerts(db: Queryable, clientIds: readonly string[], states: readonly AlertState[] | null): Promise<AlertView[]> {
  const { rows } = await db.query<AlertView>(
    `SELECT client_id AS "clientId", rule, state, ${iso('since')} AS since, title, facts,
            ${iso('evaluated_at')} AS "evaluatedAt", ${iso('notified_at')} AS "lastNotifiedAt"
       FROM notify.alerts
      WHERE client_id = ANY($1::text[]) AND ($2::text[] IS NULL OR state = ANY($2::text[]))
      ORDER BY array_position(ARRAY['firing', 'pending', 'resolved', 'ok'], state), since DESC, client_id, rule`,
    [clientIds, states],
  );
  return rows;
}

/** Changes of state of these clients' alerts, newest first; `before` pages on by id. */
export async function alertHistory(db: Queryable, clientIds: readonly string[], limit: number, before: number | null): Promise<AlertChange[]> {
  const { rows } = await db.query<AlertChange>(
    `SELECT id::int AS id, client_id AS "clientId", rule, ${iso('at')} AS at, from_state AS "from", to_state AS "to", title, facts
       FROM notify.alert_history
      WHERE client_id = ANY($1::text[]) AND ($2::bigint IS NULL OR id < $2)
      ORDER BY id DESC
      LIMIT $3`,
    [clientIds, before, limit],
  );
  return rows;
}
