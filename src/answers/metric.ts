import type { ClientConfig } from '../config/clients.ts';
import type { Change } from '../analytics/compare.ts';
import type { MetricQuery } from '../analytics/query.ts';
import type { Queryable } from '../db/queryable.ts';
import type { RollupReader } from '../rollups/rollupReader.ts';
import type { ClientSource } from '../tenants/clientSource.ts';

/** What computing one metric for one client and range has at hand. */
export interface MetricContext<Q, P = undefined> {
  client: ClientConfig;
  db: Queryable;
  source: ClientSource;
  q: MetricQuery;
  /** The metric's own parameters as given, and what its `parse` made of them. */
  query: Q;
  parsed: P;
  /** Rollups, when on: a reader answers null when it cannot, and the metric runs its raw SQL. */
  rollups: RollupReader | null;
  /** The platform's clock when the answer is computed (a handoff younger than its limit is still pending). */
  now: Date;
}

/**
 * One metric, independent of how it is asked for (HTTP, the portfolio, an email report): how to compute it, how to
 * compare two answers, which of its own parameters it reads.
 */
export interface Metric<Q, B extends object, P = undefined> {
  name: string;
  /** Follows the funnel definition (`mode`, `window`). */
  funnel?: boolean;
  /** Comparable with another period: what changed between two answers. */
  compare?: (current: B, previous: B) => Change[];
  /** Names of its own parameters; they are part of what the answer depends on. */
  params?: readonly string[];
  /** Checks and converts its own parameters before any database is touched (a bad value is a 400 even when it is down). */
  parse?: (query: Q) => P;
  compute: (m: MetricContext<Q, P>) => Promise<B>;
}
