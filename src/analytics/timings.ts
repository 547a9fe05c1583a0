/**
 * Summaries of "how long until …" values in seconds: percentiles, mean and a histogram with fixed bins. Shared by
 * time to convert and time to agent so both read the same way.
 */
export interface TimingStats {
  /** How many values the summary is built on. */
  count: number;
  p50Seconds: number | null;
  p90Seconds: number | null;
  meanSeconds: number | null;
}

export interface HistogramBin {
  label: string;
  /** Inclusive lower bound. */
  fromSeconds: number;
  /** Exclusive upper bound; null for the last, open bin. */
  toSeconds: number | null;
  count: number;
}

/** Fixed bins, lower bound inclusive, upper bound exclusive; fixed so periods and clients compare bin by bin. */
export const TIME_BINS: readonly Omit<HistogramBin, 'count'>[] = [
  { label: '<10s', fromSeconds: 0, toSeconds: 10 },
  { label: '10-30s', fromSeconds: 10, toSeconds: 30 },
  { label: '30s-1m', fromSeconds: 30, toSeconds: 60 },
  { label: '1-2m', fromSeconds: 60, toSeconds: 120 },
  { label: '2-5m', fromSeconds: 120, toSeconds: 300 },
  { label: '5-15m', fromSeconds: 300, toSeconds: 900 },
  { label: '15-60m', fromSeconds: 900, toSeconds: 3600 },
  { label: '>=1h', fromSeconds: 3600, toSeconds: null },
];

/** `count` → `count`, or with prefix `wait` → `waitCount`. */
const columnName = (prefix: string, field: keyof TimingStats) => (prefix ? `${prefix}${field[0]!.toUpperCase()}${field.slice(1)}` : field);

/** `count`, `p50Seconds`, `p90Seconds`, `meanSeconds` of a seconds expression (NULLs ignored), each name prefixed. */
export function timingColumns(seconds: string, prefix = ''): string {
  const name = (field: keyof TimingStats) => `"${columnName(prefix, field)}"`;
  return [
    `count(${seconds}) AS ${name('count')}`,
    `percentile_cont(0.5) WITHIN GROUP (ORDER BY ${seconds}) AS ${name('p50Seconds')}`,
    `percentile_cont(0.9) WITHIN GROUP (ORDER BY ${seconds}) AS ${name('p90Seconds')}`,
    `avg(${seconds}) AS ${name('meanSeconds')}`,
  ].join(',\n       ');
}

/** One count column per bin: `"bin0"` … `"bin7"`. */
export function histogramColumns(seconds: string): string {
  return TIME_BINS.map((bin, i) => {
    const upper = bin.toSeconds === null ? '' : ` AND ${seconds} < ${bin.toSeconds}`;
    return `count(*) FILTER (WHERE ${seconds} >= ${bin.fromSeconds}${upper}) AS "bin${i}"`;
  }).join(',\n       ');
}

export const roundMs = (value: number | null) => (value === null ? null : Math.round(value * 1000) / 1000);

/** Reads the columns `timingColumns` produced (with the same prefix) from a row. */
export function toTimingStats(row: Record<string, unknown>, prefix = ''): TimingStats {
  const read = (field: keyof TimingStats) => (row[columnName(prefix, field)] as number | null | undefined) ?? null;
  return {
    count: read('count') ?? 0,
    p50Seconds: roundMs(read('p50Seconds')),
    p90Seconds: roundMs(read('p90Seconds')),
    meanSeconds: roundMs(read('meanSeconds')),
  };
}

/** Reads the columns `histogramColumns` produced; a missing row reads as all zeros. */
export function toHistogram(row: Record<string, unknown> | undefined): HistogramBin[] {
  return TIME_BINS.map((bin, i) => ({ ...bin, count: (row?.[`bin${i}`] as number | undefined) ?? 0 }));
}
