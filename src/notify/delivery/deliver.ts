import type { Queryable } from '../../db/queryable.ts';
import type { DeliveryCounter } from '../../metrics/platformMetrics.ts';
import type { SecretBox } from '../../platform/secrets.ts';
import type { Mailer } from '../mailer.ts';
import type { Notification } from '../notification.ts';
import { claimAttempt, finishAttempt, type AttemptOutcome } from './attempts.ts';
import { deliveryTarget, type Channel } from './channels.ts';
import { postWebhook } from './postWebhook.ts';
import { clientMemberEmails } from './recipients.ts';
import { signedHeaders } from './signature.ts';
import { jsonBody, slackBody } from './webhookBodies.ts';

export interface DeliveryDeps {
  db: Queryable;
  /** Opens webhook URLs and secrets (null: no ENCRYPTION_KEYS, and so no webhook channel could be made). */
  box: SecretBox | null;
  mailer: Mailer;
  /** Loopback and private webhook addresses: refused in production, allowed otherwise (local receivers). */
  allowPrivateAddresses: boolean;
  webhookTimeoutMs?: number;
  now?: () => Date;
  /** Webhook sends per outcome (`cba_deliveries_total`; the mailer counts emails itself). */
  deliveries?: DeliveryCounter;
}

export interface DeliveryResult extends AttemptOutcome {
  /** Nothing was sent now: this key was already delivered on this channel, or another attempt is under way. */
  already: 'done' | 'in-progress' | null;
  /** Worth trying again later (no answer, 408, 429, 5xx, a temporary SMTP failure). */
  retry: boolean;
}

type Sent = Omit<AttemptOutcome, 'durationMs'> & { retry: boolean };

/**
 * One attempt to deliver `notification` on `channel`, recorded before and after: claimed first (so it is never sent
 * twice, see attempts.ts), then sent, then its outcome written — before the caller acknowledges the job.
 */
export async function deliverToChannel(deps: DeliveryDeps, channel: Channel, notification: Notification, attempt: number): Promise<DeliveryResult> {
  const claim = await claimAttempt(deps.db, channel.id, notification.key, attempt);
  if (!claim.claimed) return { status: 'skipped', code: null, error: null, durationMs: 0, already: claim.reason, retry: claim.reason === 'in-progress' };
  const started = performance.now();
  let sent: Sent;
  try {
    sent = channel.kind === 'email' ? await sendEmail(deps, channel, notification) : await sendWebhook(deps, channel, notification);
  } catch (error) {
    sent = { status: 'failed', code: null, error: (error as { code?: string }).code ?? (error as Error).name ?? 'ERROR', retry: true };
  }
  const outcome: AttemptOutcome = { status: sent.status, code: sent.code, error: sent.error?.slice(0, 60) ?? null, durationMs: performance.now() - started };
  await finishAttempt(deps.db, claim.attemptId, outcome);
  if (channel.kind !== 'email') deps.deliveries?.inc({ channel: channel.kind, status: outcome.status });
  return { ...outcome, already: null, retry: sent.retry };
}

async function sendWebhook(deps: DeliveryDeps, channel: Channel, notification: Notification): Promise<Sent> {
  const target = await deliveryTarget(deps.db, deps.box, channel.id);
  if (!target) return { status: 'failed', code: null, error: 'ENOTARGET', retry: false };
  const now = deps.now?.() ?? new Date();
  const body = channel.kind === 'slack' ? slackBody(notification) : jsonBody(notification, now);
  const headers = { ...signedHeaders(target.secret, body, now), 'x-notification-key': encodeURIComponent(notification.key) };
  const answer = await postWebhook(target.url, body, headers, { allowPrivate: deps.allowPrivateAddresses, timeoutMs: deps.webhookTimeoutMs ?? 10_000 });
  if (answer.status === null) return { status: 'failed', code: null, error: answer.error, retry: answer.error !== 'EPRIVATEADDRESS' };
  if (answer.status >= 200 && answer.status < 300) return { status: 'sent', code: answer.status, error: null, retry: false };
  const retry = answer.status === 408 || answer.status === 429 || answer.status >= 500;
  return { status: 'failed', code: answer.status, error: `HTTP_${answer.status}`, retry };
}

async function sendEmail(deps: DeliveryDeps, channel: Channel, notification: Notification): Promise<Sent> {
  const to = channel.toMembers ? (notification.clientId ? await clientMemberEmails(deps.db, notification.clientId) : []) : channel.addresses;
  if (to.length === 0) return { status: 'skipped', code: null, error: 'ENORECIPIENTS', retry: false };
  const delivery = await deps.mailer.send({
    to: to.join(', '),
    subject: notification.title,
    text: `${notification.text}\n${notification.url ? `\n${notification.url}\n` : ''}`,
    html: emailHtml(notification),
  });
  if (delivery.status !== 'failed') return { status: delivery.status, code: delivery.status === 'sent' ? 250 : null, error: null, retry: false };
  const [name, reply] = (delivery.error ?? 'ESEND').split(' ');
  const code = reply ? Number(reply) : null;
  // The mailer already tried a temporary failure twice; a 5xx reply is permanent.
  return { status: 'failed', code, error: name ?? 'ESEND', retry: code === null || code < 500 };
}

const escapeHtml = (value: string) => value.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

function emailHtml(notification: Notification): string {
  const facts = Object.entries(notification.fields).filter(([, v]) => v !== null)
    .map(([name, value]) => `<tr><th align="left">${escapeHtml(name)}</th><td>${escapeHtml(String(value))}</td></tr>`).join('');
  const link = notification.url ? `<p><a href="${escapeHtml(notification.url)}">Open the dashboard</a></p>` : '';
  return `<h2>${escapeHtml(notification.title)}</h2><p>${escapeHtml(notification.text).replace(/\n/g, '<br>')}</p>` +
    (facts ? `<table>${facts}</table>` : '') + link;
}
