import { spawnSync } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '../helpers/testDatabase.ts';
import { captureProcessOutput } from '../helpers/logCapture.ts';

let db: TestDatabase;
beforeAll(async () => {
  db = await createTestDatabase('cli_migrate');
});
afterAll(async () => {
  await db?.drop();
});

function migrate(...args: string[]) {
  const result = spawnSync('node_modules/.bin/tsx', ['src/cli/migrate.ts', ...args], {
    env: { PATH: process.env.PATH, PLATFORM_DB_URL: db.url }, encoding: 'utf8', timeout: 60_000,
  });
  captureProcessOutput('migrate', result.stdout + result.stderr);
  return result;
}

describe('npm run migrate', () => {
  it('says a fresh platform database is behind, migrates it, then has nothing to do', () => {
    const before = migrate('--status');
    expect(before.status).toBe(0);
    expect(before.stdout).toMatch(/^platform database at migration 0 of \d+: run npm run migrate/m);
    const run = migrate();
    expect(run.status).toBe(0);
    expect(run.stdout).toMatch(/^applied 001 rollups$/m);
    const again = migrate();
    expect(again.stdout).toMatch(/\(nothing to do\)/);
    expect(migrate('--status').stdout).toMatch(/up to date/);
  });

  it('refuses an unknown option with its usage', () => {
    const result = migrate('--sideways');
    expect(result.status).toBe(1);
    expect(result.stderr).toMatch(/usage: npm run migrate/);
  });
});
