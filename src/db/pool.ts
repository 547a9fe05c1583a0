import pg from 'pg';
import { pgTypes } from './pgTypes.ts';

type ErrorLog = (error: Error & { code?: string }) => void;

/**
 * The one way the platform makes a `pg` pool or client: our number types, and an error listener always attached.
 * A connection the server drops (a restart, `DROP DATABASE ... WITH (FORCE)`, a pooler recycling it) emits 'error';
 * without a listener Node would crash the process. The connection is discarded and replaced on next use; `onError`
 * hears about it (never log the error object itself: it can carry connection details).
 */
export function createPool(config: pg.PoolConfig, onError: ErrorLog = () => {}): pg.Pool {
  const pool = new pg.Pool({ types: pgTypes, ...config });
  // pg-pool listens on a connection only while it is idle: one lent out (`pool.connect()`, a transaction) that the
  // server drops between queries would emit an unheard 'error'. So each connection has our listener for life, and
  // the pool's own 'error' (the same error, re-emitted for idle ones) only needs to be heard.
  pool.on('connect', (client) => client.on('error', onError));
  pool.on('error', () => {});
  return pool;
}

/** One connection, connected, with the same listener; `end()` it when done. */
export async function connectClient(config: pg.ClientConfig, onError: ErrorLog = () => {}): Promise<pg.Client> {
  const client = new pg.Client({ types: pgTypes, ...config });
  client.on('error', onError);
  await client.connect();
  return client;
}
