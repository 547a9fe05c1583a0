import type { Queryable } from '../../db/queryable.ts';
import type { ReportKind } from './schedule.ts';

/** One report due: a client (or '*', the digest), a kind and the period it covers; sent once. */
export interface ReportRun {
  id: number;
  clientId: string;
  kind: ReportKind;
  periodStart: Date;
  periodEnd: Date;
  dueAt: Date;
  attempts: number;
  sentAt: Date | null;
}

const COLUMNS = `id::int AS id, client_id AS "clientId", kind, period_start AS "periodStart", period_end AS "periodEnd",
  due_at AS "dueAt", attempts, sent_at AS "sentAt"`;

/** How long a send job may run before the queue takes it as lost (its process died) and retries it (default). */
export const SEND_TIMEOUT_SECONDS = 600;
/**
 * How long a sender holds a run: longer than rendering and sending take; a crashed sender's hold runs out. Half the
 * send job's timeout, so the retry of a send whose process died finds the hold over.
 */
export const leaseSeconds = (sendTimeoutSeconds = SEND_TIMEOUT_SECONDS) => sendTimeoutSeconds / 2;

/**
 * Records a due report; null when some replica (or an earlier tick) already did. The unique key decides: every
 * replica may tick at the same minute, and exactly one of them gets the row back and queues its send.
 */
export async function recordRun(db: Queryable, run: Pick<ReportRun, 'clientId' | 'kind' | 'periodStart' | 'periodEnd' | 'dueAt'>): Promise<ReportRun | null> {
  const { rows } = await db.query<ReportRun>(
    `INSERT INTO notify.report_runs (client_id, kind, period_start, period_end, due_at) VALUES ($1, $2, $3, $4, $5)
     ON CONFLICT (client_id, kind, period_start) DO NOTHING RETURNING ${COLUMNS}`,
    [run.clientId, run.kind, run.periodStart, run.periodEnd, run.dueAt],
  );
  return rows[0] ?? null;
}

export async function runById(db: Queryable, id: number): Promise<ReportRun | null> {
  const { rows } = await db.query<ReportRun>(`SELECT ${COLUMNS} FROM notify.report_runs WHERE id = $1`, [id]);
  return rows[0] ?? null;
}

export type Claim = { state: 'claimed'; run: ReportRun } | { state: 'sent' | 'held' | 'missing' };

/** Takes the run to send it: 'held' while another sender's lease lasts, 'sent' when it is done already. */
export async function claimRun(db: Queryable, id: number, now: Date, holdSeconds = leaseSeconds()): Promise<Claim> {
  const { rows } = await db.query<ReportRun>(
    `UPDATE notify.report_runs SET lease_until = $2::timestamptz + make_interval(secs => $3), attempts = attempts + 1
      WHERE id = $1 AND sent_at IS NULL AND (lease_until IS NULL OR lease_until <= $2)
      RETURNING ${COLUMNS}`,
    [id, now, holdSeconds],
  );
  if (rows[0]) return { state: 'claimed', run: rows[0] };
  const run = await runById(db, id);
  return { state: !run ? 'missing' : run.sentAt ? 'sent' : 'held' };
}

/** Done: only after the mailer accepted it for every recipient. */
export async function markSent(db: Queryable, id: number, now: Date): Promise<void> {
  await db.query('UPDATE notify.report_runs SET sent_at = $2, lease_until = NULL, error = NULL WHERE id = $1', [id, now]);
}

/** Not done: the hold ends at once so the retry need not wait for it. */
export async function releaseRun(db: Queryable, id: number, error: string): Promise<void> {
  await db.query('UPDATE notify.report_runs SET lease_until = NULL, error = $2 WHERE id = $1', [id, error.slice(0, 200)]);
}

/** Runs recorded but not sent (a process died between recording and queueing, or every retry failed). */
export async function unsentRuns(db: Queryable, olderThan: Date, newerThan: Date): Promise<ReportRun[]> {
  const { rows } = await db.query<ReportRun>(
    `SELECT ${COLUMNS} FROM notify.report_runs
      WHERE sent_at IS NULL AND created_at < $1 AND created_at > $2 AND (lease_until IS NULL OR lease_until <= $1)
      ORDER BY id LIMIT 100`,
    [olderThan, newerThan],
  );
  return rows;
}

/** The recipients the mailer already took this run for (a retry skips them). */
export async function deliveredTo(db: Queryable, runId: number): Promise<Set<string>> {
  const { rows } = await db.query<{ recipient: string }>(
    `SELECT recipient FROM notify.report_deliveries WHERE run_id = $1 AND status IN ('sent', 'outbox-only')`, [runId],
  );
  return new Set(rows.map((r) => r.recipient));
}

export async function recordDelivery(db: Queryable, runId: number, recipient: string, outboxId: number | null, status: string): Promise<void> {
  await db.query(
    `INSERT INTO notify.report_deliveries (run_id, recipient, outbox_id, status) VALUES ($1, $2, $3, $4)
     ON CONFLICT (run_id, recipient) DO UPDATE SET outbox_id = EXCLUDED.outbox_id, status = EXCLUDED.status, at = now()`,
    [runId, recipient, outboxId, status],
  );
}

/** The latest runs of a client (the settings page shows what went out). */
export async function recentRuns(db: Queryable, clientId: string, limit = 10): Promise<(ReportRun & { error: string | null; recipients: number })[]> {
  const { rows } = await db.query<ReportRun & { error: string | null; recipients: number }>(
    `SELECT ${COLUMNS}, error, (SELECT count(*)::int FROM notify.report_deliveries d WHERE d.run_id = r.id AND d.status <> 'failed') AS recipients
       FROM notify.report_runs r WHERE client_id = $1 ORDER BY period_start DESC, id DESC LIMIT $2`,
    [clientId, limit],
  );
  return rows;
}
