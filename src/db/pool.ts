import pg from 'pg';
import { pgTypes } from './pgTypes.ts';

type ErrorLog = (error: Error & { code?: string }) => void;

/**
 * The one way the platform makes a `pg` pool or client: our number types, and an error listener always attached.
 * A connection the server drops while idle (a restart, `DROP DATABASE ... WITH (FORCE)`, a pooler recycling it)
 * emits 'error'; without a listener Node would crash the process. The connection is discarded and replaced on next
 * use; `onError` hears about it (never log the error object itself: it can carry connection details).
 */
export function createPool(config: pg.PoolConfig, onError: ErrorLog = () => {}): pg.Pool {
  const pool = new pg.Pool({ types: pgTypes, ...config });
  pool.on('error', onError);
  return pool;
}

/** One connection, connected, with the same listener; `end()` it when done. */
export async function connectClient(config: pg.ClientConfig, onError: ErrorLog = () => {}): Promise<pg.Client> {
  const client = new pg.Client({ types: pgTypes, ...config });
  client.on('error', onError);
  await client.connect();
  return client;
}
