import type { Dataset } from './data.ts';
import type { LoadResult } from './load.ts';
import type { Machine } from './machine.ts';
import type { Stats } from './measure.ts';
import type { BenchOptions } from './options.ts';
import type { RefreshTiming } from './rollups.ts';
import type { ConfigName } from './server.ts';

/** Everything one run measured; `report.ts` turns it into BENCHMARKS.md. */
export interface RunResult {
  options: Pick<BenchOptions, 'quick' | 'samples' | 'loadSeconds' | 'loadConnections'> & { sizes: string[]; argv: string[] };
  machine: Machine;
  sizes: SizeResult[];
  finishedAt: string;
  totalMs: number;
  /** CPU share taken by other processes while the harness was idle: before the run, before each size, after it. */
  otherCpu: number[];
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
  /** Whether repeated calls of the cached configuration kept their first `generatedAt` (served from the cache). */
  cacheDetected: boolean;
  rollups: {
    /** Why rollups could not be driven from the harness, or null when they could. */
    unavailable: string | null;
    initialBuild: RefreshTiming | null;
    churn: { insertMs: number; updateMs: number; refresh: RefreshTiming | null } | null;
  };
}
