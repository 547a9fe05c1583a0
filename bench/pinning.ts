import { execFileSync } from 'node:child_process';
import os from 'node:os';

/**
 * On a 2-core machine the load generator and the API otherwise fight over the same cores and the figures swing:
 * with `taskset` the harness (autocannon, the bare SQL client) takes core 0 and every API process core 1;
 * PostgreSQL stays unpinned (it serves both). Null when not pinned, with the reason.
 */
export interface Pinning {
  harness: string;
  api: string;
}

let apiCores: string | null = null;

export function pinProcesses(wanted: boolean): { pinning: Pinning | null; why: string } {
  if (!wanted) return { pinning: null, why: 'not pinned (--no-pin)' };
  if (os.cpus().length < 2) return { pinning: null, why: 'not pinned: one core' };
  const last = String(os.cpus().length - 1);
  try {
    execFileSync('taskset', ['-apc', '0', String(process.pid)], { stdio: 'ignore' });
  } catch {
    return { pinning: null, why: 'not pinned: taskset is not available' };
  }
  apiCores = last === '1' ? '1' : `1-${last}`;
  return { pinning: { harness: '0', api: apiCores }, why: '' };
}

/** The command that starts an API process: under `taskset -c <cores>` when pinned (it execs, so the pid is the API's). */
export function apiCommand(node: string, args: string[]): [string, string[]] {
  return apiCores === null ? [node, args] : ['taskset', ['-c', apiCores, node, ...args]];
}

export const describePinning = (p: { pinning: Pinning | null; why: string }) =>
  p.pinning ? `harness (autocannon, bare SQL) on core ${p.pinning.harness}, each API process on core ${p.pinning.api} (taskset); PostgreSQL unpinned` : p.why;
