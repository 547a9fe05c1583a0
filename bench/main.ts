import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { BUSY, foreignCpu } from './idle.ts';
import { join } from 'node:path';
import { fmtBytes, say } from './log.ts';
import { describeMachine } from './machine.ts';
import { parseOptions, UsageError } from './options.ts';
import { describePinning, pinProcesses } from './pinning.ts';
import { runManyClients } from './manyClients.ts';
import { runPortfolioBench } from './portfolio.ts';
import { runAlertsBench } from './alerts.ts';
import { mergeManyClients, renderReport } from './report.ts';
import type { ManyClientsResult, RunResult, SizeResult } from './results.ts';
import { runSize } from './runSize.ts';
import { keepOwnSections } from './sections.ts';
import { killRunningServers } from './server.ts';
import { judgeTargets } from './targets.ts';

/**
 * `npm run bench`: data sets, bare SQL, the API in each configuration, load, rollup refresh, then the many-clients
 * case → BENCHMARKS.md.
 */
async function main(argv: string[]): Promise<void> {
  // The portfolio case runs on its own (`--portfolio 200,1000`) and prints its figures (bench/portfolio.ts).
  if (argv.some((arg) => arg.startsWith('--portfolio'))) return runPortfolioBench(argv);
  // Alert evaluation rounds run on their own too (`--alerts 50,1000`, bench/alerts.ts).
  if (argv.some((arg) => arg.startsWith('--alerts'))) return runAlertsBench(argv);
  const options = parseOptions(argv);
  const pinned = pinProcesses(options.pin);
  const started = performance.now();
  const machine = await describeMachine(options.adminUrl);
  const labels = [...options.sizes.map((s) => s.label), ...(options.manyClients ? [options.manyClients.label] : [])];
  say(`benchmark: sizes ${labels.join(', ')}${options.quick ? ' (quick)' : ''};`
    + ` ${machine.cores} cores, ${fmtBytes(machine.memoryBytes)}, ${machine.postgres}, Node ${machine.node}`);
  say(`  cores: ${describePinning(pinned)}`);
  const otherCpu: number[] = [];
  const checkIdle = async (when: string) => {
    const share = await foreignCpu();
    otherCpu.push(share);
    say(`  CPU used by other processes ${when}: ${Math.round(share * 100)} %${share > BUSY ? ' — the machine is busy: figures will be skewed' : ''}`);
  };
  await checkIdle('before the run');
  const workDir = mkdtempSync(join(tmpdir(), 'chatbot-bench-'));
  const sizes: SizeResult[] = [];
  let manyClients: ManyClientsResult | null = null;
  try {
    for (const [i, size] of options.sizes.entries()) {
      if (i > 0) await checkIdle(`before ${size.label}`);
      sizes.push(await runSize(options, size, workDir));
    }
    if (options.manyClients) {
      if (sizes.length > 0) await checkIdle(`before ${options.manyClients.label}`);
      manyClients = await runManyClients(options, options.manyClients, workDir);
    }
    await checkIdle('after the run');
  } finally {
    killRunningServers();
    rmSync(workDir, { recursive: true, force: true });
  }
  const run: RunResult = {
    options: { ...options, sizes: labels, argv },
    machine,
    sizes,
    manyClients,
    finishedAt: new Date().toISOString(),
    totalMs: performance.now() - started,
    otherCpu,
    pinning: describePinning(pinned),
  };
  // A run of the many-clients case alone updates its section of an existing report instead of replacing the file.
  const merged = sizes.length === 0 && manyClients ? mergeManyClients(options.out, run) : null;
  // The sections of cases run on their own (portfolio, alert rounds) stay (bench/sections.ts).
  writeFileSync(options.out, merged ?? keepOwnSections(options.out, renderReport(run)));
  say(`\n== targets`);
  for (const t of judgeTargets(run)) say(`  ${t.verdict.toUpperCase().padEnd(12)} ${t.target}: ${t.figure}${t.why ? ` — ${t.why}` : ''}`);
  say(`\n${merged ? `merged the many-clients section into ${options.out} (the rest of it is from an earlier run)` : `wrote ${options.out}`}`
    + ` (${Math.round((performance.now() - started) / 1000)} s)`);
}

for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    killRunningServers();
    process.exit(130);
  });
}

main(process.argv.slice(2)).catch((error: unknown) => {
  killRunningServers();
  console.error(error instanceof UsageError ? error.message : error instanceof Error ? error.stack ?? error.message : error);
  process.exit(1);
});
