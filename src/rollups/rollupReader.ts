import { DateTime } from 'luxon';
import type { Queryable } from '../db/queryable.ts';
import type { DailyRow } from '../analytics/getDaily.ts';
import type { DateHourRow } from '../analytics/getDateHours.ts';
import type { HeatmapCell } from '../analytics/getHeatmap.ts';
import type { HourlyRow } from '../analytics/getHourly.ts';
import type { MetricQuery } from '../analytics/query.ts';
import type { ClientSource } from '../tenants/clientSource.ts';
import type { Counts } from '../analytics/steps.ts';
import { COUNTS, DAILY, DATE_HOURS, HEATMAP, HOURLY, keyOf, type Row, type RollupMetric } from './rollupMetrics.ts';
import type { SessionDuration } from '../analytics/getDuration.ts';
import { DAY_MS, rawDurationBins, rolledDurationBins } from './durationDays.ts';
import { durationFromBins, mergeBins } from './durationSketch.ts';
import { prefetchRollups, rolledKey, rolledMany, rollupsCanAnswer, wholeBuckets, type BatchRequest, type Prefetched } from './rollupBatch.ts';
import { layoutOf } from './rollupSql.ts';

/**
 * Answers counts, daily, hourly and heatmap from rollups, identical to getCounts / getDaily / getHourly / getHeatmap,
 * or `null` when rollups cannot (another funnel definition, no rollup for the client, a table layout it was not built
 * from, a bucket that does not sit inside one local hour in the requested zone): the caller then runs the raw SQL.
 *
 * The range is cut in three: whole buckets before the fresh tail come from the platform database (cost ~ buckets);
 * the partial bucket at the start, and everything from the last whole bucket or the fresh tail on, come from the
 * client's raw rows through the metric's own function.
 *
 * `prefetch` reads the state and whole-bucket sums of many clients' queries at once (one statement per metric); the
 * reader it returns answers those from what it read and everything else as before.
 */
export class RollupReader {
  constructor(
    private readonly platform: Queryable,
    private readonly clientDb: (clientId: string) => Queryable,
    private readonly known: Prefetched | null = null,
  ) {}

  async prefetch(requests: readonly RollupRequest[]): Promise<RollupReader> {
    const batch: BatchRequest[] = requests.map((r) => ({ metric: BY_KIND[r.kind], clientId: r.clientId, q: r.q }));
    return new RollupReader(this.platform, this.clientDb, await prefetchRollups(this.platform, batch));
  }

  counts(clientId: string, source: ClientSource, q: MetricQuery): Promise<Counts | null> {
    return this.answer(COUNTS, clientId, source, q);
  }

  daily(clientId: string, source: ClientSource, q: MetricQuery): Promise<DailyRow[] | null> {
    return this.answer(DAILY, clientId, source, q);
  }

  hourly(clientId: string, source: ClientSource, q: MetricQuery): Promise<HourlyRow[] | null> {
    return this.answer(HOURLY, clientId, source, q);
  }

  heatmap(clientId: string, source: ClientSource, q: MetricQuery): Promise<HeatmapCell[] | null> {
    return this.answer(HEATMAP, clientId, source, q);
  }

  /** Sessions per local date and hour (only those with sessions), as `getDateHours`. */
  dateHours(clientId: string, source: ClientSource, q: MetricQuery): Promise<DateHourRow[] | null> {
    return this.answer(DATE_HOURS, clientId, source, q);
  }

  /**
   * Session durations: whole UTC days before the fresh tail from the duration sketch, the partial days at the ends
   * from the raw rows; median and p90 within `RELATIVE_ERROR` (marked approximate). Null (raw SQL, exact) when the
   * range holds no whole day.
   */
  async durations(clientId: string, source: ClientSource, q: MetricQuery): Promise<SessionDuration | null> {
    const state = await this.state(clientId, source);
    if (!state) return null;
    const from = q.range.from.toMillis();
    const to = q.range.to.toMillis();
    const lo = Math.ceil(from / DAY_MS) * DAY_MS;
    const hi = Math.min(Math.floor(to / DAY_MS) * DAY_MS, Math.floor(state.tail / DAY_MS) * DAY_MS);
    if (hi <= lo) return null;
    const db = this.clientDb(clientId);
    const rawParts = [from < lo ? part(q, from, lo) : null, hi < to ? part(q, hi, to) : null].filter((p) => p !== null);
    const pieces = await Promise.all([
      rolledDurationBins(this.platform, clientId, lo, hi),
      ...rawParts.map((p) => rawDurationBins(db, source, p)),
    ]);
    return durationFromBins(mergeBins(pieces));
  }

  /** The client's rollup state when it was built from this layout, else null (the reader declines). */
  private async state(clientId: string, source: ClientSource): Promise<{ tail: number } | null> {
    const layout = layoutOf(source);
    if (layout === null) return null;
    if (this.known?.states.has(clientId)) {
      const state = this.known.states.get(clientId);
      return state && state.layout === layout ? { tail: state.tail } : null;
    }
    const { rows: [state] } = await this.platform.query<{ layout: string; tail: number }>(
      'SELECT layout, extract(epoch FROM tail_start)::bigint * 1000 AS tail FROM rollups.clients WHERE client_id = $1',
      [clientId],
    );
    return state && state.layout === layout ? { tail: Number(state.tail) } : null;
  }

  private async answer<A>(metric: RollupMetric<A>, clientId: string, source: ClientSource, q: MetricQuery): Promise<A | null> {
    if (!rollupsCanAnswer(metric, q)) return null;
    const state = await this.state(clientId, source);
    if (!state) return null;

    const db = this.clientDb(clientId);
    const from = q.range.from.toMillis();
    const to = q.range.to.toMillis();
    const { lo, hi } = wholeBuckets(q, state.tail);
    if (hi <= lo) return metric.finish(sum(metric, [await metric.raw(db, source, q)]), q);

    const rawParts = [from < lo ? part(q, from, lo) : null, hi < to ? part(q, hi, to) : null].filter((p) => p !== null);
    const [rolled, ...raw] = await Promise.all([
      this.rolled(metric, clientId, lo, hi, q.range.timezone),
      ...rawParts.map((p) => metric.raw(db, source, p)),
    ]);
    return rolled === null ? null : metric.finish(sum(metric, [rolled, ...raw]), q);
  }

  /** Sums of the whole buckets in [lo, hi) grouped by the metric's local keys; null if a bucket straddles a key. */
  private async rolled(metric: RollupMetric<unknown>, clientId: string, lo: number, hi: number, timezone: string): Promise<Row[] | null> {
    const key = rolledKey(clientId, lo, hi, timezone);
    const known = this.known?.rolled.get(metric)?.get(key);
    if (known !== undefined) return known;
    return (await rolledMany(this.platform, metric, [[key, { clientId, lo, hi, timezone }]])).get(key)!;
  }
}

/** What `prefetch` can read for many clients at once. */
export interface RollupRequest {
  kind: 'counts' | 'daily' | 'hourly' | 'heatmap' | 'dateHours';
  clientId: string;
  q: MetricQuery;
}
const BY_KIND: Record<RollupRequest['kind'], RollupMetric<unknown>> = { counts: COUNTS, daily: DAILY, hourly: HOURLY, heatmap: HEATMAP, dateHours: DATE_HOURS };

/** The same query over [fromMs, toMs). */
function part(q: MetricQuery, fromMs: number, toMs: number): MetricQuery {
  const zone = q.range.timezone;
  return { ...q, range: { ...q.range, from: DateTime.fromMillis(fromMs, { zone }), to: DateTime.fromMillis(toMs, { zone }) } };
}

/** Adds the pieces' rows up by key. */
function sum(metric: RollupMetric<unknown>, pieces: Row[][]): Map<string, Row> {
  const sums = new Map<string, Row>();
  for (const row of pieces.flat()) {
    const key = keyOf(row, metric.keys);
    const total = sums.get(key) ?? Object.fromEntries([...metric.keys.map((k) => [k.name, row[k.name]!]), ...metric.fields.map((f) => [f, 0])]);
    for (const field of metric.fields) total[field] = Number(total[field]) + Number(row[field]);
    sums.set(key, total);
  }
  return sums;
}
