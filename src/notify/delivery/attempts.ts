import type { Queryable } from '../../db/queryable.ts';

/**
 * The record of every delivery attempt, and the claim that sends a notification at most once per channel: an attempt
 * row is written as 'sending' before anything goes out, and the unique index on (channel, key) over 'sending', 'sent'
 * and 'outbox-only' lets only one such row exist. A retry after success finds the 'sent' row and sends nothing; a
 * second worker finds the 'sending' one and waits for a later retry. A 'sending' row older than `STALE_SECONDS`
 * belonged to a process that died mid-send: it is marked failed (ELOST) and the key may be tried again.
 */
export type AttemptStatus = 'sending' | 'sent' | 'outbox-only' | 'failed' | 'skipped';

export interface Attempt {
  id: number;
  channelId: string;
  notificationKey: string;
  attempt: number;
  status: AttemptStatus;
  /** The HTTP status of a webhook, or the SMTP reply code of an email. */
  code: number | null;
  durationMs: number | null;
  /** An error code (ETIMEDOUT, HTTP_500, EENVELOPE …), never a message or what a receiver answered. */
  error: string | null;
  startedAt: string;
}

export const STALE_SECONDS = 120;

export type Claim = { claimed: true; attemptId: number } | { claimed: false; reason: 'done' | 'in-progress' };

export async function claimAttempt(db: Queryable, channelId: string, key: string, attempt: number): Promise<Claim> {
  await db.query(
    `UPDATE notify.delivery_attempts SET status = 'failed', error = 'ELOST', finished_at = now()
      WHERE channel_id = $1 AND notification_key = $2 AND status = 'sending' AND started_at < now() - make_interval(secs => $3)`,
    [channelId, key, STALE_SECONDS],
  );
  const { rows } = await db.query<{ id: number }>(
    `INSERT INTO notify.delivery_attempts (channel_id, notification_key, attempt, status) VALUES ($1, $2, $3, 'sending')
     ON CONFLICT (channel_id, notification_key) WHERE status IN ('sending', 'sent', 'outbox-only') DO NOTHING
     RETURNING id::int AS id`,
    [channelId, key, attempt],
  );
  if (rows[0]) return { claimed: true, attemptId: rows[0].id };
  const { rows: [held] } = await db.query<{ status: AttemptStatus }>(
    `SELECT status FROM notify.delivery_attempts WHERE channel_id = $1 AND notification_key = $2 AND status IN ('sending', 'sent', 'outbox-only')`,
    [channelId, key],
  );
  return { claimed: false, reason: held?.status === 'sending' ? 'in-progress' : 'done' };
}

export interface AttemptOutcome {
  status: Exclude<AttemptStatus, 'sending'>;
  code: number | null;
  error: string | null;
  durationMs: number;
}

export async function finishAttempt(db: Queryable, attemptId: number, outcome: AttemptOutcome): Promise<void> {
  await db.query(
    `UPDATE notify.delivery_attempts SET status = $2, code = $3, error = $4, duration_ms = $5, finished_at = now() WHERE id = $1`,
    [attemptId, outcome.status, outcome.code, outcome.error, Math.round(outcome.durationMs)],
  );
}

/** Newest first; for one channel, or for all. */
export async function listAttempts(db: Queryable, filter: { channelId?: string; limit: number }): Promise<Attempt[]> {
  const { rows } = await db.query<Attempt>(
    `SELECT id::int AS id, channel_id::text AS "channelId", notification_key AS "notificationKey", attempt, status, code,
            duration_ms AS "durationMs", error, to_char(started_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') AS "startedAt"
       FROM notify.delivery_attempts
      WHERE ($1::uuid IS NULL OR channel_id = $1)
      ORDER BY id DESC LIMIT $2`,
    [filter.channelId ?? null, filter.limit],
  );
  return rows;
}
