import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createTestDatabase, type TestDatabase } from '../helpers/testDatabase.ts';
import { loadSydneyFixture } from '../fixtures/sydneyFixture.ts';
import { captureProcessOutput } from '../helpers/logCapture.ts';
import { describeSource } from '../../src/tenants/clientSource.ts';
import { countsSql } from '../../src/analytics/getCounts.ts';
import { connectClient } from '../../src/db/pool.ts';

let database: TestDatabase;
let dir: string;

beforeAll(async () => {
  database = await createTestDatabase('doctor');
  await loadSydneyFixture(database.pool, 'plain', 'timestamp');
  await loadSydneyFixture(database.pool, 'zoned', 'timestamptz');
  dir = mkdtempSync(join(tmpdir(), 'doctor-'));
  writeFileSync(join(dir, 'clients.json'), JSON.stringify({
    plain: { id: 'plain', name: 'Plain', dbUrl: '${PLAIN_DB_URL}', timezone: 'UTC' },
    zoned: { id: 'zoned', name: 'Zoned', dbUrl: '${ZONED_DB_URL}', timezone: 'UTC' },
  }));
}, 60_000);
afterAll(async () => {
  rmSync(dir, { recursive: true, force: true });
  await database?.drop();
});

function doctor(client: string) {
  const result = spawnSync('node_modules/.bin/tsx', ['src/cli/doctor.ts', '--client', client], {
    env: {
      PATH: process.env.PATH, CLIENTS_FILE: join(dir, 'clients.json'),
      PLAIN_DB_URL: `${database.url}?schema=plain`, ZONED_DB_URL: `${database.url}?schema=zoned`,
    },
    encoding: 'utf8',
    timeout: 60_000,
  });
  captureProcessOutput(`doctor ${client}`, result.stdout + result.stderr);
  return result;
}

/** Whether the planner can answer the funnel's range filter from an index (sequential scans switched off). */
async function funnelUsesAnchorIndex(schema: string): Promise<string> {
  const client = await connectClient({ connectionString: database.url });
  try {
    const source = await describeSource(client, schema);
    await client.query('SET enable_seqscan = off');
    const plan = await client.query(`EXPLAIN ${countsSql(source).replace(/\$1::timestamptz/, `'2024-04-06'::timestamptz`).replace(/\$2::timestamptz/, `'2024-04-09'::timestamptz`)}`);
    return plan.rows.map((r) => r['QUERY PLAN']).join('\n');
  } finally {
    await client.end();
  }
}

describe('npm run doctor', () => {
  it.each(['plain', 'zoned'])('prints the exact CREATE INDEX CONCURRENTLY statements a %s-timestamp client lacks', async (client) => {
    const first = doctor(client);
    expect(first.status).toBe(0);
    expect(first.stdout).toContain('never analysed: run ANALYZE');
    const statements = first.stdout.split('\n').filter((line) => line.startsWith('CREATE INDEX CONCURRENTLY'));
    expect(statements.some((s) => s.includes('"UserEvents_anchor_idx"'))).toBe(true);
    expect(statements.some((s) => s.includes('"UserEvents_updatedAt_idx"'))).toBe(true);
    for (const statement of statements) await database.pool.query(statement);
    await database.pool.query(`ANALYZE "${client}"."UserEvents"`);

    const second = doctor(client);
    expect(second.stdout).toContain('Every index the queries need is there.');
    expect(second.stdout).not.toContain('MISSING');
    // the suggested expression is the one the queries use, so the planner can serve the range filter from it
    expect(await funnelUsesAnchorIndex(client)).toContain('UserEvents_anchor_idx');
  });

  it('explains an unknown client', () => {
    const result = doctor('nobody');
    expect(result.status).toBe(1);
    expect(result.stderr).toContain('unknown client "nobody"');
  });
});
