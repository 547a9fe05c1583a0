/** Latency summary of one series, in milliseconds. Percentiles are nearest-rank (p99 of 30 samples is the maximum). */
export interface Stats {
  n: number;
  p50: number;
  p95: number;
  p99: number;
  mean: number;
  max: number;
}

export function stats(samples: number[]): Stats {
  const sorted = [...samples].sort((a, b) => a - b);
  const rank = (p: number) => sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(p * sorted.length) - 1))]!;
  return {
    n: sorted.length,
    p50: rank(0.5),
    p95: rank(0.95),
    p99: rank(0.99),
    mean: sorted.reduce((a, b) => a + b, 0) / sorted.length,
    max: sorted.at(-1)!,
  };
}

export interface SeriesPlan {
  samples: number;
  minSamples: number;
  /** Stop early (after `minSamples`) once a series has run this long: slow 10 M cases get fewer samples. */
  budgetMs: number;
}

/**
 * Times each of `calls` once per round, alternating their order every round so that drift (caches, autovacuum,
 * a busy neighbour) falls on all of them alike. Returns the samples of each call, in the order given.
 */
export async function interleaved(plan: SeriesPlan, calls: (() => Promise<unknown>)[]): Promise<number[][]> {
  const samples = calls.map(() => [] as number[]);
  const started = performance.now();
  for (let round = 0; round < plan.samples; round++) {
    if (round >= plan.minSamples && performance.now() - started > plan.budgetMs) break;
    const order = calls.map((_, i) => i);
    if (round % 2 === 1) order.reverse();
    for (const i of order) {
      const t = performance.now();
      await calls[i]!();
      samples[i]!.push(performance.now() - t);
    }
  }
  return samples;
}

export const ratio = (value: number, floor: number) => (floor > 0 ? value / floor : null);

/**
 * Total time of `values` over total time of `floors`, measured in the same interleaved rounds: robust where medians
 * are not (the same query can be bimodal on a busy 2-core machine, and a median then lands in either mode).
 */
export function totalRatio(values: number[], floors: number[]): number {
  const sum = (xs: number[]) => xs.reduce((a, b) => a + b, 0);
  return sum(values) / sum(floors);
}
