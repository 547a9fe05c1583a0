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
import { countExecutions } from '../helpers/executionCounter.ts';

/** Two API processes behind one (imaginary) load balancer share their result cache through Redis. */
let database: TestDatabase;
let platform: TestDatabase;
let dir: string;
let executions: () => Promise<number>;
// A client id of this run only: Redis outlives test runs, and its cache keys start with the client.
const CLIENT = `shop-${Date.now().toString(36)}`;
const servers: { child: ChildProcess; base: string; output: string }[] = [];

async function startServer(env: Record<string, string>) {
  const port = await freePort();
  const server = { child: spawn('node_modules/.bin/tsx', ['src/cli/start.ts'], {
    env: { PATH: process.env.PATH!, PORT: String(port), HOST: '127.0.0.1', ...env }, stdio: ['ignore', 'pipe', 'pipe'],
  }), base: `http://127.0.0.1:${port}`, output: '' };
  server.child.stdout!.on('data', (chunk) => (server.output += chunk));
  server.child.stderr!.on('data', (chunk) => (server.output += chunk));
  server.child.on('error', (error) => (server.output += `could not start the server: ${error.message}\n`));
  servers.push(server);
  for (let i = 0; i < 120 && !server.output.includes('Server listening'); i++) await new Promise((r) => setTimeout(r, 250));
  return server;
}

beforeAll(async () => {
  database = await createTestDatabase('two_processes');
  platform = await createTestDatabase('two_processes_platform'); // shared by both, as replicas share one
  await loadSydneyFixture(database.pool, 'public', 'timestamp');
  executions = await countExecutions(database); // real executions of the funnel's SQL
  dir = mkdtempSync(join(tmpdir(), 'two-processes-'));
  writeFileSync(join(dir, 'clients.json'), JSON.stringify({ [CLIENT]: { id: CLIENT, name: 'Shop', dbUrl: '${SHOP_DB_URL}', timezone: 'Australia/Sydney' } }));
  const env = {
    CLIENTS_FILE: join(dir, 'clients.json'), SHOP_DB_URL: database.url, ADMIN_API_KEY: START_ADMIN_KEY,
    REDIS_URL: 'redis://127.0.0.1:6379', CACHE_TTL_SECONDS: '120', LOG_LEVEL: 'info', PLATFORM_DB_URL: platform.url,
    ROLLUPS: '0', // every answer from the raw SQL, which counts its executions
  };
  await Promise.all([startServer(env), startServer(env)]);
}, 90_000);

afterAll(async () => {
  for (const server of servers) {
    captureProcessOutput('two-processes server', server.output);
    server.child.kill('SIGTERM');
  }
  rmSync(dir, { recursive: true, force: true });
  await database?.drop();
  await platform?.drop();
});


describe('two API processes with REDIS_URL', () => {
  it('compute an answer once and serve it from both', async () => {
    const url = (base: string) => `${base}/api/${CLIENT}/funnel?from=2024-04-06&to=2024-04-08`;
    const headers = { authorization: `Bearer ${START_ADMIN_KEY}` };
    const before = await executions();
    const first = await (await fetch(url(servers[0]!.base), { headers })).json();
    expect(first.sessions).toBe(9);
    const second = await (await fetch(url(servers[1]!.base), { headers })).json();
    expect(second.generatedAt).toBe(first.generatedAt);
    expect((await executions()) - before).toBe(1);
  });
});
