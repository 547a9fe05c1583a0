import type pg from 'pg';

/** Anything that lends a connection for a while: `pg.Pool`, or a client database's budgeted pool. */
export interface ConnectionSource {
  connect(): Promise<pg.PoolClient>;
}

/** Runs `work` in one transaction on one connection; rolls back on any error. */
export async function inTransaction<T>(source: ConnectionSource, work: (tx: pg.PoolClient) => Promise<T>, begin = 'BEGIN'): Promise<T> {
  const tx = await source.connect();
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
