import type pg from 'pg';
import { isoUtc } from '../analytics/sql.ts';
import type { ClientSource } from '../tenants/clientSource.ts';
import { applyChanges } from './applyChanges.ts';
import { buildAll, DEFAULT_BATCH_SIZE, type PassResult } from './buildRollups.ts';
import { withClientSnapshot } from './clientSnapshot.ts';
import { bucketOf, layoutOf, rollupTable } from './rollupSql.ts';
import { inTransaction, type ConnectionSource } from '../db/transaction.ts';
import { lockKey } from './schema.ts';

export interface RefreshProgress {
  clientId: string;
  mode: 'full' | 'incremental';
  rowsRead: number;
  /** The table's row estimate (`pg_class.reltuples`) during a full build, when known. */
  estimate: number | null;
}

export interface RefreshOptions {
  /** Longest single statement on the client's database (default 5 minutes): a cursor batch of a full build is one. */
  statementTimeoutMs?: number;
  /** Seconds re-read before the watermark, for writes that commit late (default 300). */
  overlapSeconds?: number;
  /** Rows per cursor batch (default 50,000). */
  batchSize?: number;
  /** Rebuild from scratch, e.g. after rows were deleted from the client's database. */
  rebuild?: boolean;
  onProgress?: (progress: RefreshProgress) => void;
}

export interface RefreshReport extends Omit<PassResult, 'maxUpdatedAt'> {
  clientId: string;
  /** `skipped`: another refresher holds this client's lock; nothing was done. */
  mode: 'full' | 'incremental' | 'skipped';
  ms: number;
  /** Largest `updatedAt` processed (capped at the client database's clock), exact UTC text. */
  watermark: string | null;
  /** Readers take everything from here on from the raw rows. */
  tailStart: string | null;
}

export const DEFAULT_OVERLAP_SECONDS = 300;

/**
 * Brings a client's rollup up to date: a full build the first time (or when the table's layout changed, or on
 * `rebuild`), otherwise an incremental pass over rows changed since the watermark. Everything happens in one
 * platform-database transaction, under a per-client advisory lock: a second refresher for the same client does not
 * wait, it returns `mode: 'skipped'` at once (the one holding the lock is doing the same work).
 */
export async function refreshRollups(
  clientDb: ConnectionSource,
  platformDb: pg.Pool,
  clientId: string,
  source: ClientSource,
  opts: RefreshOptions = {},
): Promise<RefreshReport> {
  const started = performance.now();
  const userEvents = rollupTable(source);
  const layout = layoutOf(source)!;
  const overlapSeconds = opts.overlapSeconds ?? DEFAULT_OVERLAP_SECONDS;
  const ms = () => Math.round(performance.now() - started);

  return inTransaction(platformDb, async (tx) => {
    await tx.query('SET LOCAL jit = off'); // compiling our long generated statements costs more than running them
    const { rows: [lock] } = await tx.query<{ ok: boolean }>('SELECT pg_try_advisory_xact_lock($1::int, $2::int) AS ok', lockKey(clientId));
    if (!lock?.ok) {
      return { clientId, mode: 'skipped', rowsRead: 0, sessionsChanged: 0, bucketsTouched: 0, ms: ms(), watermark: null, tailStart: null };
    }
    const { rows: [state] } = await tx.query<{ layout: string; watermark: string | null }>(
      `SELECT layout, ${isoUtc('watermark')} AS watermark FROM rollups.clients WHERE client_id = $1`, [clientId],
    );
    const mode = opts.rebuild || !state || state.layout !== layout ? 'full' : 'incremental';
    const pass = {
      batchSize: opts.batchSize ?? DEFAULT_BATCH_SIZE,
      onBatch: (rowsRead: number, estimate: number | null) => opts.onProgress?.({ clientId, mode, rowsRead, estimate }),
    };
    return withClientSnapshot(clientDb, opts.statementTimeoutMs ?? 300_000, async (snapshot) => {
      const result = mode === 'full'
        ? await buildAll(tx, snapshot, clientId, userEvents, pass)
        : await applyChanges(tx, snapshot, clientId, userEvents, { watermark: state!.watermark, overlapSeconds }, pass);
      const previous = mode === 'full' ? null : state!.watermark;
      const saved = await saveState(tx, clientId, layout, mode === 'full', [previous, result.maxUpdatedAt, snapshot.now], overlapSeconds);
      const { maxUpdatedAt: _, ...counts } = result;
      return { clientId, mode, ...counts, ms: ms(), ...saved };
    });
  });
}

/**
 * The new watermark is the largest `updatedAt` seen so far, but never past the snapshot's clock (one row stamped in
 * the future must not hide everything written before it); with no row seen yet it stays NULL, so the next pass reads
 * every row (a writer's clock may lag the database's). The fresh tail starts at the bucket holding watermark − overlap:
 * rows committed after this snapshot land there, so readers see them before the next refresh.
 */
async function saveState(
  tx: pg.PoolClient,
  clientId: string,
  layout: string,
  full: boolean,
  [previous, seen, now]: [string | null, string | null, string],
  overlapSeconds: number,
): Promise<{ watermark: string | null; tailStart: string }> {
  const { rows: [saved] } = await tx.query<{ watermark: string | null; tailStart: string }>(
    `INSERT INTO rollups.clients AS c (client_id, layout, watermark, tail_start, built_at, refreshed_at)
     SELECT $1, $2, w, ${bucketOf(`(COALESCE(w, $5::timestamptz) - $6::int * interval '1 second')`)}, now(), now()
       FROM (SELECT CASE WHEN seen IS NOT NULL THEN least(seen, $5::timestamptz) END AS w FROM (SELECT greatest($3::timestamptz, $4::timestamptz) AS seen) AS s) AS x
     ON CONFLICT (client_id) DO UPDATE SET layout = EXCLUDED.layout, watermark = EXCLUDED.watermark,
        tail_start = EXCLUDED.tail_start, refreshed_at = EXCLUDED.refreshed_at,
        built_at = CASE WHEN $7::boolean THEN EXCLUDED.built_at ELSE c.built_at END
     RETURNING ${isoUtc('c.watermark')} AS watermark, ${isoUtc('c.tail_start')} AS "tailStart"`,
    [clientId, layout, previous, seen, now, overlapSeconds, full],
  );
  return saved!;
}
