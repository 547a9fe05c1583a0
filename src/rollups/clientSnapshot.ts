import type { QueryResultRow } from 'pg';
import { isoUtc } from '../analytics/sql.ts';
import { inTransaction, type ConnectionSource } from '../db/transaction.ts';

/**
 * Reads from a client's database for one refresh, all in one REPEATABLE READ, READ ONLY transaction: the changed rows,
 * the recomputed buckets and the clock come from the same snapshot, which is what makes the bookkeeping exact.
 * Nothing is ever written to the client's database.
 */
export interface ClientSnapshot {
  /** The snapshot's `now()` as exact UTC text: the watermark never runs ahead of the database's clock. */
  now: string;
  query<R extends QueryResultRow>(sql: string, values?: unknown[]): Promise<R[]>;
  /** Streams `sql`'s rows through a cursor, `batchSize` at a time, so ten million rows never sit in memory at once. */
  forEachBatch<R extends QueryResultRow>(sql: string, values: unknown[], batchSize: number, onBatch: (rows: R[]) => Promise<void>): Promise<void>;
}

export function withClientSnapshot<T>(
  clientDb: ConnectionSource,
  statementTimeoutMs: number,
  work: (snapshot: ClientSnapshot) => Promise<T>,
): Promise<T> {
  return inTransaction(clientDb, async (conn) => {
    // SET LOCAL, never a session setting: the connection may be a pooler's, shared with others between transactions.
    await conn.query(`SET LOCAL statement_timeout = ${Math.trunc(statementTimeoutMs)}; SET LOCAL jit = off`); // jit: compiling our long statements costs more than running them
    const { rows } = await conn.query<{ now: string }>(`SELECT ${isoUtc('now()')} AS now`);
    const snapshot: ClientSnapshot = {
      now: rows[0]!.now,
      query: async (sql, values) => (await conn.query(sql, values)).rows,
      async forEachBatch(sql, values, batchSize, onBatch) {
        await conn.query(`DECLARE rollup_rows NO SCROLL CURSOR FOR ${sql}`, values);
        for (;;) {
          const batch = await conn.query(`FETCH FORWARD ${Math.trunc(batchSize)} FROM rollup_rows`);
          if (batch.rows.length > 0) await onBatch(batch.rows);
          if (batch.rows.length < batchSize) break;
        }
        await conn.query('CLOSE rollup_rows');
      },
    };
    return work(snapshot);
  }, 'BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY');
}
