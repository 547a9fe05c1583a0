import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { startJobs } from '../../../src/jobs/pgBossJobs.ts';
import type { Jobs } from '../../../src/jobs/jobs.ts';
import { captureProcessOutput, capturedLogger } from '../../helpers/logCapture.ts';

const FIXTURE = fileURLToPath(new URL('./emailWorker.ts', import.meta.url));

export interface JobStart {
  queue: string;
  jobId: string;
  retryCount: number;
  pid: number;
}

export interface WorkerProcess {
  pid: number;
  /** Every job this process started, from its log ('job started', debug). */
  starts: JobStart[];
  exited: Promise<number | null>;
  kill(signal: NodeJS.Signals): void;
}

/** The environment of a worker on `platformUrl`, mailing through `smtpUrl`: no clients, no demo data, quick jobs. */
export function workerEnv(platformUrl: string, smtpUrl: string, extra: Record<string, string> = {}): Record<string, string> {
  const dir = mkdtempSync(join(tmpdir(), 'jobs-test-'));
  writeFileSync(join(dir, 'clients.json'), '{}');
  return {
    PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', NODE_ENV: 'test',
    PLATFORM_DB_URL: platformUrl, SMTP_URL: smtpUrl, CLIENTS_FILE: join(dir, 'clients.json'), DEMO: '0', CACHE: '0',
    LOG_LEVEL: 'debug', LOG_FORMAT: 'json', JOBS_POLL_MS: '500', JOBS_SUPERVISE_SECONDS: '1', ...extra,
  };
}

/** A real OS process running the platform worker with the tests' email job; resolves once it takes jobs. */
export async function startWorkerProcess(env: Record<string, string>): Promise<WorkerProcess> {
  const child: ChildProcess = spawn(process.execPath, ['--import', 'tsx', FIXTURE], { env, stdio: ['ignore', 'pipe', 'pipe'] });
  const starts: JobStart[] = [];
  const output: string[] = [];
  let ready!: () => void;
  const isReady = new Promise<void>((resolve) => (ready = resolve));
  let buffer = '';
  child.stdout!.on('data', (chunk: Buffer) => {
    buffer += chunk.toString();
    const lines = buffer.split('\n');
    buffer = lines.pop()!;
    for (const line of lines) {
      output.push(line);
      const entry = parse(line);
      if (entry?.msg === 'job started') starts.push({ queue: entry.queue, jobId: entry.jobId, retryCount: entry.retryCount, pid: entry.pid });
      if (entry?.msg === 'test worker ready') ready();
    }
  });
  child.stderr!.on('data', (chunk: Buffer) => output.push(chunk.toString()));
  // What it printed goes to the scanned log capture too: no secret in a worker's log either.
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => {
    captureProcessOutput(`worker ${child.pid}`, output.join('\n'));
    resolve(code);
  }));
  const failed = exited.then((code) => {
    throw new Error(`worker exited (${code}) before it was ready:\n${output.slice(-20).join('\n')}`);
  });
  await Promise.race([isReady, failed]);
  failed.catch(() => {});
  return { pid: child.pid!, starts, exited, kill: (signal) => child.kill(signal) };
}

function parse(line: string): Record<string, any> | null {
  try {
    return JSON.parse(line) as Record<string, any>;
  } catch {
    return null;
  }
}

/** The test's own view of the queue: sends and reads, takes no jobs (like an API replica with JOBS_WORK=0). */
export async function senderOn(pool: pg.Pool): Promise<Jobs> {
  return startJobs(pool, { work: false, pollMs: 500, superviseSeconds: 1, graceMs: 1000 }, capturedLogger());
}

export interface JobRow {
  id: string;
  state: string;
  retry_count: number;
  created_on: Date;
}

/** The jobs of a queue as pg-boss keeps them. */
export async function jobsOf(pool: pg.Pool, queue: string): Promise<JobRow[]> {
  const { rows } = await pool.query<JobRow>('SELECT id, state, retry_count, created_on FROM pgboss.job WHERE name = $1 ORDER BY created_on', [queue]);
  return rows;
}
