/**
 * What `/metrics` asks of the job queue (pg-boss, src/jobs): each queue's jobs by state at scrape time. The jobs
 * module hands one in with `PlatformMetrics.watchJobs` (e.g. from pg-boss's `getQueueStats`) and counts handler
 * failures with `metrics.jobFailures.inc({ queue })`.
 */
export interface JobQueueSnapshot {
  queue: string;
  /** Waiting to run now, or later (`startAfter`, a retry's backoff). */
  queued: number;
  deferred: number;
  active: number;
  /** Jobs kept as failed (terminally, their retries used up). */
  failed: number;
}

export interface JobQueueSource {
  queueSnapshots(): Promise<JobQueueSnapshot[]>;
}

export const JOB_STATES = ['queued', 'deferred', 'active', 'failed'] as const;
