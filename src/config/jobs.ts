import { readBool, readInt, type Env, type Problems } from './env.ts';

/** Background jobs (pg-boss in the platform database): whether this process takes them, and how briskly. */
export interface JobsConfig {
  /** `JOBS_WORK` (default on): this process takes jobs; off, it only queues them (an API-only replica). */
  work: boolean;
  /** `JOBS_POLL_MS` (default 2000, at least 500): how often an idle worker asks for a job. */
  pollMs: number;
  /** `JOBS_SUPERVISE_SECONDS` (default 60): how often jobs of a dead process are looked for (and retried). */
  superviseSeconds: number;
  /**
   * `REPORT_SEND_TIMEOUT_SECONDS` (default 600): a report send still running this long is taken as lost (its process
   * died) and retried by any process; its hold on the report lasts half as long, so the retry never waits on it.
   */
  reportSendTimeoutSeconds: number;
}

export function parseJobs(env: Env, problems: Problems): JobsConfig {
  return {
    work: readBool(env, 'JOBS_WORK', problems) ?? true,
    pollMs: readInt(env, 'JOBS_POLL_MS', 2000, 500, 60_000, problems),
    superviseSeconds: readInt(env, 'JOBS_SUPERVISE_SECONDS', 60, 1, 3600, problems),
    reportSendTimeoutSeconds: readInt(env, 'REPORT_SEND_TIMEOUT_SECONDS', 600, 10, 3600, problems),
  };
}
