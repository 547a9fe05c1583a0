import { existsSync, readFileSync } from 'node:fs';
import { BUSY } from './idle.ts';
import { isFlat } from './load.ts';
import { fmtBytes, fmtInt, fmtMs } from './log.ts';
import { CHURN_NEW, CHURN_UPDATED, MANY_DAYS } from './manyData.ts';
import type { Stats } from './measure.ts';
import { MANY_CLIENTS } from './options.ts';
import type { CaseResult, ConnectionPeak, ManyClientsResult, RunResult, SizeResult } from './results.ts';
import { CONFIGS, type ConfigName } from './server.ts';
import { judgeTargets, MANY_TARGET_PREFIX, type TargetVerdict } from './targets.ts';

const triple = (s: Stats | undefined) => (s ? `${fmtMs(s.p50)} / ${fmtMs(s.p95)} / ${fmtMs(s.p99)}` : 'n/a');
const times = (s: Stats | undefined, floor: Stats) => (s ? `${(s.p50 / floor.p50).toFixed(2)}× / ${(s.p95 / floor.p95).toFixed(2)}×` : 'n/a');
const table = (head: string[], rows: string[][]) =>
  [`| ${head.join(' | ')} |`, `|${head.map(() => '---').join('|')}|`, ...rows.map((r) => `| ${r.join(' | ')} |`)].join('\n');
const sizeName = (s: SizeResult) => `${fmtInt(s.dataset.rows)} sessions (\`${s.dataset.size.database}\`)`;
const busy = (run: RunResult) => Math.max(...run.otherCpu) > BUSY;
const envOf = (config: ConfigName) => Object.entries(CONFIGS[config]).map(([k, v]) => `${k}=${v}`).join(' ') || '(defaults)';

const targetRow = (t: TargetVerdict) => `| ${[t.target, t.figure, `**${t.verdict}**`, t.why || '—'].join(' | ')} |`;
const RUN_AGAIN = 'Run it again: `npm run bench` (100 k, 1 M and 10 M sessions, then 1,000 clients on one server; a first run builds the'
  + ' databases, later runs reuse them), `npm run bench -- --sizes 100k,1m`, `--sizes 1000c` (the many-clients case alone: it'
  + ' updates only its own section and target rows of an existing report), `--quick` (100 k, 5 calls per series: a smoke'
  + ' test), `--fresh` (rebuild the data), `--samples N`, `--load-seconds S`, `--memory-seconds S` (the memory check, default 60),'
  + ' `--no-pin` (no taskset), `--out FILE`. It needs the local PostgreSQL'
  + ' (`BENCH_DATABASE_URL`, default `postgres://postgres@127.0.0.1:5432/postgres`) and an otherwise idle machine.';
const MANY_START = '<!-- many-clients:start -->';
const MANY_END = '<!-- many-clients:end -->';

/** BENCHMARKS.md: the machine, the targets with met / missed, then every figure of the run. */
export function renderReport(run: RunResult): string {
  const partial = run.options.quick || run.sizes.length < 3 || run.manyClients?.spec.clients !== MANY_CLIENTS;
  return [
    '# Benchmarks',
    '',
    `Written by \`npm run bench${run.options.argv.length ? ` -- ${run.options.argv.join(' ')}` : ''}\` (\`bench/\`) on ${run.finishedAt.slice(0, 10)};`
      + ` all figures below come from that one run (${Math.round(run.totalMs / 60_000)} min). Timings are never asserted in tests.`,
    ...(partial ? ['', `> **${run.options.quick ? 'Quick smoke run' : 'Partial run'}** (sizes: ${run.options.sizes.join(', ')}; ${run.options.samples} calls per series):`
      + ` not the full benchmark. \`npm run bench\` measures all three sizes and ${fmtInt(MANY_CLIENTS)} clients on one server.`] : []),
    '',
    RUN_AGAIN,
    '',
    '## Machine',
    '',
    table(['', ''], [
      ['Date', run.machine.date],
      ['Code', run.machine.commit],
      ['CPU', `${run.machine.cores} × ${run.machine.cpus}`],
      ['Memory', fmtBytes(run.machine.memoryBytes)],
      ['OS', run.machine.os],
      ['Node.js', run.machine.node],
      ['PostgreSQL', `${run.machine.postgres} (${Object.entries(run.machine.settings).map(([k, v]) => `${k} ${v}`).join(', ')})`],
      ['CPU used by other processes', `${run.otherCpu.map((x) => `${Math.round(x * 100)} %`).join(', ')} (3 s samples while the harness was idle: before the run, between sizes, after it)`],
    ]),
    ...(busy(run) ? ['', `> **The machine was busy during this run**: other processes took up to ${Math.round(Math.max(...run.otherCpu) * 100)} % of its CPU`
      + ' while the harness was idle. Every figure is skewed upwards and noisy; rerun on an idle machine before judging the targets.'] : []),
    '',
    '## Targets',
    '',
    table(['Target', 'Measured', 'Result', 'Why'], judgeTargets(run).map((t) => [t.target, t.figure, `**${t.verdict}**`, t.why || '—'])),
    '',
    ...(run.sizes.length > 0 ? singleClientSections(run) : []),
    ...(run.manyClients ? [MANY_START, manyClientsSection(run.manyClients, null), MANY_END, ''] : []),
  ].join('\n');
}

/** Everything about the single-client data sets (100 k, 1 M, 10 M sessions). */
function singleClientSections(run: RunResult): string[] {
  return [
    '## How it was measured',
    '',
    '- **Data**: one database per size on the local PostgreSQL, the `UserEvents` layout of `src/tenants/clientTables.ts`'
      + ' (`timestamp(3)` holding UTC), generated inside PostgreSQL with `generate_series`: 730 days ending on the day it'
      + ' was built, Europe/London rhythm (midday and evening peaks, quieter weekends, growth over the two years),'
      + ' 95 % page load → 35 % widget → 30 % human → accept 45 % / callback 25 % / continue 18 %, steps seconds to minutes'
      + ' apart, `updatedAt` = the last step. Indexes: primary key, the anchor-time expression, `updatedAt`'
      + ' (column and instant); then `VACUUM ANALYZE`. Reused while its marker and row count match (`--fresh` rebuilds).',
    '- **Requests**: funnel, daily, hourly, heatmap and metrics over the last 30 and 365 local days (including today), the range'
      + ' sent as dates like the dashboard does.',
    '- **Bare SQL** (the floor): the SQL the API runs, built by the same builders (`countsSql`, `dailySql`, `hourlySql`,'
      + ' `heatmapSql`, `durationSql`) and bound by `boundValues`, through a `pg` pool (metrics: its three queries concurrently, as'
      + ' `getMetrics` does). It is timed **interleaved** with the uncached API (alternating order each round) so both'
      + ' see the same cache state.',
    `- **API**: each configuration is its own \`node src/cli/start.ts\` process (production mode, admin key, LOG_LEVEL=warn,`
      + ` rate limit raised above the load, \`JOBS_WORK=0\`: an API replica, so the worker's alert rounds — raw SQL over`
      + ` weeks of sessions when rollups are off — do not share the measured cores): uncached \`${envOf('uncached')}\`, rollups \`${envOf('rollups')}\``
      + ` (after an initial build by \`refreshRollups\` into \`bench_platform\`), cached \`${envOf('cached')}\`.`
      + ` Sequential calls over one keep-alive connection, after one untimed call (the cache miss for the cached`
      + ` configuration); a series stops early after ${run.options.quick ? 10 : 45} s (slow raw cases get fewer samples, see n).`
      + ' Percentiles are nearest-rank: with 30 samples p99 is the slowest call.',
    `- **Load**: autocannon, ${run.options.loadConnections} connections for ${run.options.loadSeconds} s on loopback`
      + ` after a 1 s warm-up, against the 30-day funnel with the admin key. In the cached configuration's process, in this`
      + ' order: three rounds of `/health` (the framework\'s floor, judged against) then the cache hit, the round with the'
      + ' median share of /health shown and judged; the same hit with an API token (a service'
      + ` token: one platform look-up per request, shared by concurrent ones), then the memory check: the hit for`
      + ` ${run.options.memorySeconds} s. Cores: ${run.pinning}. Memory: the API process's VmRSS sampled every 100 ms (flat = the highest RSS of the second half of the`
      + ' run within 5 % or 16 MiB of the first half\'s) and VmHWM from `/proc/<pid>/status`.',
    '- **Rollup refresh**: 10 k new sessions (most in the last hour, 10 % arriving late) and 10 k recent sessions gaining'
      + ' a step are written in SQL, then `refreshRollups` is timed; the changes are reverted afterwards.',
    '',
    '## Data sets',
    '',
    table(['Size', 'Database', 'Sessions', 'On disk', 'Days (Europe/London)', 'Built', 'Steps'], run.sizes.map((s) => [
      s.dataset.size.label, `\`${s.dataset.size.database}\``, fmtInt(s.dataset.rows), fmtBytes(s.dataset.bytes),
      `${s.dataset.firstDay} … ${s.dataset.lastDay}`, s.dataset.reused ? 'reused' : 'this run',
      s.dataset.steps.map((x) => `${x.step} ${fmtMs(x.ms)}`).join('; '),
    ])),
    '',
    '## Latency of sequential requests',
    '',
    'Milliseconds, p50 / p95 / p99; "× bare" is the API figure over the bare SQL figure (p50 / p95). Cached figures are'
      + ' cache hits; the first call (the miss) is listed separately. n: samples of bare + uncached / rollups / cached.',
    ...run.sizes.flatMap((s) => ['', `### ${sizeName(s)}`, '', latencyTable(s.cases)]),
    '',
    '## The API\'s own time',
    '',
    'Uncached API against bare SQL: what HTTP, auth, range parsing, answer shaping and serialisation add. "Total" is the'
      + ' uncached calls\' total time over the bare calls\' total time in the same interleaved rounds, the figure the 365-day'
      + ' target is judged on (on a busy 2-core machine the same query can be bimodal, and a p50 then lands in either'
      + ' mode). The last column times `resolveRange` alone for the same request in the harness process (median of 25'
      + ' calls after 25 warm-up calls).',
    '',
    table(['Size', 'Request', 'Bare SQL p50', 'Uncached p50', 'API adds (p50)', 'Total', 'resolveRange'],
      run.sizes.flatMap((s) => s.cases.map((c) => [s.dataset.size.label, c.name, fmtMs(c.bare.p50), fmtMs(c.api.uncached?.p50),
        c.api.uncached ? fmtMs(c.api.uncached.p50 - c.bare.p50) : 'n/a', `${c.uncachedRatio.toFixed(3)}×`, fmtMs(c.rangeMs)]))),
    '',
    '## Throughput under load',
    '',
    table(['Size', 'Configuration', 'Requests/s', 'p50', 'p97.5', 'p99', 'max', 'errors / non-2xx', 'RSS max first → second half', 'Peak (VmHWM)'],
      run.sizes.flatMap((s) => ([
        ['uncached', s.load.uncached], ['/health (cached process, median round)', s.healthLoad], ['cached (admin key, median round)', s.load.cached],
        ['cached (API token)', s.tokenLoad], [`cached, memory check (${run.options.memorySeconds} s)`, s.memoryLoad],
      ] as const).flatMap(([config, r]) => {
        return r ? [[s.dataset.size.label, config, fmtInt(r.requestsPerSecond), fmtMs(r.p50), fmtMs(r.p97_5), fmtMs(r.p99), fmtMs(r.max),
          `${r.errors} / ${r.non2xx}`, `${fmtBytes(r.rssEarlyBytes)} → ${fmtBytes(r.rssLateBytes)} (${isFlat(r) ? 'flat' : 'growing'})`, fmtBytes(r.peakBytes)]] : [];
      }))),
    '',
    '## API process memory',
    '',
    table(['Size', 'Configuration', 'Ready after start', 'Peak RSS (VmHWM)'],
      run.sizes.flatMap((s) => s.servers.map((x) => [s.dataset.size.label, x.config, fmtMs(x.readyMs), fmtBytes(x.peakBytes)]))),
    '',
    '## Rollups',
    '',
    table(['Size', 'Initial build', 'Insert 10 k new', 'Update 10 k', 'Refresh after them'], run.sizes.map((s) => {
      const { initialBuild: build, churn, unavailable } = s.rollups;
      return [
        s.dataset.size.label,
        build ? `${fmtMs(build.ms)} (${fmtInt(build.report.rowsRead)} rows read)` : `n/a${unavailable ? ` (${unavailable})` : ''}`,
        churn ? fmtMs(churn.insertMs) : 'n/a',
        churn ? fmtMs(churn.updateMs) : 'n/a',
        churn?.refresh ? `${fmtMs(churn.refresh.ms)} (${churn.refresh.report.mode}, ${fmtInt(churn.refresh.report.rowsRead)} rows read)` : 'n/a',
      ];
    })),
    '',
    '## Answer checks',
    '',
    ...answerChecks(run.sizes),
    '',
  ];
}

function latencyTable(cases: CaseResult[]): string {
  return table(
    ['Request', 'Sessions', 'Bare SQL', 'Uncached', '× bare', 'Rollups', '× bare', 'Cached (hits)', 'Cache miss', 'n'],
    cases.map((c) => [
      c.name, fmtInt(c.sessions), triple(c.bare), triple(c.api.uncached), times(c.api.uncached, c.bare),
      triple(c.api.rollups), times(c.api.rollups, c.bare), triple(c.api.cached), fmtMs(c.cachedMissMs),
      [c.bare.n, c.api.rollups?.n ?? '–', c.api.cached?.n ?? '–'].join(' / '),
    ]),
  );
}

function answerChecks(sizes: SizeResult[]): string[] {
  const notes = sizes.flatMap((s) => [
    ...(s.cacheDetected ? [] : [`- ${s.dataset.size.label}: repeated calls got a new \`generatedAt\`: the cache was not active.`]),
    ...s.cases.flatMap((c) => c.mismatches.map((m) => `- ${s.dataset.size.label} ${c.name}: ${m}`)),
  ]);
  const ok = 'Every API answer had the bare SQL\'s session count, and the rollups and cached answers equalled the uncached'
    + ' one (apart from `generatedAt`; with rollups, the metrics\' duration median and p90 come from the duration sketch,'
    + ' marked `approximate`, and were within its stated 1 % of the exact values).';
  return notes.length ? notes : [ok];
}

const duration = (ms: number) => (ms >= 120_000 ? `${Math.round(ms / 60_000)} min` : `${Math.round(ms / 1000)} s`);
const spread = (s: Stats) => `${fmtMs(s.p50)} / ${fmtMs(s.p95)} / ${fmtMs(s.max)}`;
const peakRow = (phase: string, c: ConnectionPeak, budget: number) =>
  [phase, String(c.maxClient), String(budget), String(c.maxPlatform), String(c.maxAll), `${fmtInt(c.samples)}${c.failures.length ? ` (${c.failures.length} failed)` : ''}`];

/**
 * The many-clients case: its own heading, so a run of that case alone can replace it in an existing report.
 * `separateRun` names the command and date when it is merged into a report of another run.
 */
export function manyClientsSection(many: ManyClientsResult, separateRun: { argv: string[]; finishedAt: string; totalMs: number; otherCpu: number[]; node: string } | null): string {
  const { spec, dataset, api, refresh } = many;
  const n = fmtInt(spec.clients);
  return [
    `## Many clients on one server (${n} clients)`,
    '',
    ...(separateRun ? [`> From a separate run: \`npm run bench -- ${separateRun.argv.join(' ')}\` on ${separateRun.finishedAt.slice(0, 10)}`
      + ` (${duration(separateRun.totalMs)}), on the machine described above with Node.js ${separateRun.node}; the rest of this file comes from the run named at the top.`
      + ` CPU used by other processes: ${separateRun.otherCpu.map((x) => `${Math.round(x * 100)} %`).join(', ')} (before, after)`
      + `${Math.max(...separateRun.otherCpu) > BUSY ? ' — **the machine was busy**: these figures are skewed upwards' : ''}.`, ''] : []),
    `${n} clients as schemas of one database on the local PostgreSQL (its \`max_connections\` is shared with everything`
      + ` else on it), one API process under \`DB_MAX_CONNECTIONS_PER_SERVER=${spec.budget}\`. Targets: the "${MANY_TARGET_PREFIX}" rows above.`,
    '',
    '- **Data**: `' + dataset.database + `\`, one schema per client (\`c0000\` …) with the four chatbot tables of`
      + ' `src/tenants/clientTables.ts` (only `UserEvents` holds rows), 300 … 3,000 sessions per client over the last'
      + ` ${MANY_DAYS} days (the funnel model of the single-client data sets), generated with \`generate_series\`; primary key,`
      + ' anchor-time and `updatedAt` indexes; `VACUUM ANALYZE`. Clients cycle through five time zones. Reused while its marker'
      + ' and row count match and it is under 14 days old (`--fresh` rebuilds).',
    `- **API**: \`node src/cli/start.ts\` in its own process with a \`CLIENTS_FILE\` of ${n} clients (one \`<ID>_DB_URL\``
      + ' variable each, `?schema=`), `NODE_ENV=production`, an admin key, `PLATFORM_DB_URL` of a fresh `bench_many_platform`'
      + ' (migrated at start; no rollups built yet, so answers come from the raw SQL), `ROLLUP_REFRESH_SECONDS=0`,'
      + ' `CACHE_TTL_SECONDS=3600` (so the warm pass finds every first answer), `LOG_LEVEL=warn`. Ready = the first'
      + ' `/health` 200 after spawning it. RSS is VmRSS from `/proc` right after ready and after both passes; peak is VmHWM.',
    `- **Answers**: every client's \`/api/<id>/funnel\` (default range: its last 30 local days) with ${spec.concurrency} requests`
      + ' in flight over keep-alive connections: first pass uncached (each client\'s first request also reads its table layout'
      + ' and may open a connection), then the same again from the result cache. Percentiles are over the clients.'
      + ' Each answer is checked against the bare `countsSql` of its schema.',
    '- **Connections**: `pg_stat_activity` counted every ~50 ms on a fresh connection during both passes and during the'
      + ' refresh round: `application_name = \'chatbot-analytics\'` in the clients\' database is what the budget bounds; the'
      + ' platform pool (`chatbot-analytics-platform`) is its own, outside that budget.',
    `- **Refresh round**: in the harness process, as the API runs it: a \`ClientRegistry\` of the ${n} clients, \`ClientDatabases\``
      + ` under the same budget, the migrated platform database and \`startRollupRefresher({ intervalMs: 0 })\`. \`refreshAll()\``
      + ` once builds every rollup (initial build), then ${CHURN_NEW} new and ${CHURN_UPDATED} updated sessions per client`
      + ' (`updatedAt` = now) are written, then one `refreshAll()` round is timed. The changes are reverted afterwards and'
      + ' `bench_many_platform` is dropped.',
    '',
    table(['Data', 'Clients', 'Sessions', 'On disk', 'Built', 'Steps'], [[
      `\`${dataset.database}\``, n, fmtInt(dataset.sessions), fmtBytes(dataset.bytes),
      dataset.reused ? `reused (built ${dataset.builtAt.slice(0, 10)})` : 'this run', dataset.steps.map((x) => `${x.step} ${fmtMs(x.ms)}`).join('; '),
    ]]),
    '',
    '### The API process',
    '',
    table(['Ready after start', 'RSS after start', 'RSS after answering every client (twice)', 'Peak RSS (VmHWM)'], [[
      fmtMs(api.readyMs), fmtBytes(api.rssAfterStartBytes), fmtBytes(api.rssAfterAnswersBytes), fmtBytes(api.peakBytes),
    ]]),
    '',
    `### Every client's 30-day funnel (${spec.concurrency} in flight)`,
    '',
    table(['Pass', 'p50 / p95 / max per client', 'All clients', 'Clients/s'], [
      ['first (uncached)', spread(api.first), fmtMs(api.firstWallMs), fmtInt((spec.clients / api.firstWallMs) * 1000)],
      ['warm (result cache)', spread(api.warm), fmtMs(api.warmWallMs), fmtInt((spec.clients / api.warmWallMs) * 1000)],
    ]),
    '',
    api.mismatches.length === 0
      ? `Every answer was 200 for its own client with the bare SQL's session count; ${fmtInt(api.cacheHits)} of ${n} warm answers came from the cache (the first answer's \`generatedAt\`).`
      : `${fmtInt(api.mismatches.length)} wrong answers, e.g. ${api.mismatches.slice(0, 3).join('; ')}; ${fmtInt(api.cacheHits)} of ${n} warm answers came from the cache.`,
    '',
    '### Connections on the server',
    '',
    table(['Phase', 'Client connections (max)', 'Budget', 'Platform pool (max)', 'All client backends (max)', 'Samples'], [
      peakRow('both answer passes', api.connections, spec.budget),
      peakRow('refresh round', refresh.connections, spec.budget),
    ]),
    '',
    '### Rollup refresh over every client',
    '',
    table(['Initial build', 'Churn written', 'Refresh round', 'Rows read', 'Sessions changed', 'Buckets recomputed', 'Per client p50 / p95 / max', 'In progress at once (avg)', 'Failures (build / round)'], [[
      `${fmtMs(refresh.initialMs)} (${fmtInt(refresh.initialClients)} clients, ${fmtInt(refresh.initialRows)} rows read)`,
      `${fmtInt(refresh.churnRows)} sessions in ${fmtMs(refresh.churnMs)}`,
      `**${fmtMs(refresh.roundMs)}** (${Object.entries(refresh.modes).map(([m, k]) => `${fmtInt(k)} ${m}`).join(', ')})`,
      fmtInt(refresh.rowsRead), fmtInt(refresh.sessionsChanged), fmtInt(refresh.bucketsTouched), spread(refresh.perClient),
      refresh.overlap.toFixed(2), `${refresh.initialFailures} / ${refresh.failures}`,
    ]]),
  ].join('\n');
}

/**
 * A run of the many-clients case alone, merged into an existing report written by this harness: its section (between
 * the markers, or appended), its target rows in the Targets table, and the "Run it again" line are replaced; every
 * other figure stays as the earlier run wrote it. Null when there is no such report to merge into.
 */
export function mergeManyClients(path: string, run: RunResult): string | null {
  if (!run.manyClients || !existsSync(path)) return null;
  const text = readFileSync(path, 'utf8');
  const lines = text.split('\n');
  const targetsAt = lines.indexOf('## Targets');
  if (!lines[0]?.startsWith('# Benchmarks') || targetsAt < 0) return null;

  // The Targets table: drop earlier many-clients rows, append this run's after its last row.
  const tableStart = lines.findIndex((l, i) => i > targetsAt && l.startsWith('|'));
  let tableEnd = tableStart;
  while (tableEnd < lines.length && lines[tableEnd]!.startsWith('|')) tableEnd++;
  const kept = lines.slice(tableStart, tableEnd).filter((l) => !l.startsWith(`| ${MANY_TARGET_PREFIX}`));
  const rows = judgeTargets(run).filter((t) => t.target.startsWith(MANY_TARGET_PREFIX))
    .map((t) => targetRow({ ...t, figure: `${t.figure} (separate run, see below)` }));
  let out = [...lines.slice(0, tableStart), ...kept, ...rows, ...lines.slice(tableEnd)].join('\n');

  out = out.split('\n').map((l) => (l.startsWith('Run it again: ') ? RUN_AGAIN : l)).join('\n');
  const section = [MANY_START, manyClientsSection(run.manyClients, { argv: run.options.argv, finishedAt: run.finishedAt, totalMs: run.totalMs, otherCpu: run.otherCpu, node: run.machine.node }), MANY_END].join('\n');
  const start = out.indexOf(MANY_START);
  const end = out.indexOf(MANY_END);
  if (start >= 0 && end > start) return `${out.slice(0, start)}${section}${out.slice(end + MANY_END.length)}`;
  return `${out.trimEnd()}\n\n${section}\n`;
}
