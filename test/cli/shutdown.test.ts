import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createTestDatabase, type TestDatabase } from '../helpers/testDatabase.ts';
import { loadSydneyFixture } from '../fixtures/sydneyFixture.ts';
import { freePort } from '../helpers/freePort.ts';
import { captureProcessOutput } from '../helpers/logCapture.ts';
import { START_ADMIN_KEY } from '../helpers/secrets.ts';

/**
 * SIGTERM on the real server while a slow request is in flight: it finishes, new connections are refused, the
 * client pools close, and the process exits 0 within the configured bound.
 */
const SHUTDOWN_TIMEOUT_MS = 8000;
let database: TestDatabase;
let platform: TestDatabase;
let dir: string;
let child: ChildProcess;
let output = '';
let base: string;

beforeAll(async () => {
  database = await createTestDatabase('shutdown');
  platform = await createTestDatabase('shutdown_platform'); // a real platform database starts in ms, an embedded one in seconds
  await loadSydneyFixture(database.pool, 'public', 'timestamp');
  // Every funnel query now takes ~1.5 s: long enough to be in flight when SIGTERM arrives.
  await database.pool.query(`ALTER TABLE "UserEvents" RENAME TO "UserEventsData";
    CREATE VIEW "UserEvents" AS SELECT d.* FROM "UserEventsData" d, (SELECT pg_sleep(1.5)) AS slow`);
  dir = mkdtempSync(join(tmpdir(), 'shutdown-'));
  const registry = join(dir, 'clients.json');
  writeFileSync(registry, JSON.stringify({ slow: { id: 'slow', name: 'Slow', dbUrl: '${SLOW_DB_URL}', timezone: 'Australia/Sydney' } }));
  const port = await freePort();
  base = `http://127.0.0.1:${port}`;
  child = spawn('node_modules/.bin/tsx', ['src/cli/start.ts'], {
    env: {
      PATH: process.env.PATH, PORT: String(port), HOST: '127.0.0.1', CLIENTS_FILE: registry, SLOW_DB_URL: database.url,
      ADMIN_API_KEY: START_ADMIN_KEY, SHUTDOWN_TIMEOUT_MS: String(SHUTDOWN_TIMEOUT_MS), LOG_LEVEL: 'info',
      PLATFORM_DB_URL: platform.url, ROLLUPS: '0',
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  child.stdout!.on('data', (chunk) => (output += chunk));
  child.stderr!.on('data', (chunk) => (output += chunk));
  child.on('error', (error) => (output += `could not start the server: ${error.message}\n`));
  for (let i = 0; i < 120 && !output.includes('Server listening'); i++) await new Promise((r) => setTimeout(r, 250));
}, 60_000);

afterAll(async () => {
  captureProcessOutput('shutdown test server', output);
  if (child.exitCode === null) child.kill('SIGKILL');
  rmSync(dir, { recursive: true, force: true });
  await database?.drop();
  await platform?.drop();
});

const connectionsFromServer = async () =>
  (await database.pool.query<{ n: number }>(
    `SELECT count(*)::int AS n FROM pg_stat_activity WHERE datname = $1 AND application_name = 'chatbot-analytics'`, [database.name],
  )).rows[0]!.n;

describe('graceful shutdown', () => {
  it('finishes the request in flight, refuses new ones, closes the pools and exits 0 in time', async () => {
    const headers = { authorization: `Bearer ${START_ADMIN_KEY}` };
    const url = `${base}/api/slow/funnel?from=2024-04-06&to=2024-04-08`;
    expect((await fetch(url, { headers })).status).toBe(200); // warm: the pool is open
    expect(await connectionsFromServer()).toBeGreaterThan(0);

    const inFlight = fetch(url, { headers });
    await new Promise((r) => setTimeout(r, 400));
    const exit = new Promise<{ code: number | null; at: number }>((resolve) => child.on('exit', (code) => resolve({ code, at: Date.now() })));
    const signalledAt = Date.now();
    child.kill('SIGTERM');
    await new Promise((r) => setTimeout(r, 200));

    const refused = await fetch(`${base}/health`).then((r) => r.status, () => 'refused');
    expect([503, 'refused']).toContain(refused);
    const answer = await inFlight;
    expect(answer.status).toBe(200);
    expect((await answer.json()).sessions).toBe(9);

    const { code, at } = await exit;
    expect(code).toBe(0);
    expect(at - signalledAt).toBeLessThan(SHUTDOWN_TIMEOUT_MS);
    expect(output).toContain('shutdown complete');
    // A backend leaves pg_stat_activity a moment after its client hangs up.
    let open = await connectionsFromServer();
    for (let i = 0; i < 20 && open > 0; i++) open = await new Promise((r) => setTimeout(r, 100)).then(connectionsFromServer);
    expect(open).toBe(0);
  });
});
