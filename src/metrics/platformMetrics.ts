import type pg from 'pg';
import { collectDefaultMetrics, Counter, Histogram, Registry } from 'prom-client';
import { withTimeout } from '../db/withTimeout.ts';
import type { ResultCache } from '../cache/resultCache.ts';
import type { ClientLookup } from '../tenants/clientRegistry.ts';
import type { BudgetStats } from '../tenants/connections/serverBudget.ts';
import { JOB_STATES, type JobQueueSource } from './jobStats.ts';
import { getRollupLag } from './rollupLag.ts';
import { registerStateGauges, scrapedGauge } from './stateGauges.ts';

export type DeliveryChannel = 'email' | 'webhook' | 'slack';

/** Counts sends per channel and outcome (`sent`, `failed`, `outbox-only`): the mailer and webhook delivery call it. */
export interface DeliveryCounter {
  inc(labels: { channel: DeliveryChannel; status: string }): void;
}

/** Codes a client's failed answer is counted under; anything else counts as `OTHER` (the label stays bounded). */
export const CLIENT_ERROR_CODES = ['DATABASE_NOT_CONFIGURED', 'DATABASE_UNAVAILABLE', 'DATABASE_BUSY', 'QUERY_TIMEOUT', 'SCHEMA_UNAVAILABLE', 'INTERNAL'] as const;

export interface MetricSources {
  clients: ClientLookup;
  databases: { stats(): BudgetStats[] };
  /** The platform database's pool: its connections, and the rollup lag read from it at scrape time. */
  platform: pg.Pool;
  cache: ResultCache | null;
}

/** A scrape never waits longer than this for the platform database (or the job queue). */
const SCRAPE_QUERY_TIMEOUT_MS = 2000;

/**
 * The platform's own Prometheus metrics, in a registry of its own per runtime (tests run several in one process).
 * Labels stay bounded: `route` is the route pattern, never the URL; `client` only takes ids in the registry and
 * only on counters and gauges, never on a histogram. Gauges of state (pools, cache, lag, queues) are read at scrape.
 */
export class PlatformMetrics {
  readonly registry = new Registry();
  readonly httpDuration = new Histogram({
    name: 'cba_http_request_duration_seconds',
    help: 'HTTP requests by method, route pattern and status code, and how long they took',
    labelNames: ['method', 'route', 'status_code'] as const,
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
    registers: [this.registry],
  });
  readonly clientAnswers = new Counter({
    name: 'cba_client_answers_total',
    help: "Successful answers from a client's endpoints (/api/{clientId}/...)",
    labelNames: ['client'] as const,
    registers: [this.registry],
  });
  readonly clientErrors = new Counter({
    name: 'cba_client_errors_total',
    help: "Failed answers from a client's endpoints, by error code (its database down, busy, too slow, ...)",
    labelNames: ['client', 'code'] as const,
    registers: [this.registry],
  });
  readonly deliveries = new Counter({
    name: 'cba_deliveries_total',
    help: 'Emails and notifications sent, by channel and outcome',
    labelNames: ['channel', 'status'] as const,
    registers: [this.registry],
  });
  readonly jobFailures = new Counter({
    name: 'cba_job_failures_total',
    help: 'Job attempts that failed (retried or not), by queue',
    labelNames: ['queue'] as const,
    registers: [this.registry],
  });
  private readonly platformUp = scrapedGauge(this.registry, 'cba_platform_database_up', 'Whether the platform database answered the last scrape (1) or not (0)', []);
  private readonly rollupLag = scrapedGauge(this.registry, 'cba_rollup_lag_seconds', "Seconds since a client's rollups were last refreshed", ['client']);
  private readonly jobQueue = scrapedGauge(this.registry, 'cba_job_queue_jobs', 'Jobs per queue and state (queued, deferred, active, failed)', ['queue', 'state']);
  private jobs: JobQueueSource | null = null;

  constructor(private readonly sources: MetricSources) {
    collectDefaultMetrics({ register: this.registry });
    registerStateGauges(this.registry, sources);
    for (const channel of ['email', 'webhook'] as const) for (const status of ['sent', 'failed']) this.deliveries.inc({ channel, status }, 0);
    for (const client of sources.clients.list()) this.clientAnswers.inc({ client: client.id }, 0);
    sources.clients.subscribe((change) => {
      for (const client of change.added) this.clientAnswers.inc({ client: client.id }, 0);
      for (const { id } of change.removed) {
        this.clientAnswers.remove({ client: id });
        for (const code of [...CLIENT_ERROR_CODES, 'OTHER']) this.clientErrors.remove({ client: id, code });
      }
    });
  }

  /** The job queue, once the jobs module runs (until then its gauges have no samples). */
  watchJobs(source: JobQueueSource | null): void {
    this.jobs = source;
  }

  /** Whether `clientId` may be a label value now: only clients in the registry. */
  knownClient(clientId: unknown): clientId is string {
    return typeof clientId === 'string' && this.sources.clients.get(clientId) !== undefined;
  }

  countClientError(clientId: string, code: string): void {
    this.clientErrors.inc({ client: clientId, code: (CLIENT_ERROR_CODES as readonly string[]).includes(code) ? code : 'OTHER' });
  }

  /** The Prometheus text exposition; what needs a query is read first, each bounded in time and never failing the scrape. */
  async render(): Promise<string> {
    await Promise.all([this.readPlatform(), this.readJobs()]);
    return this.registry.metrics();
  }

  get contentType(): string {
    return this.registry.contentType;
  }

  private async readPlatform(): Promise<void> {
    this.rollupLag.reset();
    try {
      const rows = await withTimeout(getRollupLag(this.sources.platform), SCRAPE_QUERY_TIMEOUT_MS);
      for (const row of rows) if (this.knownClient(row.clientId)) this.rollupLag.set({ client: row.clientId }, row.lagSeconds);
      this.platformUp.set(1);
    } catch {
      this.platformUp.set(0);
    }
  }

  private async readJobs(): Promise<void> {
    this.jobQueue.reset();
    if (!this.jobs) return;
    try {
      for (const snapshot of await withTimeout(this.jobs.queueSnapshots(), SCRAPE_QUERY_TIMEOUT_MS)) {
        for (const state of JOB_STATES) this.jobQueue.set({ queue: snapshot.queue, state }, snapshot[state]);
      }
    } catch {
      // the queue's tables are in the platform database: cba_platform_database_up tells that story
    }
  }
}
