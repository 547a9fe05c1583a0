import type pg from 'pg';
import type { TableInfo } from '../tenants/clientSource.ts';
import { recordImages, streamImages, type PassOptions, type PassResult, type SessionImage } from './buildRollups.ts';
import type { ClientSnapshot } from './clientSnapshot.ts';
import { DAY_SECONDS, recomputeDurationDays } from './durationDays.ts';
import { recomputeBuckets } from './recomputeBuckets.ts';
import { notBefore, sessionImageSql } from './rollupSql.ts';

type Recorded = { sessionId: string; bucket: number; flags: number; durationSeconds: number | null };

/**
 * Incremental pass. Reads every row with `updatedAt` at or after (watermark − overlap) — bound, and served by an index
 * on "updatedAt" — and compares each with the session's recorded bucket and flags (looked up by primary key, so the
 * cost follows the rows read, not the client's size). A row whose bucket and flags are unchanged contributes exactly
 * what it did: re-reading the overlap costs nothing more. For the others, the recorded (old) bucket and the new one
 * are recomputed from the raw rows of the same snapshot, and the record is updated. Nothing else is touched.
 */
export async function applyChanges(
  tx: pg.PoolClient,
  snapshot: ClientSnapshot,
  clientId: string,
  userEvents: TableInfo,
  since: { watermark: string | null; overlapSeconds: number },
  opts: PassOptions,
): Promise<PassResult> {
  const affected = new Set<number>();
  const affectedDays = new Set<number>();
  const dayOf = (bucket: number) => bucket - (((bucket % DAY_SECONDS) + DAY_SECONDS) % DAY_SECONDS);
  let sessionsChanged = 0;
  const from = `(COALESCE($1::timestamptz, '-infinity'::timestamptz) - $2::int * interval '1 second')`;
  const { rowsRead, maxUpdatedAt } = await streamImages(
    snapshot, sessionImageSql(userEvents, notBefore(userEvents, 'updatedAt', from)), [since.watermark, since.overlapSeconds], opts,
    async (images) => {
      const { rows } = await tx.query<Recorded>(
        `SELECT session_id AS "sessionId", extract(epoch FROM bucket)::bigint AS bucket, flags, duration_seconds AS "durationSeconds"
           FROM rollups.sessions WHERE client_id = $1 AND session_id = ANY($2::text[])`,
        [clientId, images.map((i) => i.sessionId)],
      );
      const recorded = new Map(rows.map((r) => [r.sessionId, r]));
      const changed = images.filter((image) => isChanged(image, recorded.get(image.sessionId)));
      for (const image of changed) {
        const before = recorded.get(image.sessionId);
        for (const bucket of [before?.bucket, image.bucket]) {
          if (bucket === undefined || bucket === null) continue;
          affected.add(bucket);
          affectedDays.add(dayOf(bucket));
        }
      }
      await recordImages(tx, clientId, changed);
      sessionsChanged += changed.length;
    },
  );
  const buckets = [...affected].sort((a, b) => a - b);
  await recomputeBuckets(tx, snapshot, clientId, userEvents, buckets);
  await recomputeDurationDays(tx, snapshot, clientId, userEvents, [...affectedDays].sort((a, b) => a - b));
  return { rowsRead, sessionsChanged, bucketsTouched: buckets.length, maxUpdatedAt };
}

/** Whether a session now contributes something else than what was recorded for it (its duration too). */
function isChanged(image: SessionImage, before: Recorded | undefined): boolean {
  if (!before) return image.bucket !== null;
  return before.bucket !== image.bucket || before.flags !== image.flags || before.durationSeconds !== image.durationSeconds;
}
