import type { ReportDeps } from './reportDeps.ts';
import { recordRun, unsentRuns, type ReportRun } from './reportRuns.ts';
import { ensureSchedules, type ReportSchedule } from './reportSchedules.ts';
import { CLIENT_REPORT_KINDS, DIGEST_SCOPE, latestOccurrence, periodBefore } from './schedule.ts';

/** A run recorded this long ago and still unsent (and not held) is queued again: its queueing was lost. */
const REQUEUE_AFTER_MS = 10 * 60_000;
/** …but not forever: a run that could not go out for days is left as failed in the record. */
const GIVE_UP_AFTER_MS = 3 * 86_400_000;

/** The report a schedule has due at `now`, or null (disabled, or its latest occurrence came before the schedule). */
export function dueOf(schedule: ReportSchedule, timezone: string, now: Date): Omit<ReportRun, 'id' | 'attempts' | 'sentAt'> | null {
  if (!schedule.enabled) return null;
  const dueAt = latestOccurrence(schedule.cron, timezone, now);
  if (dueAt < schedule.createdAt) return null; // no backlog: nothing from before the schedule existed
  const period = periodBefore(schedule.kind, dueAt, timezone);
  return { clientId: schedule.clientId, kind: schedule.kind, periodStart: period.from.toJSDate(), periodEnd: period.to.toJSDate(), dueAt };
}

/**
 * One tick: every client's schedules (made with defaults when new) and the digest's, and for each the report due now
 * recorded once — every replica may tick at once; the unique key gives each new run to exactly one of them, which
 * returns it to be queued. Runs whose queueing was lost come back too (their sends are idempotent).
 */
export async function recordDueReports(deps: ReportDeps, now: Date = deps.now()): Promise<{ recorded: ReportRun[]; stale: ReportRun[] }> {
  const clients = deps.clients.list();
  const zones = new Map(clients.map((c) => [c.id, c.timezone]));
  const schedules = [
    ...await ensureSchedules(deps.platform, [...zones.keys()], CLIENT_REPORT_KINDS, now),
    ...await ensureSchedules(deps.platform, [DIGEST_SCOPE], ['digest'], now, 'UTC'),
  ];
  const recorded: ReportRun[] = [];
  for (const schedule of schedules) {
    const timezone = schedule.clientId === DIGEST_SCOPE ? schedule.timezone ?? 'UTC' : zones.get(schedule.clientId);
    if (!timezone) continue;
    let due: ReturnType<typeof dueOf>;
    try {
      due = dueOf(schedule, timezone, now);
    } catch (error) {
      deps.log.warn({ clientId: schedule.clientId, kind: schedule.kind, err: { type: (error as Error).name } }, 'a report schedule could not be read');
      continue;
    }
    const run = due && await recordRun(deps.platform, due);
    if (run) recorded.push(run);
  }
  const stale = await unsentRuns(deps.platform, new Date(now.getTime() - REQUEUE_AFTER_MS), new Date(now.getTime() - GIVE_UP_AFTER_MS));
  return { recorded, stale };
}
