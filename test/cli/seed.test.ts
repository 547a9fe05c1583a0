import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { createTestDatabase, type TestDatabase } from '../helpers/testDatabase.ts';

let database: TestDatabase;
beforeAll(async () => {
  database = await createTestDatabase('seed_cli');
});
afterAll(async () => {
  await database?.drop();
});

function seed(...args: string[]) {
  return spawnSync('node_modules/.bin/tsx', ['src/cli/seed.ts', ...args], {
    env: { PATH: process.env.PATH, MAPLE_DB_URL: `${database.url}?schema=chatbot` },
    encoding: 'utf8',
    timeout: 60_000,
  });
}

const count = async (table: string) =>
  (await database.pool.query<{ n: number }>(`SELECT count(*)::int AS n FROM chatbot."${table}"`)).rows[0]!.n;

describe('npm run seed', () => {
  it('creates the tables in the real database and fills them, with progress', async () => {
    const result = seed('--client', 'maple', '--days', '5', '--sessions-per-day', '50');
    expect(result.status).toBe(0);
    expect(result.stdout).toMatch(/UserEvents \d+\/\d+/);
    const sessions = await count('UserEvents');
    expect(sessions).toBeGreaterThan(50);
    expect(await count('Leads')).toBeGreaterThan(0);
    expect(await count('ChatLog')).toBeGreaterThan(0);
    expect(await count('AgentConnection')).toBeGreaterThan(0);
  });

  it('refuses to write into tables that hold rows, and replaces them with --force', async () => {
    const before = await count('UserEvents');
    const refused = seed('--client', 'maple', '--days', '2');
    expect(refused.status).toBe(1);
    expect(refused.stderr).toContain('already holds');
    expect(refused.stderr).toContain('--force');
    expect(await count('UserEvents')).toBe(before);
    const forced = seed('--client', 'maple', '--days', '1', '--sessions-per-day', '20', '--force');
    expect(forced.status).toBe(0);
    expect(await count('UserEvents')).toBeLessThan(before);
  });

  it('explains bad arguments', () => {
    expect(seed('--client', 'nobody').stderr).toContain('unknown client "nobody"');
    expect(seed('--client', 'maple', '--days=0').stderr).toContain('--days must be a whole number');
    expect(seed('--client', 'maple', '--bogus').stderr).toContain("Unknown option '--bogus'");
    expect(seed('--client', 'client2').stderr).toContain('has no database URL');
  });
});

/** The Compose seed service runs `--if-empty` on every `docker compose up`: first start seeds, later starts keep the rows. */
describe('npm run seed -- --if-empty', () => {
  const seedSchema = (schema: string, ...args: string[]) =>
    spawnSync('node_modules/.bin/tsx', ['src/cli/seed.ts', ...args], {
      env: { PATH: process.env.PATH, MAPLE_DB_URL: `${database.url}?schema=${schema}` },
      encoding: 'utf8',
      timeout: 60_000,
    });
  const countIn = async (schema: string, table: string) =>
    (await database.pool.query<{ n: number }>(`SELECT count(*)::int AS n FROM "${schema}"."${table}"`)).rows[0]!.n;

  it('seeds a database whose tables do not exist yet, then leaves the rows alone and exits 0 on the next run', async () => {
    // Four local days, today possibly just begun: at least three whole days of ~20 sessions (fewer at weekends).
    const first = seedSchema('compose_seed', '--client', 'maple', '--if-empty', '--days', '4', '--sessions-per-day', '20');
    expect(first.status).toBe(0);
    const sessions = await countIn('compose_seed', 'UserEvents');
    expect(sessions).toBeGreaterThan(20);

    const again = seedSchema('compose_seed', '--client', 'maple', '--if-empty', '--days', '5');
    expect(again.status).toBe(0);
    expect(again.stdout).toContain('--if-empty: not seeding client "maple"');
    expect(again.stdout).toContain(`"compose_seed"."UserEvents" holds ${sessions} rows`);
    expect(await countIn('compose_seed', 'UserEvents')).toBe(sessions);
  });

  it('seeds tables that exist but are empty', async () => {
    for (const table of ['UserEvents', 'Leads', 'ChatLog', 'AgentConnection']) {
      await database.pool.query(`DELETE FROM "compose_seed"."${table}"`);
    }
    const result = seedSchema('compose_seed', '--client', 'maple', '--if-empty', '--days', '3', '--sessions-per-day', '20');
    expect(result.status).toBe(0);
    expect(await countIn('compose_seed', 'UserEvents')).toBeGreaterThan(0);
  });

  it('refuses --force together with --if-empty', () => {
    const result = seedSchema('compose_seed', '--client', 'maple', '--force', '--if-empty');
    expect(result.status).toBe(1);
    expect(result.stderr).toContain('--force and --if-empty exclude each other');
  });
});
