import { DateTime } from 'luxon';
import type { Queryable } from '../db/queryable.ts';
import type { MetricQuery } from '../analytics/query.ts';
import { localTime } from '../analytics/sql.ts';
import type { Row, RollupKey, RollupMetric } from './rollupMetrics.ts';
import { BUCKET_MS, BUCKET_SECONDS } from './rollupSql.ts';

/**
 * Rollup reads for many clients in one statement each (the portfolio's, or any caller's that answers many clients):
 * every client's rollup state in one query, and per metric every request's whole-bucket sums in one query. The
 * per-client reader then finds its state and sums here and reads only its raw edges and fresh tail.
 */
export interface RollupState {
  layout: string;
  tail: number;
}

export interface Prefetched {
  /** Every asked-for client: its state row, or null when it has no rollup. */
  states: Map<string, RollupState | null>;
  /** Per metric, by `rolledKey`: the sums of the whole buckets (null: a bucket straddles a key, the reader declines). */
  rolled: Map<RollupMetric<unknown>, Map<string, Row[] | null>>;
}

export interface BatchRequest {
  metric: RollupMetric<unknown>;
  clientId: string;
  q: MetricQuery;
}

/**
 * How finely whole buckets are summed before being converted to local time: a 15-minute bucket maps to one local hour
 * in every zone (rollupSql.ts), a UTC hour only where the offset is a whole number of hours. Over 365 days the 35,040
 * buckets become 8,760 hours before they are converted: about a fifth less time for daily sums of bench_10m.
 */
const HOUR_SECONDS = 3600;

/** Hours when the zone's offset is a whole number of hours at both ends of [lo, hi), else buckets. An offset change
 * to a :30 zone in between is seen in SQL (`aligned` false) and that span is read again by buckets. */
function stepOf(span: Span): number {
  const whole = (ms: number) => DateTime.fromMillis(ms, { zone: span.timezone }).offset % 60 === 0;
  return whole(span.lo) && whole(span.hi - 1) ? HOUR_SECONDS : BUCKET_SECONDS;
}

/** The requested spans, numbered, and each one's whole buckets. */
const REQUESTS = `unnest($1::text[], $2::bigint[], $3::bigint[], $4::text[]) WITH ORDINALITY AS r(client_id, lo, hi, tz, i)`;
const IN_SPAN = 'b.client_id = r.client_id AND b.bucket >= to_timestamp(r.lo) AND b.bucket < to_timestamp(r.hi)';

/**
 * Per step, the rows to convert to local time (`start`, the step's start, and the summed fields), and when a step
 * maps to one local hour (and so one day and weekday): its local start is on a multiple of the step and the offset
 * does not change inside it. For buckets that holds in every zone since the 1970s except at transitions at odd
 * minutes (St John's switched at 00:01 until 2011); not for old local mean times (+00:19:32): such a bucket makes the
 * reader decline.
 */
const STEPS: Record<number, { rows: (fields: readonly string[]) => string; last: string; aligned: string }> = {
  [BUCKET_SECONDS]: {
    rows: (fields) => `SELECT r.i::int AS i, r.tz, b.bucket AS start, ${fields.map((f) => `b."${f}"`).join(', ')} FROM ${REQUESTS} JOIN rollups.buckets b ON ${IN_SPAN}`,
    last: `interval '899.999999 seconds'`,
    aligned: `date_part('minute', local)::int % 15 = 0`,
  },
  [HOUR_SECONDS]: {
    rows: (fields) => `SELECT i, tz, hour AT TIME ZONE 'UTC' AS start, ${fields.map((f) => `"${f}"`).join(', ')}
                         FROM (SELECT r.i::int AS i, min(r.tz) AS tz, date_trunc('hour', b.bucket AT TIME ZONE 'UTC') AS hour,
                                      ${fields.map((f) => `sum(b."${f}") AS "${f}"`).join(', ')}
                                 FROM ${REQUESTS} JOIN rollups.buckets b ON ${IN_SPAN} GROUP BY 1, 3) AS h`,
    last: `interval '3599.999999 seconds'`,
    aligned: `date_part('minute', local) = 0`,
  },
};

export const rolledKey = (clientId: string, lo: number, hi: number, timezone: string) => `${clientId}|${lo}|${hi}|${timezone}`;

/** Whether rollups can answer this query at all (another funnel definition needs the raw rows). */
export const rollupsCanAnswer = (metric: RollupMetric<unknown>, q: MetricQuery) =>
  !metric.usesFunnel || (q.funnel.mode === 'any' && q.funnel.windowSeconds === null);

/** The whole buckets of [from, to) before the tail, as the reader cuts them: [lo, hi), empty when hi <= lo. */
export function wholeBuckets(q: MetricQuery, tail: number): { lo: number; hi: number } {
  const lo = Math.ceil(q.range.from.toMillis() / BUCKET_MS) * BUCKET_MS;
  const hi = Math.min(Math.floor(q.range.to.toMillis() / BUCKET_MS) * BUCKET_MS, tail);
  return { lo, hi };
}

export async function readStates(platform: Queryable, clientIds: readonly string[]): Promise<Map<string, RollupState | null>> {
  const { rows } = await platform.query<{ client_id: string; layout: string; tail: string | number }>(
    'SELECT client_id, layout, extract(epoch FROM tail_start)::bigint * 1000 AS tail FROM rollups.clients WHERE client_id = ANY($1::text[])',
    [clientIds],
  );
  const states = new Map<string, RollupState | null>(clientIds.map((id) => [id, null]));
  for (const row of rows) states.set(row.client_id, { layout: row.layout, tail: Number(row.tail) });
  return states;
}

/** The states of every request's client, then per metric one query for all of them. */
export async function prefetchRollups(platform: Queryable, requests: readonly BatchRequest[]): Promise<Prefetched> {
  const states = await readStates(platform, [...new Set(requests.map((r) => r.clientId))]);
  const wanted = new Map<RollupMetric<unknown>, Map<string, Span>>();
  for (const { metric, clientId, q } of requests) {
    const state = states.get(clientId);
    if (!state || !rollupsCanAnswer(metric, q)) continue;
    const { lo, hi } = wholeBuckets(q, state.tail);
    if (hi <= lo) continue;
    const spans = wanted.get(metric) ?? new Map<string, Span>();
    spans.set(rolledKey(clientId, lo, hi, q.range.timezone), { clientId, lo, hi, timezone: q.range.timezone });
    wanted.set(metric, spans);
  }
  const rolled = new Map<RollupMetric<unknown>, Map<string, Row[] | null>>();
  await Promise.all([...wanted].map(async ([metric, spans]) => {
    rolled.set(metric, await rolledMany(platform, metric, [...spans.entries()]));
  }));
  return { states, rolled };
}

interface Span {
  clientId: string;
  lo: number;
  hi: number;
  timezone: string;
}

/**
 * Per span, the sums of its whole buckets grouped by the metric's local keys (null: a bucket straddles a key, the
 * reader declines). The reader's own query for one client, and the batch's for many, told apart by their ordinal.
 */
export async function rolledMany(platform: Queryable, metric: RollupMetric<unknown>, spans: [string, Span][]): Promise<Map<string, Row[] | null>> {
  if (metric.keys.length === 0) return sums(platform, metric, spans);
  const byHour: [string, Span][] = [];
  const byBucket: [string, Span][] = [];
  for (const entry of spans) (stepOf(entry[1]) === HOUR_SECONDS ? byHour : byBucket).push(entry);
  const [hours, buckets] = await Promise.all([keyedSums(platform, metric, byHour, HOUR_SECONDS), keyedSums(platform, metric, byBucket, BUCKET_SECONDS)]);
  const again = byHour.filter(([key]) => hours.get(key) === null);
  return new Map([...hours, ...buckets, ...await keyedSums(platform, metric, again, BUCKET_SECONDS)]);
}

const valuesOf = (spans: [string, Span][]) =>
  [spans.map(([, s]) => s.clientId), spans.map(([, s]) => s.lo / 1000), spans.map(([, s]) => s.hi / 1000), spans.map(([, s]) => s.timezone)];
const total = (f: string) => `COALESCE(sum("${f}"), 0)::bigint AS "${f}"`;

/** Keyless: one row of totals per span. */
async function sums(platform: Queryable, metric: RollupMetric<unknown>, spans: [string, Span][]): Promise<Map<string, Row[] | null>> {
  const { rows } = await platform.query<Row & { i: number }>(
    `SELECT r.i::int AS i, ${metric.fields.map(total).join(', ')} FROM ${REQUESTS} LEFT JOIN rollups.buckets b ON ${IN_SPAN} GROUP BY r.i`,
    valuesOf(spans),
  );
  return new Map(rows.map(({ i, ...row }) => [spans[Number(i) - 1]![0], [row as Row]]));
}

/** The spans' steps converted to local time twice each (OFFSET 0 keeps that query apart, so not once per use), then
 * summed by the metric's keys. */
async function keyedSums(platform: Queryable, metric: RollupMetric<unknown>, spans: [string, Span][], step: number): Promise<Map<string, Row[] | null>> {
  if (spans.length === 0) return new Map();
  const { rows: stepRows, last, aligned } = STEPS[step]!;
  const fields = metric.fields.map((f) => `"${f}"`);
  const groups = metric.keys.map((k: RollupKey, n) => `${k.group('local')} AS k${n}`);
  const shown = metric.keys.map((k, n) => `${k.show(`k${n}`)} AS "${k.name}"`);
  const { rows } = await platform.query<Row & { i: number; aligned: boolean }>(
    `SELECT i, ${[...shown, ...fields].join(', ')}, aligned
       FROM (SELECT i, ${[...groups, ...metric.fields.map(total)].join(', ')},
                    bool_and(${aligned} AND date_part('second', local) = 0 AND local_end = local + ${last}) AS aligned
               FROM (SELECT i, ${fields.join(', ')}, ${localTime('start', { from: '', to: '', window: '', tz: 'tz' })} AS local,
                            (start + ${last}) AT TIME ZONE tz AS local_end
                       FROM (${stepRows(metric.fields)}) AS s OFFSET 0) AS l
              GROUP BY ${['i', ...groups.map((_, n) => n + 2)].join(', ')}) AS g`,
    valuesOf(spans),
  );
  const out = new Map<string, Row[] | null>(spans.map(([key]) => [key, []]));
  for (const { i, aligned: fits, ...row } of rows) {
    const key = spans[Number(i) - 1]![0];
    const list = out.get(key);
    if (list === null) continue;
    if (!fits) out.set(key, null);
    else list!.push(row as Row);
  }
  return out;
}
