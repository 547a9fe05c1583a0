import pg from 'pg';
import { randomBytes } from 'node:crypto';
import { migratePlatform } from '../../src/platform/migrations.ts';
import type { PlatformDatabase } from '../../src/platform/platformDatabase.ts';
import { connectClient, createPool } from '../../src/db/pool.ts';
import { adminUrl } from './prerequisites.ts';

/** The local server tests create their databases on (trust auth on this machine and in CI). */
export const ADMIN_URL = adminUrl();

export interface TestDatabase {
  name: string;
  url: string;
  pool: pg.Pool;
  drop(): Promise<void>;
}

/** A fresh database for one test file, dropped (with its connections) afterwards. */
export async function createTestDatabase(label: string): Promise<TestDatabase> {
  const name = `test_${label.replace(/[^a-z0-9]/gi, '_').toLowerCase()}_${randomBytes(4).toString('hex')}`;
  const admin = await connectClient({ connectionString: ADMIN_URL });
  try {
    await admin.query(`CREATE DATABASE "${name}"`);
  } finally {
    await admin.end();
  }
  const url = new URL(ADMIN_URL);
  url.pathname = `/${name}`;
  const pool = createPool({ connectionString: url.toString(), max: 4 });
  return {
    name,
    url: url.toString(),
    pool,
    async drop() {
      await pool.end();
      const client = await connectClient({ connectionString: ADMIN_URL });
      try {
        await client.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
      } finally {
        await client.end();
      }
    },
  };
}

/** A test database used as the platform database, migrated (closing it is the test database's `drop`). */
export async function asPlatformDatabase(db: TestDatabase): Promise<PlatformDatabase> {
  const { current, latest } = await migratePlatform(db.pool);
  return { pool: db.pool, embedded: false, status: { current, latest }, close: async () => {} };
}
