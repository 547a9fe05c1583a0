import nodemailer, { type Transporter } from 'nodemailer';
import type { Logger } from 'pino';
import type { NotifyConfig } from '../config/notify.ts';
import type { Queryable } from '../db/queryable.ts';
import { recordOutbox, type DeliveryStatus, type OutboxAttachment } from './outbox.ts';
import type { DeliveryCounter } from '../metrics/platformMetrics.ts';

export interface EmailAttachment {
  filename: string;
  /** The content itself: never a path or a URL (nodemailer would read or fetch those). */
  content: string | Buffer;
  contentType?: string;
  /** Content id: the HTML shows it inline as `cid:<cid>` (a report's charts). */
  cid?: string;
}

export interface Email {
  to: string;
  subject: string;
  text: string;
  html?: string;
  attachments?: EmailAttachment[];
  /**
   * Links in the message that sign someone in (an invitation, a password reset): they are sent, but the outbox —
   * which every admin reads — keeps "[link removed]" in their place.
   */
  secretLinks?: string[];
}

export interface Delivery {
  /** The outbox row (null only when the outbox itself could not be written). */
  outboxId: number | null;
  status: DeliveryStatus;
  /** Why it failed: an error code and the SMTP reply code, e.g. "EENVELOPE 550"; never a message or the URL. */
  error: string | null;
  attempts: number;
}

export interface MailerOptions {
  /** Demo data: nothing is ever sent, every message stays in the outbox. */
  demo: boolean;
  log: Logger;
  /** Pause before the second attempt after a temporary failure (a 4xx reply, or no connection). */
  retryDelayMs?: number;
  /** `/metrics`: each message counted by its outcome (channel `email`). */
  deliveries?: DeliveryCounter;
}

export const LINK_REMOVED = '[link removed]';
const REMOVED_NOTE = 'The outbox does not keep links that sign someone in: the link in this message was replaced by ' +
  `"${LINK_REMOVED}". Whoever created it saw it once; create a new one if it was lost.`;

const MAX_ATTEMPTS = 2;
const TEMPORARY = new Set(['ECONNECTION', 'ESOCKET']);

/** nodemailer's code (`EENVELOPE`, `EAUTH`, `ECONNECTION`, …) and the SMTP reply code: nothing a server wrote. */
function errorCode(error: unknown): { code: string; temporary: boolean } {
  const { code, responseCode } = (error ?? {}) as { code?: unknown; responseCode?: unknown };
  const name = typeof code === 'string' && /^[A-Z][A-Z0-9_]{1,30}$/.test(code) ? code : 'ESEND';
  const reply = typeof responseCode === 'number' && Number.isInteger(responseCode) && responseCode >= 200 && responseCode < 600 ? responseCode : null;
  const temporary = reply !== null ? reply >= 400 && reply < 500 : TEMPORARY.has(name);
  return { code: reply !== null ? `${name} ${reply}` : name, temporary };
}

const oneLine = (value: string) => value.replace(/[\r\n]+/g, ' ').trim();
const escapeHtml = (value: string) => value.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

function withoutLinks(content: string, links: readonly string[]): string {
  let result = content;
  for (const link of links) {
    if (link) result = result.split(link).join(LINK_REMOVED);
  }
  return result;
}

/**
 * The one way the platform sends email. With `SMTP_URL` (and without demo data) a message goes out over SMTP with
 * nodemailer; every message is also written to the outbox, as 'sent', 'failed' or — without SMTP, or with demo data —
 * 'outbox-only'. A failure is answered to the caller (status 'failed' and a code), never thrown: the caller decides
 * what the person sees. Nothing it logs names a recipient, a body or the SMTP URL.
 */
export class Mailer {
  private readonly transport: Transporter | null;

  constructor(private readonly db: Queryable, config: NotifyConfig, private readonly options: MailerOptions) {
    this.transport = config.smtpUrl && !options.demo
      ? nodemailer.createTransport({
        url: config.smtpUrl,
        connectionTimeout: 10_000,
        greetingTimeout: 10_000,
        socketTimeout: 30_000,
        logger: false,
        debug: false,
        disableFileAccess: true,
        disableUrlAccess: true,
      }, { from: config.mailFrom })
      : null;
    if (!this.transport) {
      options.log.info(options.demo
        ? 'Demo data: emails are never sent, only kept in the outbox (GET /api/outbox)'
        : 'No SMTP_URL: emails are kept in the outbox only (GET /api/outbox); invitation and reset links are shown to whoever creates them');
    }
  }

  /** Whether messages leave at all (SMTP configured, and not demo data). */
  get delivers(): boolean {
    return this.transport !== null;
  }

  async send(email: Email): Promise<Delivery> {
    const to = oneLine(email.to);
    const subject = oneLine(email.subject).slice(0, 300);
    const attachments = email.attachments ?? [];
    let status: DeliveryStatus = 'outbox-only';
    let error: string | null = null;
    let attempts = 0;
    if (this.transport) {
      for (;;) {
        attempts++;
        try {
          await this.transport.sendMail({
            to, subject, text: email.text, ...(email.html !== undefined ? { html: email.html } : {}),
            attachments: attachments.map((a) => ({ filename: a.filename, content: a.content, ...(a.contentType ? { contentType: a.contentType } : {}), ...(a.cid ? { cid: a.cid } : {}) })),
            disableFileAccess: true, disableUrlAccess: true,
          });
          status = 'sent';
          error = null;
          break;
        } catch (failure) {
          const { code, temporary } = errorCode(failure);
          status = 'failed';
          error = code;
          if (!temporary || attempts >= MAX_ATTEMPTS) break;
          await new Promise((resolve) => setTimeout(resolve, this.options.retryDelayMs ?? 500));
        }
      }
    }
    this.options.deliveries?.inc({ channel: 'email', status });
    const links = (email.secretLinks ?? []).filter(Boolean);
    const removed = links.some((link) => email.text.includes(link) || (email.html ?? '').includes(link));
    const outboxId = await this.record({
      to,
      subject,
      text: removed ? `${withoutLinks(email.text, links)}\n\n${REMOVED_NOTE}\n` : email.text,
      html: email.html === undefined ? null : removed ? `${withoutLinks(email.html, links)}<p><em>${escapeHtml(REMOVED_NOTE)}</em></p>` : email.html,
      attachments: attachments.map((a): OutboxAttachment => ({
        filename: a.filename, contentType: a.contentType ?? null, size: typeof a.content === 'string' ? Buffer.byteLength(a.content) : a.content.length,
      })),
      linksRemoved: removed, status, error, attempts,
    });
    if (status === 'failed') this.options.log.warn({ outboxId, code: error, attempts }, 'an email could not be sent (kept in the outbox as failed)');
    else this.options.log.info({ outboxId, status }, status === 'sent' ? 'email sent' : 'email kept in the outbox (no SMTP_URL, or demo data)');
    return { outboxId, status, error, attempts };
  }

  private async record(message: Parameters<typeof recordOutbox>[1]): Promise<number | null> {
    try {
      return await recordOutbox(this.db, message);
    } catch (failure) {
      this.options.log.error({ code: (failure as { code?: string }).code }, 'the outbox could not be written');
      return null;
    }
  }

  close(): void {
    this.transport?.close();
  }
}
