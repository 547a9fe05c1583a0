import { execFileSync, spawn } from 'node:child_process';
import { accessSync, chmodSync, constants, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connectClient } from '../../src/db/pool.ts';
import { freePort } from './freePort.ts';
import { pgbouncerCandidates } from './prerequisites.ts';
import type { TempPostgres } from './tempPostgres.ts';

export interface PgBouncer {
  /** The upstream's `postgres` database through PgBouncer; swap the path for another database. */
  url: string;
  port: number;
  /** The admin console (`SHOW POOLS`, `SHOW STATS`). */
  adminUrl: string;
  stop(): Promise<void>;
}

export interface PgBouncerOptions {
  /** Server connections per database and user (default 4: few, so clients really share them). */
  poolSize?: number;
  /** More `[pgbouncer]` settings. */
  settings?: Record<string, string | number>;
}

/** Debian puts it in /usr/sbin, which is not on every user's PATH. */
function pgbouncerBinary(): string {
  for (const path of pgbouncerCandidates()) {
    try {
      accessSync(path, constants.X_OK);
      return path;
    } catch {
      // next
    }
  }
  throw new Error('pgbouncer is not installed (looked in /usr/sbin and PATH): apt-get install pgbouncer');
}

/** PgBouncer in transaction pooling mode in front of `upstream`, as a child process with its own temp folder. */
export async function startPgBouncer(upstream: TempPostgres, options: PgBouncerOptions = {}): Promise<PgBouncer> {
  const binary = pgbouncerBinary();
  const dir = mkdtempSync(join(tmpdir(), 'pgbouncer-'));
  const settings: Record<string, string | number> = {
    listen_addr: '127.0.0.1',
    listen_port: await freePort(),
    unix_socket_dir: dir,
    pidfile: join(dir, 'pgbouncer.pid'),
    auth_type: 'trust',
    auth_file: join(dir, 'users.txt'),
    admin_users: 'postgres',
    pool_mode: 'transaction',
    default_pool_size: options.poolSize ?? 4,
    max_client_conn: 500, // below the usual 1024 file descriptors
    log_connections: 0,
    log_disconnections: 0,
    // No ignore_startup_parameters: node-postgres sends only user, database, application_name and client_encoding,
    // all of which PgBouncer accepts; a statement_timeout startup parameter would be refused (08P01), as it should.
    ...options.settings,
  };
  const port = Number(settings.listen_port);
  writeFileSync(join(dir, 'users.txt'), '"postgres" ""\n');
  writeFileSync(join(dir, 'pgbouncer.ini'), [
    '[databases]',
    `* = host=127.0.0.1 port=${upstream.port}`,
    '[pgbouncer]',
    ...Object.entries(settings).map(([key, value]) => `${key} = ${value}`),
  ].join('\n') + '\n');
  chmodSync(dir, 0o700);
  // PgBouncer refuses to run as root, so it runs as `postgres`, which must own its folder.
  const asRoot = process.getuid?.() === 0;
  if (asRoot) execFileSync('chown', ['-R', 'postgres', dir]);
  const [cmd, args] = asRoot ? ['runuser', ['-u', 'postgres', '--', binary, join(dir, 'pgbouncer.ini')]] : [binary, [join(dir, 'pgbouncer.ini')]];
  const child = spawn(cmd, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  const keep = (chunk: Buffer) => (output = (output + chunk.toString()).slice(-4000)); // always drained: a full pipe would block it
  child.stdout.on('data', keep);
  child.stderr.on('data', keep);
  let exited = false;
  const exit = new Promise<void>((resolve) => {
    const done = () => {
      exited = true;
      resolve();
    };
    child.once('exit', done);
    child.once('error', (error) => {
      keep(Buffer.from(error.message));
      done();
    });
  });

  // runuser forks: PgBouncer's own pid (from its pidfile) is what to signal.
  const pgbouncerPid = (): number | null => {
    try {
      return Number(readFileSync(settings.pidfile as string, 'utf8').trim()) || null;
    } catch {
      return null;
    }
  };
  const kill = (signal: NodeJS.Signals, pids: (number | null | undefined)[]) => {
    for (const pid of pids) {
      try {
        if (pid) process.kill(pid, signal);
      } catch {
        // gone already
      }
    }
  };
  const killOnExit = () => kill('SIGKILL', [pgbouncerPid(), child.pid]); // a test run that dies must not leave it behind
  process.once('exit', killOnExit);

  const stop = async () => {
    process.off('exit', killOnExit);
    if (!exited) {
      // PgBouncer first (1.18: SIGTERM is an immediate shutdown), so that runuser reaps it and exits.
      kill('SIGTERM', [pgbouncerPid() ?? child.pid]);
      const timer = setTimeout(() => kill('SIGKILL', [pgbouncerPid(), child.pid]), 3000);
      await exit;
      clearTimeout(timer);
    }
    rmSync(dir, { recursive: true, force: true });
  };

  const url = `postgres://postgres@127.0.0.1:${port}/postgres`;
  const adminUrl = `postgres://postgres@127.0.0.1:${port}/pgbouncer`;
  const deadline = Date.now() + 15_000;
  for (;;) {
    try {
      const probe = await connectClient({ connectionString: url, connectionTimeoutMillis: 1000 });
      await probe.query('SELECT 1');
      await probe.end();
      break;
    } catch (error) {
      if (exited || Date.now() > deadline) {
        await stop();
        throw new Error(`PgBouncer did not start (${(error as Error).message}); its output:\n${output}`);
      }
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }
  return { url, port, adminUrl, stop };
}
