import type { Jobs, JobOptions } from '../../jobs/jobs.ts';
import { getChannel } from './channels.ts';
import { deliverToChannel, type DeliveryDeps } from './deliver.ts';
import { DELIVERY_QUEUE, DeliveryNotifier, type DeliveryJob } from './notifier.ts';

export { DELIVERY_QUEUE, type DeliveryJob };

/** About 8 h of tries: 30 s, 1, 2, 4 … min between them, so a receiver down for a while still gets the news. */
export const DELIVERY_RETRIES: Required<Pick<JobOptions, 'retryLimit' | 'retryDelaySeconds' | 'retryBackoff'>> = {
  retryLimit: 10, retryDelaySeconds: 30, retryBackoff: true,
};

/** Thrown so the job is retried later; says only the outcome's codes. */
export class DeliveryFailed extends Error {
  constructor(readonly outcome: { code: number | null; error: string | null }) {
    super(`delivery failed (${outcome.error ?? 'error'}${outcome.code ? ` ${outcome.code}` : ''}); it will be retried`);
    this.name = 'DeliveryFailed';
  }
}

export interface DeliveryLog {
  info(details: object, message: string): void;
  warn(details: object, message: string): void;
}

export type DeliveryJobDeps = DeliveryDeps & { log: DeliveryLog; retries?: Partial<JobOptions>; concurrency?: number };

/**
 * The job that delivers one notification on one channel. A failure worth retrying throws (the queue retries with
 * backoff); a permanent one (a 4xx, a refused address, a 5xx SMTP reply) is recorded and not retried. The attempt's
 * outcome is written before the handler returns, so a job retried after success finds it sent and sends nothing.
 */
export function deliveryHandler(deps: DeliveryJobDeps) {
  return async (data: DeliveryJob, job: { retryCount: number }): Promise<void> => {
    const channel = await getChannel(deps.db, data.channelId);
    if (!channel || !channel.enabled) return; // removed or switched off since it was queued
    const result = await deliverToChannel(deps, channel, data.notification, job.retryCount + 1);
    const details = { channelId: channel.id, key: data.notification.key, attempt: job.retryCount + 1, status: result.status, code: result.code, error: result.error };
    if (result.already === 'done') return deps.log.info(details, 'notification already delivered on this channel: not sent again');
    if (result.retry) {
      deps.log.warn(details, 'notification delivery failed; retrying later');
      throw new DeliveryFailed(result);
    }
    if (result.status === 'failed') deps.log.warn(details, 'notification delivery failed for good (not retried)');
    else deps.log.info(details, 'notification delivered');
  };
}

/** Defines the delivery queue, takes its jobs (when this process works), and answers the Notifier the alerts call. */
export async function registerDeliveryJobs(jobs: Jobs, deps: DeliveryJobDeps): Promise<DeliveryNotifier> {
  // A job running past the send timeout is taken as lost; its retry finds the claim stale or the attempt done.
  await jobs.define(DELIVERY_QUEUE, { ...DELIVERY_RETRIES, expireInSeconds: 120, ...deps.retries });
  await jobs.work<DeliveryJob>(DELIVERY_QUEUE, deliveryHandler(deps), { concurrency: deps.concurrency ?? 4 });
  return new DeliveryNotifier(deps.db, jobs);
}
