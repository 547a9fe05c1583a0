import type { Queryable } from '../db/queryable.ts';
import type { MetricQuery } from '../analytics/query.ts';
import { localTime } from '../analytics/sql.ts';
import type { Row, RollupKey, RollupMetric } from './rollupMetrics.ts';
import { BUCKET_MS } from './rollupSql.ts';

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

/** The last instant of a bucket (timestamps have microsecond resolution). */
export const LAST_INSTANT = `interval '899.999999 seconds'`;

/**
 * A bucket maps to one local hour (and so one day and weekday) when its local start is on a quarter hour and the
 * offset does not change inside it. True for every zone since the 1970s except transitions at odd minutes (St John's
 * switched at 00:01 until 2011); not for old local mean times (+00:19:32). Such buckets make the reader decline.
 */
export const ALIGNED = `(date_part('minute', local)::int % 15 = 0 AND date_part('second', local) = 0 AND local_end = local + ${LAST_INSTANT})`;

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

/** The per-client `rolled` query of the reader over many spans at once, told apart by their ordinal. */
async function rolledMany(platform: Queryable, metric: RollupMetric<unknown>, spans: [string, Span][]): Promise<Map<string, Row[] | null>> {
  const values = [spans.map(([, s]) => s.clientId), spans.map(([, s]) => s.lo / 1000), spans.map(([, s]) => s.hi / 1000), spans.map(([, s]) => s.timezone)];
  const requests = `unnest($1::text[], $2::bigint[], $3::bigint[], $4::text[]) WITH ORDINALITY AS r(client_id, lo, hi, tz, i)`;
  const join = 'b.client_id = r.client_id AND b.bucket >= to_timestamp(r.lo) AND b.bucket < to_timestamp(r.hi)';
  const sums = metric.fields.map((f) => `COALESCE(sum("${f}"), 0)::bigint AS "${f}"`);
  let rows: (Row & { i: number; aligned?: boolean })[];
  if (metric.keys.length === 0) {
    ({ rows } = await platform.query(`SELECT r.i::int AS i, ${sums.join(', ')} FROM ${requests} LEFT JOIN rollups.buckets b ON ${join} GROUP BY r.i`, values));
  } else {
    const groups = metric.keys.map((k: RollupKey, n) => `${k.group('local')} AS k${n}`);
    const shown = metric.keys.map((k, n) => `${k.show(`k${n}`)} AS "${k.name}"`);
    // As in the reader: OFFSET 0 keeps the innermost query apart, so each bucket is converted to local time twice.
    ({ rows } = await platform.query(
      `SELECT i, ${[...shown, ...metric.fields.map((f) => `"${f}"`)].join(', ')}, aligned
         FROM (SELECT i, ${[...groups, ...sums].join(', ')}, bool_and(${ALIGNED}) AS aligned
                 FROM (SELECT r.i::int AS i, ${metric.fields.map((f) => `b."${f}"`).join(', ')},
                              ${localTime('b.bucket', { from: '', to: '', window: '', tz: 'r.tz' })} AS local,
                              (b.bucket + ${LAST_INSTANT}) AT TIME ZONE r.tz AS local_end
                         FROM ${requests} JOIN rollups.buckets b ON ${join} OFFSET 0) AS b
                GROUP BY ${['i', ...groups.map((_, n) => n + 2)].join(', ')}) AS g`,
      values,
    ));
  }
  const out = new Map<string, Row[] | null>(spans.map(([key]) => [key, []]));
  for (const { i, ...row } of rows) {
    const key = spans[Number(i) - 1]![0];
    const list = out.get(key);
    if (list === null) continue;
    if (row.aligned === false) out.set(key, null);
    else list!.push(row as Row);
  }
  return out;
}
