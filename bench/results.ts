import type { Dataset } from './data.ts';
import type { LoadResult } from './load.ts';
import type { Machine } from './machine.ts';
import type { Stats } from './measure.ts';
import type { ManyDataset } from './manyData.ts';
import type { BenchOptions, ManyClientsSpec } from './options.ts';
import type { RefreshTiming } from './rollups.ts';
import type { ConfigName } from './server.ts';

/** Everything one run measured; `report.ts` turns it into BENCHMARKS.md. */
export interface RunResult {
  options: Pick<BenchOptions, 'quick' | 'samples' | 'loadSeconds' | 'loadConnections' | 'memorySeconds'> & { sizes: string[]; argv: string[] };
  machine: Machine;
  sizes: SizeResult[];
  /** The many-clients case, when this run had it. */
  manyClients: ManyClientsResult | null;
  finishedAt: string;
  totalMs: number;
  /** CPU share taken by other processes while the harness was idle: before the run, before each size, after it. */
  otherCpu: number[];
  /** Which cores the harness and the API ran on (taskset), or why they were not pinned. */
  pinning: string;
}

export interface CaseResult {
  name: string;
  endpoint: string;
  days: number;
  path: string;
  /** Sessions in the range (from the bare SQL). */
  sessions: number;
  /** `resolveRange` for this request, timed in the harness process (ms): one known part of the API's own work. */
  rangeMs: number;
  bare: Stats;
  /** Per API configuration; `cached` holds cache hits (its first call, the miss, is `cachedMissMs`). */
  api: Partial<Record<ConfigName, Stats>>;
  cachedMissMs: number | null;
  /** Total uncached time over total bare time in the same interleaved rounds: what the ≤ 1.10× target is judged on. */
  uncachedRatio: number;
  /** Answers that differed: from the bare SQL's session count, or between configurations (`generatedAt` aside). */
  mismatches: string[];
}

export interface ServerRun {
  config: ConfigName;
  readyMs: number;
  /** VmHWM of the API process when it was stopped. */
  peakBytes: number;
}

export interface SizeResult {
  dataset: Dataset;
  cases: CaseResult[];
  servers: ServerRun[];
  load: Partial<Record<ConfigName, LoadResult>>;
  /** `/health` under the same load, in the cached configuration's process, in the round just before its cache-hit load. */
  healthLoad: LoadResult | null;
  /** The cache hit's share of /health in each alternating round; `healthLoad` and `load.cached` are the median round's. */
  hitShares: number[];
  /** The same cache hit with an API token (a service token of the client) instead of the admin key. */
  tokenLoad: LoadResult | null;
  /** The memory check: a cache-hit load of `memorySeconds`. */
  memoryLoad: LoadResult | null;
  /** Whether repeated calls of the cached configuration kept their first `generatedAt` (served from the cache). */
  cacheDetected: boolean;
  rollups: {
    /** Why rollups could not be driven from the harness, or null when they could. */
    unavailable: string | null;
    initialBuild: RefreshTiming | null;
    churn: { insertMs: number; updateMs: number; refresh: RefreshTiming | null } | null;
  };
}

/** The highest counts of connections seen on the server while sampling. */
export interface ConnectionPeak {
  /** The platform's connections to the clients' database (`application_name` chatbot-analytics): what the budget bounds. */
  maxClient: number;
  /** The platform database pool's (chatbot-analytics-platform), outside the client budget. */
  maxPlatform: number;
  /** Every client backend on the server, ours and anyone else's. */
  maxAll: number;
  samples: number;
  failures: string[];
}

export interface ManyRefreshResult {
  /** Clients in progress at once on average: the clients' refresh times summed over the round's wall time (≤ 1: one after another). */
  overlap: number;
  initialMs: number;
  initialRows: number;
  initialClients: number;
  initialFailures: number;
  churnRows: number;
  churnMs: number;
  /** Wall time of one `refreshAll()` round after the churn. */
  roundMs: number;
  /** Clients that reported (a failed client logs instead). */
  clients: number;
  modes: Record<string, number>;
  rowsRead: number;
  sessionsChanged: number;
  bucketsTouched: number;
  /** Each client's refresh time within the round. */
  perClient: Stats;
  failures: number;
  failureExamples: string[];
  connections: ConnectionPeak;
}

export interface ManyClientsResult {
  spec: ManyClientsSpec;
  dataset: ManyDataset;
  api: {
    readyMs: number;
    rssAfterStartBytes: number;
    rssAfterAnswersBytes: number;
    peakBytes: number;
    /** Per client: the first (uncached) 30-day funnel, and the same request again (from the result cache). */
    first: Stats;
    warm: Stats;
    firstWallMs: number;
    warmWallMs: number;
    /** Warm answers with the first answer's `generatedAt`. */
    cacheHits: number;
    /** Non-200 answers, answers for another client, session counts that differ from the bare SQL. */
    mismatches: string[];
    connections: ConnectionPeak;
  };
  refresh: ManyRefreshResult;
}
