import type { Queryable } from '../../db/queryable.ts';
import type { AlertRecord } from './alertState.ts';
import type { RuleName } from './ruleSettings.ts';

const COLUMNS = `id::int AS id, client_id AS "clientId", rule, state, since, failing_streak AS "failingStreak", episode, title,
  facts, evaluated_at AS "evaluatedAt", notified_state AS "notifiedState", notified_at AS "notifiedAt", notified_count AS "notifiedCount"`;

/** A client's alert records, by rule. */
export async function loadAlerts(db: Queryable, clientId: string): Promise<Map<RuleName, AlertRecord>> {
  const { rows } = await db.query<AlertRecord>(`SELECT ${COLUMNS} FROM notify.alerts WHERE client_id = $1`, [clientId]);
  return new Map(rows.map((row) => [row.rule, row]));
}

/**
 * Writes the record (its row is made on its first evaluation) and, when its state changed from `previous`, a
 * history row. Returns it with its id.
 */
export async function saveAlert(db: Queryable, record: AlertRecord, previous: AlertRecord['state'] | null): Promise<AlertRecord> {
  const values = [
    record.clientId, record.rule, record.state, record.since, record.failingStreak, record.episode, record.title,
    JSON.stringify(record.facts), record.evaluatedAt, record.notifiedState, record.notifiedAt, record.notifiedCount,
  ];
  const { rows } = await db.query<{ id: number }>(
    `INSERT INTO notify.alerts (client_id, rule, state, since, failing_streak, episode, title, facts, evaluated_at,
                                notified_state, notified_at, notified_count)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)
     ON CONFLICT (client_id, rule) DO UPDATE SET state = $3, since = $4, failing_streak = $5, episode = $6, title = $7,
       facts = $8, evaluated_at = $9, notified_state = $10, notified_at = $11, notified_count = $12
     RETURNING id::int AS id`,
    values,
  );
  const saved = { ...record, id: rows[0]!.id };
  const from = previous ?? 'ok';
  if (from !== record.state) {
    await db.query(
      `INSERT INTO notify.alert_history (alert_id, client_id, rule, at, from_state, to_state, title, facts)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`,
      [saved.id, record.clientId, record.rule, record.evaluatedAt, from, record.state, record.title, JSON.stringify(record.facts)],
    );
  }
  return saved;
}
