import { createHash } from 'node:crypto';
import { COUNTERS } from '../analytics/steps.ts';
import { quoteIdent } from '../db/identifiers.ts';
import type { Queryable } from '../db/queryable.ts';

/**
 * The platform database's `rollups` schema (created by `migrations/001.do.rollups.sql`). Per client:
 * - `clients`: the layout the rollup was built from, the watermark (largest `updatedAt` processed, never past the
 *   client database's clock) and `tail_start`, from which readers go to the raw rows;
 * - `buckets`: per 15-minute UTC bucket of the anchor time, sessions and one count per counter;
 * - `sessions`: per session its bucket and counter flags, so a session whose anchor moves leaves its old bucket and an
 *   unchanged row re-read in the overlap costs nothing; and its duration, so a changed one is noticed;
 * - `duration_days` (`migrations/012.do.durations.sql`): per UTC day a sketch of the sessions' durations.
 */
export const COUNTER_COLUMNS = COUNTERS.map(quoteIdent);


/** First key of every rollup advisory lock ('roll'), so they never collide with other users of advisory locks. */
const LOCK_NAMESPACE = 0x726f6c6c;

/** The advisory lock key pair for a client: the namespace and 32 bits of the id's SHA-256 (stable across versions,
 * unlike `hashtext`). Two ids sharing a hash merely take turns. */
export function lockKey(clientId: string): [number, number] {
  return [LOCK_NAMESPACE, createHash('sha256').update(clientId).digest().readInt32BE(0)];
}

/** Removes a client's rollups (it left the registry); a client added again is built afresh. */
export async function forgetRollups(platform: Queryable, clientId: string): Promise<void> {
  for (const table of ['rollups.sessions', 'rollups.buckets', 'rollups.duration_days', 'rollups.clients']) {
    await platform.query(`DELETE FROM ${table} WHERE client_id = $1`, [clientId]);
  }
}
