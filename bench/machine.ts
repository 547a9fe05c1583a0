import { execFileSync } from 'node:child_process';
import os from 'node:os';
import { withClient } from './data.ts';

export interface Machine {
  date: string;
  cpus: string;
  cores: number;
  memoryBytes: number;
  os: string;
  node: string;
  postgres: string;
  /** The code measured: commit, and whether the working tree had uncommitted changes. */
  commit: string;
  /** Server settings that shape the figures. */
  settings: Record<string, string>;
}

const SETTINGS = ['shared_buffers', 'work_mem', 'effective_cache_size', 'max_parallel_workers_per_gather', 'jit'];

export async function describeMachine(adminUrl: string): Promise<Machine> {
  return withClient(adminUrl, async (db) => {
    const version = (await db.query<{ server_version: string }>('SHOW server_version')).rows[0]!.server_version;
    const settings: Record<string, string> = {};
    for (const name of SETTINGS) settings[name] = (await db.query<Record<string, string>>(`SHOW ${name}`)).rows[0]![name]!;
    return {
      date: new Date().toISOString(),
      cpus: os.cpus()[0]?.model ?? 'unknown',
      cores: os.cpus().length,
      memoryBytes: os.totalmem(),
      os: `${os.type()} ${os.release()}`,
      node: process.version,
      postgres: `PostgreSQL ${version}`,
      settings,
      commit: describeCommit(),
    };
  });
}

function describeCommit(): string {
  try {
    const git = (...args: string[]) => execFileSync('git', args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
    return `${git('rev-parse', '--short', 'HEAD')}${git('status', '--porcelain') ? ' + uncommitted changes' : ''}`;
  } catch {
    return 'unknown (not a git checkout)';
  }
}
