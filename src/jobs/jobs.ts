/**
 * The platform's background work, as the rest of the code sees it: named queues on a PostgreSQL job queue in the
 * platform database (pg-boss), so several replicas share the work and a job is done once. A job that fails or whose
 * process dies is retried (with backoff) until its retry limit; handlers must therefore be safe to run again.
 */
export interface JobOptions {
  /** Retries after the first attempt (default 3). */
  retryLimit?: number;
  /** Delay before the first retry (default 30 s); doubled each time with `retryBackoff` (default on). */
  retryDelaySeconds?: number;
  retryBackoff?: boolean;
  /** A job still active this long is taken as lost (its process died) and retried (default 5 min). */
  expireInSeconds?: number;
  /**
   * How long a `singletonKey` holds: until the job is done (default: a second send while it waits or runs returns
   * null), or only until it starts ('started': one may wait while one runs, so a change made during a run gets a
   * run of its own after it — for "sync again" and "refresh again" jobs).
   */
  singletonUntil?: 'finished' | 'started';
}

export interface SendOptions {
  /** At most one job with this key is waiting or running in the queue; a second send returns null. */
  singletonKey?: string;
  /** Not before this moment. */
  startAfter?: Date;
}

export interface JobInfo {
  id: string;
  /** 0 for the first attempt. */
  retryCount: number;
}

export type JobHandler<T> = (data: T, job: JobInfo) => Promise<void>;

/** One queue's jobs by state, as pg-boss last counted them (its monitor pass): for `/metrics`. */
export interface QueueCounts {
  queue: string;
  /** Ready to run now. */
  queued: number;
  /** Waiting for `startAfter` or a retry's backoff. */
  deferred: number;
  active: number;
  /** Failed for good and still kept. */
  failed: number;
}

export interface Jobs {
  /** Creates the queue (idempotent) with these options; before `work`, `send` or `every` on it. */
  define(queue: string, options?: JobOptions): Promise<void>;
  /** This process takes jobs of `queue`, at most `concurrency` (default 1) at a time. */
  work<T extends object>(queue: string, handler: JobHandler<T>, options?: { concurrency?: number }): Promise<void>;
  /** Queues one job; its id, or null when `singletonKey` found one already waiting or running. */
  send<T extends object>(queue: string, data: T, options?: SendOptions): Promise<string | null>;
  /** A cron schedule (five fields) in a time zone (default UTC): one job per occurrence, whatever the replicas. */
  every<T extends object>(queue: string, cron: string, data: T, options?: { tz?: string; key?: string }): Promise<void>;
  /** Every defined queue's counts. */
  queueSnapshots(): Promise<QueueCounts[]>;
  /** Stops taking jobs and waits (up to a grace period) for running ones. */
  stop(): Promise<void>;
}
