import { createHash } from 'node:crypto';
import type pg from 'pg';
import { COUNTERS } from '../analytics/steps.ts';
import { quoteIdent } from '../db/identifiers.ts';

/**
 * The platform database's `rollups` schema. Per client:
 * - `clients`: the layout the rollup was built from, the watermark (largest `updatedAt` processed, never past the
 *   client database's clock) and `tail_start`, from which readers go to the raw rows;
 * - `buckets`: per 15-minute UTC bucket of the anchor time, sessions and one count per counter;
 * - `sessions`: per session its bucket and counter flags, so a session whose anchor moves leaves its old bucket and an
 *   unchanged row re-read in the overlap costs nothing.
 */
export const COUNTER_COLUMNS = COUNTERS.map(quoteIdent);

const DDL = [
  'CREATE SCHEMA IF NOT EXISTS rollups',
  `CREATE TABLE IF NOT EXISTS rollups.clients (
    client_id text PRIMARY KEY,
    layout text NOT NULL,
    watermark timestamptz,
    tail_start timestamptz NOT NULL,
    built_at timestamptz NOT NULL,
    refreshed_at timestamptz NOT NULL
  )`,
  `CREATE TABLE IF NOT EXISTS rollups.buckets (
    client_id text NOT NULL,
    bucket timestamptz NOT NULL,
    sessions integer NOT NULL,
    ${COUNTER_COLUMNS.map((c) => `${c} integer NOT NULL`).join(',\n    ')},
    PRIMARY KEY (client_id, bucket)
  )`,
  `CREATE TABLE IF NOT EXISTS rollups.sessions (
    client_id text NOT NULL,
    session_id text NOT NULL,
    bucket timestamptz NOT NULL,
    flags smallint NOT NULL,
    PRIMARY KEY (client_id, session_id)
  )`,
];

/** First key of every rollup advisory lock ('roll'), so they never collide with other users of advisory locks. */
const LOCK_NAMESPACE = 0x726f6c6c;

/** The advisory lock key pair for a client: the namespace and 32 bits of the id's SHA-256 (stable across versions,
 * unlike `hashtext`). Two ids sharing a hash merely take turns. */
export function lockKey(clientId: string): [number, number] {
  return [LOCK_NAMESPACE, createHash('sha256').update(clientId).digest().readInt32BE(0)];
}

/** Runs `work` in one transaction on one pooled connection. */
export async function inTransaction<T>(pool: pg.Pool, work: (tx: pg.PoolClient) => Promise<T>, begin = 'BEGIN'): Promise<T> {
  const tx = await pool.connect();
  try {
    await tx.query(begin);
    const result = await work(tx);
    await tx.query('COMMIT');
    return result;
  } catch (error) {
    await tx.query('ROLLBACK').catch(() => {});
    throw error;
  } finally {
    tx.release();
  }
}

/** Creates the schema if missing; replicas starting together take turns (CREATE ... IF NOT EXISTS can race). */
export async function migrateRollups(platform: pg.Pool): Promise<void> {
  await inTransaction(platform, async (tx) => {
    await tx.query('SELECT pg_advisory_xact_lock($1::int, 0)', [LOCK_NAMESPACE]);
    for (const statement of DDL) await tx.query(statement);
  });
}
