import { DateTime } from 'luxon';
import type { ReportEmail } from './emailParts.ts';
import { composeClientReport, composeDigest } from './compose.ts';
import { recipientsOf, type Recipient } from './recipients.ts';
import type { ReportDeps } from './reportDeps.ts';
import { claimRun, deliveredTo, leaseSeconds, markSent, recordDelivery, releaseRun, type ReportRun } from './reportRuns.ts';
import { scheduleOf } from './reportSchedules.ts';
import { DIGEST_SCOPE, type Period } from './schedule.ts';

/** Another sender holds the run (its lease has not run out): the job is retried later, not dropped. */
export class ReportHeldError extends Error {
  constructor(runId: number) {
    super(`report run ${runId} is being sent by another worker`);
    this.name = 'ReportHeldError';
  }
}

/** Some recipient's message was not accepted: the job is retried, and only they are sent to again. */
export class ReportNotSentError extends Error {
  constructor(readonly failed: number, readonly code: string) {
    super(`${failed} recipient(s) of a report could not be sent to (${code})`);
    this.name = 'ReportNotSentError';
  }
}

const periodOf = (run: ReportRun, timezone: string): Period => ({
  timezone, from: DateTime.fromJSDate(run.periodStart, { zone: timezone }), to: DateTime.fromJSDate(run.periodEnd, { zone: timezone }),
});

/** Each recipient's message: a client's report is the same for all; the digest holds what each may see. */
async function messagesOf(deps: ReportDeps, run: ReportRun, recipients: Recipient[], timezone: string | null): Promise<((r: Recipient) => ReportEmail | null) | null> {
  if (run.clientId === DIGEST_SCOPE) {
    const digest = await composeDigest(deps, periodOf(run, timezone ?? 'UTC'));
    return (r) => (r.clients === 'all' || digest.rows.some((row) => (r.clients as ReadonlySet<string>).has(row.client.id)) ? digest.emailFor(r) : null);
  }
  const client = deps.clients.get(run.clientId);
  if (!client || recipients.length === 0) return null;
  const email = await composeClientReport(deps, client, run.kind as 'weekly' | 'monthly', periodOf(run, client.timezone));
  return () => email;
}

/**
 * Sends one recorded report. Safe to run again and from several workers: the run is claimed under a lease, each
 * recipient the mailer took is remembered (a retry skips them), and the run is marked sent only after every recipient's
 * message was accepted (or kept in the outbox, without SMTP). A client removed meanwhile has nothing left to send.
 */
export async function sendRun(deps: ReportDeps, runId: number): Promise<'sent' | 'already-sent' | 'missing'> {
  const claim = await claimRun(deps.platform, runId, deps.now(), leaseSeconds(deps.sendTimeoutSeconds));
  if (claim.state === 'held') throw new ReportHeldError(runId);
  if (claim.state !== 'claimed') return claim.state === 'sent' ? 'already-sent' : 'missing';
  const { run } = claim;
  try {
    const schedule = await scheduleOf(deps.platform, run.clientId, run.kind, deps.now());
    const recipients = await recipientsOf(deps.platform, schedule);
    const done = await deliveredTo(deps.platform, run.id);
    const messageFor = await messagesOf(deps, run, recipients, schedule.timezone);
    let failed = 0;
    let code = '';
    for (const recipient of messageFor ? recipients : []) {
      if (done.has(recipient.email)) continue;
      const email = messageFor!(recipient);
      if (!email) continue;
      const delivery = await deps.mailer.send({ ...email, to: recipient.email });
      await recordDelivery(deps.platform, run.id, recipient.email, delivery.outboxId, delivery.status);
      if (delivery.status === 'failed') {
        failed++;
        code = delivery.error ?? 'ESEND';
      }
    }
    if (failed > 0) throw new ReportNotSentError(failed, code);
    await markSent(deps.platform, run.id, deps.now());
    deps.log.info({ runId: run.id, clientId: run.clientId, kind: run.kind, recipients: recipients.length }, 'report sent');
    return 'sent';
  } catch (error) {
    const code = error instanceof ReportNotSentError ? error.code : ((error as { code?: string }).code ?? (error as Error).name);
    await releaseRun(deps.platform, run.id, String(code)).catch(() => undefined);
    throw error;
  }
}
