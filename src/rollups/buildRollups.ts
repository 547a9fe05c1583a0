import type pg from 'pg';
import { anchor } from '../analytics/sql.ts';
import type { TableInfo } from '../tenants/clientSource.ts';
import type { ClientSnapshot } from './clientSnapshot.ts';
import { countsFromFlags, sessionImageSql } from './rollupSql.ts';
import { buildDurationDays } from './durationDays.ts';
import { COUNTER_COLUMNS } from './schema.ts';

/** One session as a refresh sees it: where it counts (bucket, epoch seconds; null for ±infinity) and for what. */
export interface SessionImage {
  sessionId: string;
  bucket: number | null;
  flags: number;
  /** The session's duration as `getDuration` computes it; null with fewer than two steps. */
  durationSeconds: number | null;
  updatedAt: string | null;
}

/** What one pass did: rows read from the client, sessions whose contribution changed, buckets rewritten. */
export interface PassResult {
  rowsRead: number;
  sessionsChanged: number;
  bucketsTouched: number;
  /** The largest `updatedAt` read (exact UTC text), or null when nothing was read. */
  maxUpdatedAt: string | null;
}

export interface PassOptions {
  batchSize: number;
  onBatch?: (rowsRead: number, estimate: number | null) => void;
}

/** Ten million sessions stream through a cursor in batches of this many rows. */
export const DEFAULT_BATCH_SIZE = 50_000;

/** Streams session images through the snapshot's cursor, batch by batch; returns rows read and the latest `updatedAt`. */
export async function streamImages(
  snapshot: ClientSnapshot,
  sql: string,
  values: unknown[],
  opts: PassOptions,
  onRows: (rows: SessionImage[]) => Promise<void>,
  estimate: number | null = null,
): Promise<{ rowsRead: number; maxUpdatedAt: string | null }> {
  let rowsRead = 0;
  let maxUpdatedAt: string | null = null;
  await snapshot.forEachBatch<SessionImage>(sql, values, opts.batchSize, async (rows) => {
    await onRows(rows);
    for (const { updatedAt } of rows) {
      // Fixed-width UTC text (isoUtc) orders like the instants it spells.
      if (updatedAt !== null && (maxUpdatedAt === null || updatedAt > maxUpdatedAt)) maxUpdatedAt = updatedAt;
    }
    rowsRead += rows.length;
    opts.onBatch?.(rowsRead, estimate);
  });
  return { rowsRead, maxUpdatedAt };
}

/** Records sessions' buckets and flags (a NULL bucket removes the record). */
export async function recordImages(tx: pg.PoolClient, clientId: string, images: SessionImage[]): Promise<void> {
  const kept = images.filter((i) => i.bucket !== null);
  if (kept.length > 0) {
    await tx.query(
      `INSERT INTO rollups.sessions (client_id, session_id, bucket, flags, duration_seconds)
       SELECT $1, s, to_timestamp(b), f, d FROM unnest($2::text[], $3::bigint[], $4::smallint[], $5::float8[]) AS t(s, b, f, d)
       ON CONFLICT (client_id, session_id) DO UPDATE
         SET bucket = EXCLUDED.bucket, flags = EXCLUDED.flags, duration_seconds = EXCLUDED.duration_seconds`,
      [clientId, kept.map((i) => i.sessionId), kept.map((i) => i.bucket), kept.map((i) => i.flags), kept.map((i) => i.durationSeconds)],
    );
  }
  const dropped = images.filter((i) => i.bucket === null).map((i) => i.sessionId);
  if (dropped.length > 0) {
    await tx.query('DELETE FROM rollups.sessions WHERE client_id = $1 AND session_id = ANY($2::text[])', [clientId, dropped]);
  }
}

/**
 * Full build (first run, or rebuild): every session's image from one snapshot, streamed by a cursor (one sequential
 * read, no index needed, progress per batch), then each bucket's counts from those images. The images and the counts
 * come from the same snapshot, so each bucket equals the raw count at that moment.
 */
export async function buildAll(
  tx: pg.PoolClient,
  snapshot: ClientSnapshot,
  clientId: string,
  userEvents: TableInfo,
  opts: PassOptions,
): Promise<PassResult> {
  await tx.query('DELETE FROM rollups.buckets WHERE client_id = $1', [clientId]);
  await tx.query('DELETE FROM rollups.sessions WHERE client_id = $1', [clientId]);
  await tx.query('DELETE FROM rollups.duration_days WHERE client_id = $1', [clientId]);
  const [size] = await snapshot.query<{ n: number | null }>(
    'SELECT greatest(reltuples, 0)::bigint AS n FROM pg_class WHERE oid = to_regclass($1)', [userEvents.ref],
  );
  const { rowsRead, maxUpdatedAt } = await streamImages(
    snapshot, sessionImageSql(userEvents, `isfinite(${anchor(userEvents)})`), [], opts,
    (rows) => recordImages(tx, clientId, rows), size?.n || null,
  );
  const buckets = await tx.query(
    `INSERT INTO rollups.buckets (client_id, bucket, sessions, ${COUNTER_COLUMNS.join(', ')})
     SELECT $1, bucket, ${countsFromFlags('flags')} FROM rollups.sessions WHERE client_id = $1 GROUP BY bucket`,
    [clientId],
  );
  await buildDurationDays(tx, clientId);
  await analyzeIfGrown(tx, rowsRead);
  return { rowsRead, sessionsChanged: rowsRead, bucketsTouched: buckets.rowCount ?? 0, maxUpdatedAt };
}

/**
 * Fresh statistics when a build added a good share of the rollup tables (or they were never analysed), so the next
 * reads and refreshes plan for the rows just written, not for an empty table. Not after every build: with 1,000
 * clients, analysing tables that hold all of them after each one was 84 % of a full pass (BENCHMARKS.md). The
 * embedded database has no autovacuum, so this is the only analyse it gets.
 */
async function analyzeIfGrown(tx: pg.PoolClient, rowsWritten: number): Promise<void> {
  const { rows: [stats] } = await tx.query<{ estimate: number }>(
    "SELECT reltuples AS estimate FROM pg_class WHERE oid = 'rollups.sessions'::regclass",
  );
  const estimate = stats?.estimate ?? -1;
  if (estimate >= 0 && rowsWritten * 5 < estimate) return; // under a fifth of what the statistics already describe
  await tx.query('ANALYZE rollups.buckets');
  await tx.query('ANALYZE rollups.sessions');
}
