import type { Logger } from 'pino';
import type { AppConfig } from '../config/loadConfig.ts';
import type { Jobs } from '../jobs/jobs.ts';
import { startJobs } from '../jobs/pgBossJobs.ts';
import { registerRollupJobs, type RollupJobs } from '../rollups/rollupJobs.ts';
import { registerGrafanaJobs, type GrafanaJobs } from './grafanaJobs.ts';
import type { Runtime } from './runtime.ts';
import { registerAlertJobs } from '../notify/alerts/alertJobs.ts';
import { registerDeliveryJobs } from '../notify/delivery/deliveryJobs.ts';
import type { Notifier } from '../notify/notification.ts';
import { registerReportJobs } from '../notify/reports/reportJobs.ts';
import { reportDepsFor } from '../notify/reports/reportDeps.ts';
import { startDemoJobs } from './demoJobs.ts';

/** What the modules' jobs need from the runtime (everything but HTTP and the jobs themselves). */
export type JobDeps = Pick<Runtime, 'registry' | 'databases' | 'platform' | 'rollups' | 'mailer' | 'grafanaPeople' | 'access' | 'cache' | 'managedClients' | 'metrics'> & Partial<Pick<Runtime, 'demo'>>;

export interface RuntimeJobs {
  jobs: Jobs;
  /** Asks for a rollup pass; null without rollups. */
  rollups: RollupJobs | null;
  grafana: GrafanaJobs;
  /** Alerts' notifications, queued for every channel that listens (sent with retries by the delivery jobs). */
  notifier: Notifier;
}

/**
 * The jobs of one platform process: pg-boss on the platform database (its pool, so its connection budget), and every
 * module's queues, handlers and schedules registered on it. With `JOBS_WORK=0` the same queues are defined and jobs
 * are sent and scheduled, but this process takes none (an API replica beside `npm run worker`).
 */
export async function startRuntimeJobs(config: AppConfig, log: Logger, deps: JobDeps): Promise<RuntimeJobs> {
  const jobs = await startJobs(deps.platform.pool, { ...config.jobs, graceMs: config.shutdownTimeoutMs / 2, failures: deps.metrics.jobFailures }, log);
  deps.metrics.watchJobs(jobs);
  try {
    const rollups = deps.rollups
      ? await registerRollupJobs(jobs, {
        refresher: deps.rollups.refresher,
        clientIds: () => deps.registry.list().filter((c) => c.database).map((c) => c.id),
        refreshSeconds: config.platform.rollupRefreshSeconds,
      })
      : null;
    const grafana = await registerGrafanaJobs(jobs, config, deps.registry, deps.grafanaPeople, log);

    const answers = { databases: deps.databases, cache: deps.cache, rollups: deps.rollups?.reader ?? null, now: () => new Date(), log };
    const notifier = await registerDeliveryJobs(jobs, {
      db: deps.platform.pool, box: deps.managedClients.box, mailer: deps.mailer, allowPrivateAddresses: !config.production, log,
      deliveries: deps.metrics.deliveries,
    });
    await registerAlertJobs(jobs, { answers, platform: deps.platform.pool, clients: deps.registry, notifier, publicUrl: config.access.publicUrl, log });
    const reports = reportDepsFor({
      platform: deps.platform.pool, clients: deps.registry, databases: deps.databases, cache: deps.cache, rollups: answers.rollups,
      mailer: deps.mailer, log, publicUrl: config.access.publicUrl, sendTimeoutSeconds: config.jobs.reportSendTimeoutSeconds,
    });
    await registerReportJobs(jobs, reports);
    // Demo data: a default channel, the latest reports in the outbox, live traffic (src/main/demoJobs.ts).
    if (deps.demo) await startDemoJobs(jobs, { demo: deps.demo, platform: deps.platform.pool, reports, log });

    // A first pass at start-up, as the periodic refresher did (replicas starting together queue one).
    if (rollups && config.platform.rollupRefreshSeconds > 0) await rollups.requestPass();
    return { jobs, rollups, grafana, notifier };
  } catch (error) {
    await jobs.stop();
    throw error;
  }
}
