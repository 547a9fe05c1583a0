import type pg from 'pg';
import { anchor, BOUND_PARAMS, countColumns, DEFAULT_FUNNEL } from '../analytics/sql.ts';
import type { TableInfo } from '../tenants/clientSource.ts';
import { COUNTERS, type Counts } from '../analytics/steps.ts';
import type { ClientSnapshot } from './clientSnapshot.ts';
import { BUCKET_SECONDS, bucketOf, epochOf } from './rollupSql.ts';
import { COUNTER_COLUMNS } from './schema.ts';

type BucketCounts = { bucket: number } & Counts;

/**
 * At most this many ranges in the statement: a few late rows far apart stay a few narrow index ranges, while thousands
 * of scattered buckets become a few wide ranges (each row tests every range; 20 ran 1.8× faster than 100 on 1 M rows).
 */
const MAX_RANGES = 20;

/**
 * Half-open [start, end) epoch-second ranges covering the sorted bucket starts: runs of adjacent buckets, then, past
 * `MAX_RANGES`, the closest runs merged (split only at the widest gaps). Merged ranges also cover buckets that did
 * not change; the query filters them out, so the cost stays within one pass over the covered rows.
 */
export function coveringRanges(buckets: number[]): [number, number][] {
  const runs: [number, number][] = [];
  for (const start of buckets) {
    const last = runs[runs.length - 1];
    if (last && last[1] >= start) last[1] = Math.max(last[1], start + BUCKET_SECONDS);
    else runs.push([start, start + BUCKET_SECONDS]);
  }
  if (runs.length <= MAX_RANGES) return runs;
  const gaps = runs.slice(1).map((run, i) => ({ at: i + 1, width: run[0] - runs[i]![1] }));
  const splits = new Set(gaps.sort((a, b) => b.width - a.width || a.at - b.at).slice(0, MAX_RANGES - 1).map((g) => g.at));
  const ranges: [number, number][] = [];
  runs.forEach((run, i) => (i === 0 || splits.has(i) ? ranges.push([...run]) : (ranges[ranges.length - 1]![1] = run[1])));
  return ranges;
}

const isoOf = (epochSeconds: number) => new Date(epochSeconds * 1000).toISOString();

/**
 * Counts of exactly these buckets (sorted epoch seconds) from the client's raw rows, with the metrics' own select list
 * (`countColumns`): one aggregate over the buckets' anchor ranges (an index on the anchor expression serves it).
 */
async function rawBucketCounts(snapshot: ClientSnapshot, userEvents: TableInfo, buckets: number[]): Promise<BucketCounts[]> {
  const at = anchor(userEvents);
  const ranges = coveringRanges(buckets);
  const where = ranges.map((_, j) => `(${at} >= $${2 * j + 2}::timestamptz AND ${at} < $${2 * j + 3}::timestamptz)`);
  return snapshot.query<BucketCounts>(
    `SELECT ${epochOf(bucketOf(at))} AS "bucket", ${countColumns(userEvents, DEFAULT_FUNNEL, BOUND_PARAMS)}
       FROM ${userEvents.ref}
      WHERE (${where.join('\n             OR ')})
        AND ${bucketOf(at)} = ANY($1::timestamptz[])
      GROUP BY 1`,
    [buckets.map(isoOf), ...ranges.flatMap(([start, end]) => [isoOf(start), isoOf(end)])],
  );
}

/** Replaces the given buckets of a client with their counts recomputed from the raw rows of the snapshot. */
export async function recomputeBuckets(
  tx: pg.PoolClient,
  snapshot: ClientSnapshot,
  clientId: string,
  userEvents: TableInfo,
  buckets: number[],
): Promise<void> {
  if (buckets.length === 0) return;
  const counts = await rawBucketCounts(snapshot, userEvents, buckets);
  await tx.query(
    `DELETE FROM rollups.buckets
      WHERE client_id = $1 AND bucket IN (SELECT to_timestamp(b) FROM unnest($2::bigint[]) AS t(b))`,
    [clientId, buckets],
  );
  const fields = ['sessions', ...COUNTERS] as const;
  await tx.query(
    `INSERT INTO rollups.buckets (client_id, bucket, sessions, ${COUNTER_COLUMNS.join(', ')})
     SELECT $1, to_timestamp(b), ${fields.map((_, i) => `c${i}`).join(', ')}
       FROM unnest($2::bigint[], ${fields.map((_, i) => `$${i + 3}::int[]`).join(', ')}) AS t(b, ${fields.map((_, i) => `c${i}`).join(', ')})`,
    [clientId, counts.map((c) => c.bucket), ...fields.map((field) => counts.map((c) => c[field]))],
  );
}
