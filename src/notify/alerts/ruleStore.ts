import type { Queryable } from '../../db/queryable.ts';
import type { AlertOverrides } from './ruleSettings.ts';

/** A client's stored overrides ({} when it has none). */
export async function readOverrides(db: Queryable, clientId: string): Promise<AlertOverrides> {
  return (await readAllOverrides(db, [clientId])).get(clientId) ?? {};
}

/** The stored overrides of these clients; a client without any is absent. */
export async function readAllOverrides(db: Queryable, clientIds: readonly string[]): Promise<Map<string, AlertOverrides>> {
  const { rows } = await db.query<{ clientId: string; overrides: AlertOverrides }>(
    'SELECT client_id AS "clientId", overrides FROM notify.alert_rules WHERE client_id = ANY($1::text[])',
    [clientIds],
  );
  return new Map(rows.map((row) => [row.clientId, row.overrides]));
}

/** Replaces a client's overrides; `by` is the actor's label, for the record. */
export async function writeOverrides(db: Queryable, clientId: string, overrides: AlertOverrides, by: string): Promise<void> {
  await db.query(
    `INSERT INTO notify.alert_rules (client_id, overrides, updated_at, updated_by) VALUES ($1, $2, now(), $3)
     ON CONFLICT (client_id) DO UPDATE SET overrides = EXCLUDED.overrides, updated_at = now(), updated_by = EXCLUDED.updated_by`,
    [clientId, JSON.stringify(overrides), by.slice(0, 320)],
  );
}
