import { randomUUID } from 'node:crypto';
import type pg from 'pg';
import { PgBoss, type Job } from 'pg-boss';
import type { JobHandler, JobOptions, Jobs, SendOptions } from './jobs.ts';
import { poolDatabase } from './poolDatabase.ts';

interface Log {
  debug(details: object, message: string): void;
  warn(details: object, message: string): void;
  error(details: object, message: string): void;
}

export interface JobsSettings {
  /** This process takes jobs (`JOBS_WORK`); off, it only sends and schedules (an API replica). */
  work: boolean;
  /** How often an idle worker asks for a job (`JOBS_POLL_MS`, at least 500). */
  pollMs: number;
  /** How often jobs of a dead process are looked for, and cron passes run (`JOBS_SUPERVISE_SECONDS`). */
  superviseSeconds: number;
  /** How long `stop()` waits for running jobs. */
  graceMs: number;
  /** Counts a handler's failure (`cba_job_failures_total`). */
  failures?: { inc(labels: { queue: string }): void };
}

export const DEFAULTS: Required<Omit<JobOptions, 'singletonUntil'>> = { retryLimit: 3, retryDelaySeconds: 30, retryBackoff: true, expireInSeconds: 300 };

/**
 * Jobs on pg-boss in the platform database, on the platform's pool. Every queue is pg-boss' `exclusive` (or
 * `stately`) policy, whose unique index keys on `singletonKey`: that is what makes a keyed send a no-op while its
 * twin waits or runs. A send without a key gets a key of its own, so unkeyed jobs never collide; a schedule's jobs
 * carry the schedule's key, so an occurrence that finds the previous one still running is dropped, not stacked.
 */
export async function startJobs(pool: pg.Pool, settings: JobsSettings, log: Log): Promise<Jobs> {
  const cronSeconds = Math.min(settings.superviseSeconds, 30); // pg-boss allows 1..45; an occurrence stays due 60 s
  const boss = new PgBoss({
    db: poolDatabase(pool),
    schema: 'pgboss',
    supervise: settings.work,
    schedule: settings.work,
    superviseIntervalSeconds: settings.superviseSeconds,
    monitorIntervalSeconds: settings.superviseSeconds,
    cronMonitorIntervalSeconds: cronSeconds,
    cronWorkerIntervalSeconds: Math.min(Math.max(1, Math.round(settings.pollMs / 1000)), 45),
    registerInstance: false,
    openTelemetry: { enabled: false },
  });
  // pg-boss reports its own trouble (a poll that failed while the database restarts) as events; never the object.
  boss.on('error', (error: Error & { code?: string }) => log.error({ code: error.code }, `jobs: ${error.message}`));
  boss.on('warning', (warning: { message: string }) => log.warn({}, `jobs: ${warning.message}`));
  await boss.start();

  const defined = new Map<string, JobOptions>();
  let stopping = false;

  const run = <T>(queue: string, handler: JobHandler<T>) => async ([job]: Job<T>[]) => {
    log.debug({ queue, jobId: job!.id, retryCount: job!.retryCount, pid: process.pid }, 'job started');
    try {
      await handler(job!.data, { id: job!.id, retryCount: job!.retryCount });
    } catch (error) {
      // The message only: a pg error can carry connection details. pg-boss records it and retries.
      log.warn({ queue, jobId: job!.id, retryCount: job!.retryCount, code: (error as { code?: string }).code }, `job failed: ${(error as Error).message}`);
      settings.failures?.inc({ queue });
      throw error;
    }
  };

  const queueOf = (queue: string) => {
    const options = defined.get(queue);
    if (!options) throw new Error(`jobs: queue "${queue}" is not defined (call define first)`);
    return options;
  };

  return {
    async define(queue, options = {}) {
      const merged = { ...DEFAULTS, ...options };
      const settingsOf = {
        retryLimit: merged.retryLimit,
        retryDelay: merged.retryDelaySeconds,
        retryBackoff: merged.retryBackoff,
        expireInSeconds: merged.expireInSeconds,
      };
      const policy = options.singletonUntil === 'started' ? 'stately' : 'exclusive';
      const existing = await boss.getQueue(queue);
      if (existing && existing.policy !== policy) throw new Error(`jobs: queue "${queue}" exists with policy ${existing.policy}, not ${policy}`);
      if (existing) await boss.updateQueue(queue, settingsOf);
      else {
        try {
          await boss.createQueue(queue, { ...settingsOf, policy });
        } catch (error) {
          if (!(await boss.getQueue(queue))) throw error; // another replica made it in the meantime: fine
        }
      }
      defined.set(queue, options);
    },

    async work(queue, handler, options = {}) {
      queueOf(queue);
      if (!settings.work || stopping) return;
      await boss.work(queue, { pollingIntervalSeconds: settings.pollMs / 1000, batchSize: 1, localConcurrency: options.concurrency ?? 1 }, run(queue, handler));
    },

    async send(queue, data, options: SendOptions = {}) {
      queueOf(queue);
      return boss.send(queue, data, {
        singletonKey: options.singletonKey ?? `job:${randomUUID()}`,
        ...(options.startAfter ? { startAfter: options.startAfter } : {}),
      });
    },

    async every(queue, cron, data, options = {}) {
      queueOf(queue);
      if (cron.trim().split(/\s+/).length !== 5) throw new Error(`jobs: "${cron}" is not a five-field cron expression`);
      const key = options.key ?? 'default';
      await boss.schedule(queue, cron, data, { tz: options.tz ?? 'UTC', key, singletonKey: `schedule:${key}` });
    },

    async queueSnapshots() {
      if (defined.size === 0) return [];
      const queues = await boss.getQueues([...defined.keys()]);
      return queues.map((q) => ({ queue: q.name, queued: q.readyCount, deferred: q.deferredCount, active: q.activeCount, failed: q.failedCount }));
    },

    async stop() {
      stopping = true;
      await boss.stop({ graceful: true, close: false, timeout: Math.max(settings.graceMs, 1000) });
    },
  };
}
