import type { Queryable } from '../db/queryable.ts';

/**
 * The outbox: every email the platform sent, failed to send, or kept without sending (no SMTP, or demo data). Admins
 * read it in the product. It never holds a link that signs someone in: the mailer removes those before writing.
 */
export type DeliveryStatus = 'sent' | 'failed' | 'outbox-only';

export interface OutboxAttachment {
  filename: string;
  contentType: string | null;
  size: number;
}

export interface OutboxMessage {
  id: number;
  createdAt: string;
  to: string;
  subject: string;
  text: string;
  html: string | null;
  attachments: OutboxAttachment[];
  /** A link that signs someone in was replaced by "[link removed]" in text and html. */
  linksRemoved: boolean;
  status: DeliveryStatus;
  /** Why sending failed: an error code and the SMTP reply code ("EENVELOPE 550"), never a message or a URL. */
  error: string | null;
  attempts: number;
}

export type NewOutboxMessage = Omit<OutboxMessage, 'id' | 'createdAt'>;

export async function recordOutbox(db: Queryable, message: NewOutboxMessage): Promise<number> {
  const { rows } = await db.query<{ id: number }>(
    `INSERT INTO notify.outbox ("to", subject, text, html, attachments, links_removed, status, error, attempts, sent_at)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, CASE WHEN $7 = 'sent' THEN now() END) RETURNING id::int AS id`,
    [message.to, message.subject, message.text, message.html, JSON.stringify(message.attachments), message.linksRemoved,
      message.status, message.error, message.attempts],
  );
  return rows[0]!.id;
}

/** Newest first; `before` pages on (the last id of the previous page). */
export async function listOutbox(db: Queryable, page: { before?: number; limit: number }): Promise<OutboxMessage[]> {
  const { rows } = await db.query<OutboxMessage>(
    `SELECT id::int AS id, to_char(created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') AS "createdAt",
            "to", subject, text, html, attachments, links_removed AS "linksRemoved", status, error, attempts
       FROM notify.outbox
      WHERE ($1::bigint IS NULL OR id < $1)
      ORDER BY id DESC
      LIMIT $2`,
    [page.before ?? null, page.limit],
  );
  return rows;
}
