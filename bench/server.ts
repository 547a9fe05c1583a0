import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { BENCH_TIMEZONE } from './data.ts';
import type { SizeSpec } from './options.ts';
import { apiCommand } from './pinning.ts';

/** The configurations measured, each a separate API process started with its own environment. */
export const CONFIGS = {
  uncached: { CACHE: 'off', ROLLUPS: 'off' },
  rollups: { CACHE: 'off', ROLLUPS: 'on' },
  // CACHE left unset: the cache's default. Rollups off, so a miss costs the raw query and the cache alone is measured.
  cached: { ROLLUPS: 'off' },
} as const satisfies Record<string, Record<string, string>>;
export type ConfigName = keyof typeof CONFIGS;

const START_SCRIPT = fileURLToPath(new URL('../src/cli/start.ts', import.meta.url));
const READY_TIMEOUT_MS = 10 * 60_000;
const running = new Set<ChildProcess>();

export interface ProcessMemory {
  /** Peak resident set size (VmHWM) and current resident set size (VmRSS), bytes. */
  peakBytes: number;
  rssBytes: number;
}

export interface ApiProcess {
  pid: number;
  baseUrl: string;
  token: string;
  /** From spawning the process to its first `/health` 200 (includes anything it does before listening). */
  readyMs: number;
  memory(): ProcessMemory;
  stop(): Promise<void>;
}

export interface ApiServer extends ApiProcess {
  config: ConfigName;
}

export interface ServerOptions {
  config: ConfigName;
  size: SizeSpec;
  databaseUrl: string;
  platformUrl: string;
  /** A scratch directory: the process runs there (so no `.env` is read) with a one-client registry. */
  workDir: string;
}

/** One client, served from the size's database, in the configuration's environment. */
export async function startApiServer(options: ServerOptions): Promise<ApiServer> {
  const { config, size } = options;
  const dbVariable = `${size.clientId.toUpperCase().replace(/-/g, '_')}_DB_URL`;
  const api = await spawnApi({
    name: size.clientId,
    workDir: options.workDir,
    registry: { [size.clientId]: { id: size.clientId, name: `Benchmark ${size.label}`, dbUrl: `\${${dbVariable}}`, timezone: BENCH_TIMEZONE } },
    env: { [dbVariable]: options.databaseUrl, PLATFORM_DB_URL: options.platformUrl, ...CONFIGS[config] },
  });
  return { ...api, config };
}

export interface SpawnOptions {
  /** Names the registry file in `workDir`. */
  name: string;
  workDir: string;
  /** The registry (`CLIENTS_FILE`), keyed by client id; database URLs as `${VARIABLE}` references into `env`. */
  registry: Record<string, unknown>;
  /** Added to (and overriding) the base environment below. */
  env: Record<string, string>;
}

/**
 * Starts `src/cli/start.ts` in its own Node process (not through `npm`/`tsx` wrappers, so `pid` is the API itself)
 * with a minimal environment: production mode, an admin key, warnings-only logs (per-request logging would measure
 * pino), a rate limit above any load we generate, no jobs taken (`JOBS_WORK=0`), then `env` (database URLs, the configuration's switches).
 */
export async function spawnApi(options: SpawnOptions): Promise<ApiProcess> {
  const { workDir } = options;
  const port = await freePort();
  const token = randomBytes(24).toString('hex');
  const clientsFile = join(workDir, `clients-${options.name}.json`);
  writeFileSync(clientsFile, JSON.stringify(options.registry, null, 2));
  const env: Record<string, string> = {
    PATH: process.env.PATH ?? '/usr/bin:/bin',
    HOME: process.env.HOME ?? workDir,
    NODE_ENV: 'production',
    HOST: '127.0.0.1',
    PORT: String(port),
    LOG_LEVEL: 'warn',
    CLIENTS_FILE: clientsFile,
    DEMO: '0',
    ADMIN_API_KEY: token,
    SESSION_SECRET: randomBytes(32).toString('hex'),
    // Above any load: a minute of cache hits on 2 cores is ~1.3 M requests (the memory check got 429s at 1 M).
    RATE_LIMIT_PER_MINUTE: '1000000000',
    DB_STATEMENT_TIMEOUT_MS: '600000',
    // An API replica: the worker's rounds (alerts over weeks of raw rows when rollups are off) would share its cores.
    JOBS_WORK: '0',
    ...options.env,
  };
  // BENCH_API_NODE_ARGS: extra Node arguments for the API process, e.g. `--cpu-prof --cpu-prof-dir=/tmp/prof`.
  const nodeArgs = process.env.BENCH_API_NODE_ARGS?.split(' ').filter(Boolean) ?? [];
  const started = performance.now();
  const [command, args] = apiCommand(process.execPath, [...nodeArgs, '--import', import.meta.resolve('tsx'), START_SCRIPT]);
  const child = spawn(command, args, {
    cwd: workDir,
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  running.add(child);
  const output: string[] = [];
  const keep = (chunk: Buffer) => {
    output.push(...chunk.toString('utf8').split('\n').filter(Boolean));
    output.splice(0, Math.max(0, output.length - 40));
  };
  child.stdout!.on('data', keep);
  child.stderr!.on('data', keep);
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => {
    running.delete(child);
    resolve(code);
  }));

  const baseUrl = `http://127.0.0.1:${port}`;
  await waitForHealth(baseUrl, exited, () => output.join('\n'));
  const readyMs = performance.now() - started;
  return {
    pid: child.pid!,
    baseUrl,
    token,
    readyMs,
    memory: () => processMemory(child.pid!),
    async stop() {
      if (child.exitCode !== null) return;
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 20_000);
      await exited;
      clearTimeout(timer);
    },
  };
}

async function waitForHealth(baseUrl: string, exited: Promise<number | null>, output: () => string): Promise<void> {
  let gone: number | null | undefined;
  void exited.then((code) => { gone = code; });
  const deadline = Date.now() + READY_TIMEOUT_MS;
  while (Date.now() < deadline) {
    if (gone !== undefined) throw new Error(`the API process exited (code ${gone}) before it was ready:\n${output()}`);
    try {
      const response = await fetch(`${baseUrl}/health`, { signal: AbortSignal.timeout(2000) });
      if (response.ok) return;
    } catch {
      // not listening yet
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`the API did not answer /health within ${READY_TIMEOUT_MS / 1000} s:\n${output()}`);
}

/** VmHWM and VmRSS from /proc (Linux). */
export function processMemory(pid: number): ProcessMemory {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = (field: string) => Number(new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(status)?.[1] ?? NaN) * 1024;
  return { peakBytes: kb('VmHWM'), rssBytes: kb('VmRSS') };
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

/** Ends every API process this run started (on errors and Ctrl-C): only our own children, by their pid. */
export function killRunningServers(): void {
  for (const child of running) child.kill('SIGKILL');
}
