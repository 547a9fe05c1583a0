import type { Jobs } from '../../jobs/jobs.ts';
import { recordDueReports } from './dueReports.ts';
import type { ReportDeps } from './reportDeps.ts';
import { SEND_TIMEOUT_SECONDS } from './reportRuns.ts';
import { sendRun } from './sendReport.ts';

export const REPORTS_DUE_QUEUE = 'reports-due';
export const REPORT_SEND_QUEUE = 'report-send';
/** Every minute: a report is due at its minute, in each client's time zone (the tick itself is cheap). */
export const REPORTS_DUE_CRON = '* * * * *';

/** What a send job carries: the recorded run (its period, client and kind are in the table). */
export interface ReportSendJob {
  runId: number;
}

/** One send job per run at a time; a second tick or the stale sweep finds it queued and adds none. */
export const sendKey = (runId: number) => `report-run:${runId}`;

/**
 * The scheduled reports on the job queue: a tick every minute (one per occurrence, whatever the replicas) records
 * the reports due and queues a send for each; a send that fails or whose process dies is retried by the queue, and
 * the run's lease and per-recipient record keep it from going out twice.
 */
export async function registerReportJobs(jobs: Jobs, deps: ReportDeps): Promise<void> {
  await jobs.define(REPORTS_DUE_QUEUE, { retryLimit: 0, expireInSeconds: 120 });
  await jobs.define(REPORT_SEND_QUEUE, { retryLimit: 5, retryDelaySeconds: 60, retryBackoff: true, expireInSeconds: deps.sendTimeoutSeconds ?? SEND_TIMEOUT_SECONDS });
  await jobs.work<ReportSendJob>(REPORT_SEND_QUEUE, async ({ runId }) => {
    await sendRun(deps, runId);
  }, { concurrency: 2 });
  await jobs.work(REPORTS_DUE_QUEUE, async () => {
    await queueDueReports(jobs, deps);
  });
  await jobs.every(REPORTS_DUE_QUEUE, REPORTS_DUE_CRON, {});
}

/** One tick's work: record what is due, queue a send for each new run and for each run whose queueing was lost. */
export async function queueDueReports(jobs: Pick<Jobs, 'send'>, deps: ReportDeps): Promise<number> {
  const { recorded, stale } = await recordDueReports(deps);
  let queued = 0;
  for (const run of [...recorded, ...stale]) {
    if (await jobs.send<ReportSendJob>(REPORT_SEND_QUEUE, { runId: run.id }, { singletonKey: sendKey(run.id) })) queued++;
  }
  if (recorded.length > 0) deps.log.info({ reports: recorded.length }, 'reports due: queued for sending');
  return queued;
}
