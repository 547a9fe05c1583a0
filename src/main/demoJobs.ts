import type { Logger } from 'pino';
import type { Queryable } from '../db/queryable.ts';
import type { Jobs } from '../jobs/jobs.ts';
import { DEMO_OPERATORS_ADDRESS, ensureDemoChannel } from '../notify/delivery/demoChannel.ts';
import { sendLatestReports } from '../notify/reports/latestReports.ts';
import type { ReportDeps } from '../notify/reports/reportDeps.ts';
import type { DemoDatabase } from './demo.ts';

export const DEMO_TRAFFIC_QUEUE = 'demo-traffic';
/** Every minute: the sessions that ended in that minute appear, as they would from a live chatbot. */
export const DEMO_TRAFFIC_CRON = '* * * * *';

/**
 * What demo mode adds to the jobs, so `npm start` shows what the product does with its data: a default email channel
 * (its alerts reach the outbox), the latest weekly reports and the digest in the outbox at once, and live traffic.
 */
export async function startDemoJobs(jobs: Jobs, deps: { demo: DemoDatabase; platform: Queryable; reports: ReportDeps; log: Logger }): Promise<void> {
  const { demo, log } = deps;
  const { channel, created } = await ensureDemoChannel(deps.platform);
  if (created) log.info({ channelId: channel.id }, `demo: alerts go to the "${channel.name}" email channel (${DEMO_OPERATORS_ADDRESS}); read them in the outbox`);

  // Appends that fail or find the previous one still running are not retried: the next minute's catches up.
  await jobs.define(DEMO_TRAFFIC_QUEUE, { retryLimit: 0, expireInSeconds: 120 });
  await jobs.work(DEMO_TRAFFIC_QUEUE, async () => {
    const appended = await demo.appendLive(new Date());
    const sessions = appended.reduce((n, a) => n + a.rows.UserEvents, 0);
    log.debug({ sessions, clients: appended.map((a) => [a.clientId, a.rows.UserEvents]) }, 'demo: live traffic appended');
  });
  await jobs.every(DEMO_TRAFFIC_QUEUE, DEMO_TRAFFIC_CRON, {}, { key: 'demo-traffic' });

  const runs = await sendLatestReports(jobs, deps.reports, DEMO_OPERATORS_ADDRESS);
  if (runs.length > 0) {
    log.info({ reports: runs.map((r) => `${r.clientId}/${r.kind}`) },
      'demo: the latest weekly report of each client and the operator digest are being sent to the outbox (once, at start-up; schedules send the next ones)');
  }
}
