import type { Jobs } from '../../jobs/jobs.ts';
import { dueOf } from './dueReports.ts';
import type { ReportDeps } from './reportDeps.ts';
import { REPORT_SEND_QUEUE, sendKey, type ReportSendJob } from './reportJobs.ts';
import { recordRun, type ReportRun } from './reportRuns.ts';
import { recipientsOf } from './recipients.ts';
import { ensureSchedules, updateSchedule, type ReportSchedule } from './reportSchedules.ts';
import { CLIENT_REPORT_KINDS, DIGEST_SCOPE } from './schedule.ts';

/**
 * Demo data only. Schedules send nothing for periods before they existed (no backlog on a first start), so a
 * newcomer would see no report until Monday. This records, once, the report each schedule had due last — every
 * client's weekly report and the operator digest — and queues it on the real send path (the send job, its lease and
 * per-recipient record). A run already recorded (a platform database kept across restarts) is not sent again.
 * Schedules that would reach nobody (the open demo has no people) get `fallback` as their recipients first.
 */
export async function sendLatestReports(jobs: Pick<Jobs, 'send'>, deps: ReportDeps, fallback: string): Promise<ReportRun[]> {
  const now = deps.now();
  const clients = deps.clients.list();
  const zones = new Map(clients.map((c) => [c.id, c.timezone]));
  const schedules = [
    ...await ensureSchedules(deps.platform, [...zones.keys()], CLIENT_REPORT_KINDS, now),
    ...await ensureSchedules(deps.platform, [DIGEST_SCOPE], ['digest'], now, 'UTC'),
  ];
  const runs: ReportRun[] = [];
  for (const found of schedules) {
    const schedule = await reachingSomeone(deps, found, fallback);
    if (schedule.kind === 'monthly') continue; // the weekly report and the digest show the demo; one of each is enough
    const timezone = schedule.clientId === DIGEST_SCOPE ? schedule.timezone ?? 'UTC' : zones.get(schedule.clientId)!;
    const due = dueOf({ ...schedule, createdAt: new Date(0) }, timezone, now); // as if the schedule had always been
    const run = due && await recordRun(deps.platform, due);
    if (!run) continue;
    await jobs.send<ReportSendJob>(REPORT_SEND_QUEUE, { runId: run.id }, { singletonKey: sendKey(run.id) });
    runs.push(run);
  }
  return runs;
}

async function reachingSomeone(deps: ReportDeps, schedule: ReportSchedule, fallback: string): Promise<ReportSchedule> {
  if (schedule.recipients !== null || (await recipientsOf(deps.platform, schedule)).length > 0) return schedule;
  return updateSchedule(deps.platform, schedule.clientId, schedule.kind, { recipients: [fallback] }, deps.now());
}
