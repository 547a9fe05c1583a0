import type { SessionDuration } from '../analytics/getDuration.ts';
import { roundMs } from '../analytics/timings.ts';

/**
 * Session-duration quantiles from rollups: a DDSketch-style sketch. A positive duration `s` goes to bin
 * ceil(log_γ s), γ = (1 + α) / (1 − α); every value in a bin is within α of the bin's representative 2γ^i / (1 + γ),
 * so a quantile read from the bins — interpolated between neighbouring ranks as `percentile_cont` does — is within
 * α of the exact one (relative). Bins merge by adding counts, so days add up to any range. The mean comes from exact
 * sums and is exact (up to float addition order, below the millisecond the answer is rounded to).
 */
export const RELATIVE_ERROR = 0.01;
const GAMMA = (1 + RELATIVE_ERROR) / (1 - RELATIVE_ERROR);
/** Durations of zero (two steps in the same millisecond) have a bin of their own, below every other. */
export const ZERO_BIN = -32768;

/** The bin of a duration in seconds, in SQL (NULL stays NULL); the same on the client's and the platform's server. */
export function binOf(seconds: string): string {
  return `CASE WHEN ${seconds} IS NULL THEN NULL WHEN ${seconds} <= 0 THEN ${ZERO_BIN}
    ELSE ceil(ln(${seconds}) / ${Math.log(GAMMA).toPrecision(17)}::float8)::smallint END`;
}

export interface BinRow {
  bin: number;
  sessions: number;
  seconds: number;
}

const representative = (bin: number) => (bin === ZERO_BIN ? 0 : (2 * GAMMA ** bin) / (1 + GAMMA));

/** Adds bins of several pieces (days from rollups, edges from raw rows). */
export function mergeBins(pieces: BinRow[][]): BinRow[] {
  const merged = new Map<number, BinRow>();
  for (const row of pieces.flat()) {
    const bin = Number(row.bin);
    const into = merged.get(bin) ?? { bin, sessions: 0, seconds: 0 };
    into.sessions += Number(row.sessions);
    into.seconds += Number(row.seconds);
    merged.set(bin, into);
  }
  return [...merged.values()].sort((a, b) => a.bin - b.bin);
}

/** The value at fraction `p` (0 … 1), interpolated between ranks like `percentile_cont`. */
function quantile(bins: BinRow[], total: number, p: number): number {
  const position = p * (total - 1);
  const lower = Math.floor(position);
  const at = (rank: number) => {
    let seen = 0;
    for (const row of bins) {
      seen += row.sessions;
      if (rank < seen) return representative(row.bin);
    }
    return representative(bins[bins.length - 1]!.bin);
  };
  const low = at(lower);
  return position === lower ? low : low + (position - lower) * (at(lower + 1) - low);
}

/** The duration answer from merged bins: median and p90 approximate (within `RELATIVE_ERROR`), count and mean exact. */
export function durationFromBins(bins: BinRow[]): SessionDuration {
  const sessions = bins.reduce((n, row) => n + row.sessions, 0);
  if (sessions === 0) return { sessions: 0, medianSeconds: null, p90Seconds: null, meanSeconds: null, approximate: true };
  const seconds = bins.reduce((sum, row) => sum + row.seconds, 0);
  return {
    sessions,
    medianSeconds: roundMs(quantile(bins, sessions, 0.5)),
    p90Seconds: roundMs(quantile(bins, sessions, 0.9)),
    meanSeconds: roundMs(seconds / sessions),
    approximate: true,
  };
}
