import type { Jobs } from '../../jobs/jobs.ts';
import { evaluateAlerts, type AlertDeps } from './evaluateAlerts.ts';

export const ALERTS_QUEUE = 'alerts-evaluate';
export const ALERTS_CRON = '* * * * *';

/**
 * A round every minute. `every` makes one job per occurrence whatever the number of replicas, and the per-client
 * advisory lock keeps two overlapping rounds apart; a failed round is not retried (the next minute's is a better
 * retry) and one running past two minutes is taken as lost.
 */
export async function registerAlertJobs(jobs: Jobs, deps: AlertDeps & { log?: { info(details: object, message: string): void } }): Promise<void> {
  await jobs.define(ALERTS_QUEUE, { retryLimit: 0, expireInSeconds: 120 });
  await jobs.work(ALERTS_QUEUE, async () => {
    const report = await evaluateAlerts(deps, deps.answers.now());
    if (report.changes.length > 0 || report.notifications > 0) {
      deps.log?.info({ changes: report.changes.length, notifications: report.notifications, ms: report.ms }, 'alert round');
    }
  }, { concurrency: 1 });
  await jobs.every(ALERTS_QUEUE, ALERTS_CRON, {}, { key: 'alerts' });
}
