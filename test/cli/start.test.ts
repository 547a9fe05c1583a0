import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { freePort } from '../helpers/freePort.ts';
import { startFakeGrafana, type FakeGrafana } from '../helpers/fakeGrafana.ts';

const TSX = 'node_modules/.bin/tsx';
import { START_ADMIN_KEY as ADMIN, START_MAPLE_KEY as MAPLE, GRAFANA_ADMIN_PASSWORD } from '../helpers/secrets.ts';
import { captureProcessOutput } from '../helpers/logCapture.ts';
import { eventually } from '../helpers/smtpServer.ts';

/** The real entry point (`npm start` runs it) on a fresh machine: no database URLs, so demo data. */
describe('npm start on a fresh machine', () => {
  let child: ChildProcess;
  let output = '';
  let base: string;
  let exit: Promise<number | null>;
  let grafana: FakeGrafana;

  beforeAll(async () => {
    const port = await freePort();
    base = `http://127.0.0.1:${port}`;
    grafana = await startFakeGrafana({ adminPassword: GRAFANA_ADMIN_PASSWORD });
    const env = {
      PATH: process.env.PATH, HOME: process.env.HOME, PORT: String(port), HOST: '127.0.0.1', ADMIN_API_KEY: ADMIN, MAPLE_API_KEY: MAPLE,
      GRAFANA_URL: grafana.url, GRAFANA_ADMIN_PASSWORD: GRAFANA_ADMIN_PASSWORD, GRAFANA_SYNC_ON_START: '1',
    };
    child = spawn(TSX, ['src/cli/start.ts'], { env, stdio: ['ignore', 'pipe', 'pipe'] });
    child.stdout!.on('data', (chunk) => (output += chunk));
    child.stderr!.on('data', (chunk) => (output += chunk));
    child.on('error', (error) => (output += `could not start the server: ${error.message}\n`));
    exit = new Promise((resolve) => child.on('exit', resolve));
    // PGlite's start and the demo load take ~12 s alone, longer while the rest of the suite loads both cores.
    for (let i = 0; i < 480 && !output.includes('Server listening') && child.exitCode === null; i++) await new Promise((r) => setTimeout(r, 250));
    if (!output.includes('Server listening')) throw new Error(`the server did not start:\n${output.slice(-2000)}`);
  }, 150_000);

  afterAll(async () => {
    captureProcessOutput('npm start (demo)', output);
    if (child.exitCode === null) child.kill('SIGKILL');
    await grafana?.close();
  });

  /**
   * The answer, once the embedded database has room: right after start the demo's own jobs (latest reports, alert
   * rounds, live traffic) hold its few connections, one statement at a time, and on a loaded machine a request can
   * wait longer than the acquire timeout (503 DATABASE_BUSY, as a busy client database answers).
   */
  const answer = async (path: string, key: string) => {
    const res = await eventually(() => fetch(`${base}${path}`, { headers: { authorization: `Bearer ${key}` } }), (r) => r.status !== 503, 90_000, 500);
    expect(res.status).toBe(200);
    return res.json();
  };

  it('serves the maple funnel from generated demo data and says so loudly', async () => {
    const body = await answer('/api/maple/funnel', MAPLE);
    expect(body.timezone).toBe('Australia/Sydney');
    expect(body.sessions).toBeGreaterThan(1000);
    expect(body.steps[0].count).toBeLessThan(body.sessions);
    expect(output).toContain('DEMO MODE');
    const clients = await (await fetch(`${base}/clients`, { headers: { authorization: `Bearer ${ADMIN}` } })).json();
    expect(clients.map((c: { id: string; demo: boolean }) => [c.id, c.demo])).toEqual([['maple', true], ['client2', true]]);
  });

  it('gives every client different data', async () => {
    const [maple, client2] = (await Promise.all([answer('/api/maple/daily', ADMIN), answer('/api/client2/daily', ADMIN)])).map((b) => b.days);
    expect(maple.map((d: { sessions: number }) => d.sessions)).not.toEqual(client2.map((d: { sessions: number }) => d.sessions));
  });

  it('syncs Grafana in the background at start-up when asked to', async () => {
    for (let i = 0; i < 40 && !output.includes('Grafana sync:'); i++) await new Promise((r) => setTimeout(r, 250));
    expect(output).toContain('Grafana sync: 2 client(s)');
    expect([...grafana.orgs.values()].map((org) => org.name)).toEqual(expect.arrayContaining(['Maple Dental Clinic', 'Northwind Outdoor Shop']));
  });

  it('never writes an API key or the Grafana password to the log', () => {
    expect(output).not.toContain(ADMIN);
    expect(output).not.toContain(MAPLE);
    expect(output).not.toContain(GRAFANA_ADMIN_PASSWORD);
  });

  it('drains and exits 0 on SIGTERM', async () => {
    child.kill('SIGTERM');
    expect(await exit).toBe(0);
    expect(output).toContain('shutdown complete');
  });
});

describe('start-up with a bad configuration', () => {
  it('refuses production without ADMIN_API_KEY and lists every bad key', () => {
    const result = spawnSync(TSX, ['src/cli/start.ts'], {
      env: { PATH: process.env.PATH, NODE_ENV: 'production', PORT: 'x' },
      encoding: 'utf8',
      timeout: 30_000,
    });
    expect(result.status).toBe(1);
    expect(result.stderr).toContain('ADMIN_API_KEY: or ADMIN_EMAIL and ADMIN_PASSWORD is required when NODE_ENV=production');
    expect(result.stderr).toContain('PORT: must be an integer');
  });
});
