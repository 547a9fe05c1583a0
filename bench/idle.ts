import { readFileSync } from 'node:fs';

function cpuTimes(): { busy: number; total: number } {
  const fields = readFileSync('/proc/stat', 'utf8').split('\n')[0]!.trim().split(/\s+/).slice(1).map(Number);
  const idle = fields[3]! + (fields[4] ?? 0); // idle + iowait
  const total = fields.reduce((a, b) => a + b, 0);
  return { busy: total - idle, total };
}

/**
 * Share of the machine's CPU (0..1) used over `ms` while the harness itself does nothing: other processes'
 * work, which would skew the figures measured around it.
 */
export async function foreignCpu(ms = 3000): Promise<number> {
  const before = cpuTimes();
  await new Promise((resolve) => setTimeout(resolve, ms));
  const after = cpuTimes();
  return (after.busy - before.busy) / Math.max(1, after.total - before.total);
}

/** Above this share of the CPU taken by others, the report warns that its figures are skewed. */
export const BUSY = 0.15;
