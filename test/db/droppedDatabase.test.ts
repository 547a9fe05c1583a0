import { afterEach, describe, expect, it } from 'vitest';
import { randomBytes } from 'node:crypto';
import type pg from 'pg';
import { connectClient, createPool } from '../../src/db/pool.ts';
import { ADMIN_URL } from '../helpers/testDatabase.ts';

/**
 * `DROP DATABASE … WITH (FORCE)` under one of our pools: the server ends every connection (FATAL 57P01, then the
 * socket closes). None of that may become an unhandled error — vitest would fail this file if it did — and the
 * pool answers the next query with a plain error instead of hanging or crashing.
 */
const created: string[] = [];

async function admin<T>(work: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = await connectClient({ connectionString: ADMIN_URL });
  try {
    return await work(client);
  } finally {
    await client.end();
  }
}

async function freshDatabase(): Promise<string> {
  const name = `test_dropped_${randomBytes(4).toString('hex')}`;
  await admin((client) => client.query(`CREATE DATABASE "${name}"`));
  created.push(name);
  const url = new URL(ADMIN_URL);
  url.pathname = `/${name}`;
  return url.toString();
}

const dropForce = (name: string) => admin((client) => client.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`));
const nameOf = (url: string) => new URL(url).pathname.slice(1);

/** Resolves once `onError` has heard `count` errors (what the pool reports, not a timer). */
function errorsHeard(count: number) {
  const heard: (Error & { code?: string })[] = [];
  let done: () => void;
  const reached = new Promise<void>((resolve) => (done = resolve));
  const onError = (error: Error & { code?: string }) => {
    heard.push(error);
    if (heard.length >= count) done();
  };
  return { heard, reached, onError };
}

afterEach(async () => {
  for (const name of created.splice(0)) await dropForce(name);
});

describe('a database dropped under a pool', () => {
  it('reports the idle connections it loses to onError, and the next query fails with "does not exist"', async () => {
    const url = await freshDatabase();
    const { heard, reached, onError } = errorsHeard(3);
    const pool = createPool({ connectionString: url, max: 3 }, onError);
    await Promise.all([1, 2, 3].map(() => pool.query('SELECT pg_sleep(0.05)')));
    expect(pool.idleCount).toBe(3);

    await dropForce(nameOf(url));
    await reached;
    expect(heard.map((error) => error.code)).toEqual(['57P01', '57P01', '57P01']);

    const next = await pool.query('SELECT 1').then(() => null, (error: Error & { code?: string }) => error);
    expect(next?.code).toBe('3D000');
    expect(next?.message).toBe(`database "${nameOf(url)}" does not exist`);
    await pool.end();
  });

  it('hears a connection lent out by pool.connect() between its queries, which then refuses to query', async () => {
    const url = await freshDatabase();
    const { heard, reached, onError } = errorsHeard(1);
    const pool = createPool({ connectionString: url, max: 2 }, onError);
    const lent = await pool.connect();
    expect((await lent.query<{ one: number }>('SELECT 1 AS one')).rows).toEqual([{ one: 1 }]);

    await dropForce(nameOf(url));
    await reached;
    expect(heard[0]?.code).toBe('57P01');
    await expect(lent.query('SELECT 1')).rejects.toThrow('Client has encountered a connection error and is not queryable');
    lent.release(); // an unusable connection is discarded, not put back
    expect(pool.totalCount).toBe(0);
    await expect(pool.query('SELECT 1')).rejects.toMatchObject({ code: '3D000' });
    await pool.end();
  });

  it('hears a single client of connectClient dropped while idle', async () => {
    const url = await freshDatabase();
    const { heard, reached, onError } = errorsHeard(1);
    const client = await connectClient({ connectionString: url }, onError);
    await client.query('SELECT 1');

    await dropForce(nameOf(url));
    await reached;
    expect(heard[0]?.code).toBe('57P01');
    await expect(client.query('SELECT 1')).rejects.toThrow('not queryable');
    await client.end();
  });

  it('survives pool.end() racing the drop, as the test databases do', async () => {
    // pool.end() resolves before its connections have left the server, so the drop still terminates them.
    const url = await freshDatabase();
    const pool = createPool({ connectionString: url, max: 4 });
    await Promise.all([1, 2, 3, 4].map(() => pool.query('SELECT pg_sleep(0.05)')));
    await pool.end();
    await dropForce(nameOf(url));
    const left = await admin((client) => client.query<{ n: number }>('SELECT count(*)::int AS n FROM pg_database WHERE datname = $1', [nameOf(url)]));
    expect(left.rows[0]!.n).toBe(0);
  });
});
