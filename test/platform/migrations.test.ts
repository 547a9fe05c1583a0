import { readdirSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { migratePlatform, migrationStatus, PlatformBehindError } from '../../src/platform/migrations.ts';
import { openPlatformDatabase, PlatformUnreachableError } from '../../src/platform/platformDatabase.ts';
import { createPool } from '../../src/db/pool.ts';
import { createTestDatabase, type TestDatabase } from '../helpers/testDatabase.ts';
import { freePort } from '../helpers/freePort.ts';

let db: TestDatabase;
beforeAll(async () => {
  db = await createTestDatabase('platform_migrations');
});
afterAll(async () => {
  await db?.drop();
});

/** Every migration file of every module, as `[version, file]`. */
function migrationFiles(): [number, string][] {
  const files: [number, string][] = [];
  for (const module of readdirSync('src', { withFileTypes: true }).filter((e) => e.isDirectory())) {
    let names: string[] = [];
    try {
      names = readdirSync(`src/${module.name}/migrations`);
    } catch {
      continue;
    }
    for (const name of names) files.push([Number(name.split('.')[0]), `src/${module.name}/migrations/${name}`]);
  }
  return files.sort((a, b) => a[0] - b[0]);
}

describe('platform migrations', () => {
  it('number every module\'s migrations uniquely and without gaps, all named NNN.do.<name>.sql', () => {
    const files = migrationFiles();
    expect(files.length).toBeGreaterThan(0);
    expect(files.map(([version]) => version)).toEqual(files.map((_, i) => i + 1));
    for (const [, file] of files) expect(file).toMatch(/\/\d{3}\.do\.[a-z0-9-]+\.sql$/);
  });

  it('migrate once when several replicas start at the same moment', async () => {
    const pools = Array.from({ length: 4 }, () => createPool({ connectionString: db.url, max: 1 }));
    try {
      const reports = await Promise.all(pools.map((pool) => migratePlatform(pool)));
      const latest = migrationFiles().length;
      expect(reports.map((r) => r.latest)).toEqual([latest, latest, latest, latest]);
      // Exactly one of them applied the migrations; the others waited for its lock and found nothing to do.
      expect(reports.map((r) => r.applied.length).sort()).toEqual([0, 0, 0, latest]);
      const { rows } = await db.pool.query<{ n: number }>('SELECT count(*)::int AS n FROM platform.schemaversion WHERE version > 0');
      expect(rows[0]!.n).toBe(latest);
      expect(await migrationStatus(db.pool)).toEqual({ current: latest, latest });
    } finally {
      await Promise.all(pools.map((pool) => pool.end()));
    }
  });

  it('refuse to open a database that is behind when this process may not migrate, naming the command', async () => {
    const behind = await createTestDatabase('platform_behind');
    try {
      await expect(openPlatformDatabase({ url: behind.url, migrate: false, waitSeconds: 0 })).rejects.toThrow(PlatformBehindError);
      await expect(openPlatformDatabase({ url: behind.url, migrate: false, waitSeconds: 0 })).rejects.toThrow(/npm run migrate/);
      const opened = await openPlatformDatabase({ url: behind.url, migrate: true, waitSeconds: 0 });
      expect(opened.status.current).toBe(opened.status.latest);
      await opened.close();
      const again = await openPlatformDatabase({ url: behind.url, migrate: false, waitSeconds: 0 });
      await again.close();
    } finally {
      await behind.drop();
    }
  });

  it('say that the platform database is unreachable, naming the variable and never the URL', async () => {
    const url = `postgres://someone:s3cret-platform-pw@127.0.0.1:${await freePort()}/platform`;
    const error = await openPlatformDatabase({ url, migrate: true, waitSeconds: 0 }).catch((e: Error) => e);
    expect(error).toBeInstanceOf(PlatformUnreachableError);
    expect((error as Error).message).toBe('The platform database (PLATFORM_DB_URL) is unreachable (ECONNREFUSED)');
  });

  it('create the rollup tables with one count column per counter', async () => {
    const { rows } = await db.pool.query<{ column_name: string }>(
      `SELECT column_name FROM information_schema.columns WHERE table_schema = 'rollups' AND table_name = 'buckets' ORDER BY ordinal_position`,
    );
    expect(rows.map((r) => r.column_name)).toEqual(['client_id', 'bucket', 'sessions', 'pageLoaded', 'widgetOpened', 'requestedHuman', 'pressedAccept', 'pressedCallback', 'pressedContinue']);
  });
});
