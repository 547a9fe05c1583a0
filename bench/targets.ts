import { isFlat } from './load.ts';
import { fmtBytes, fmtInt, fmtMs } from './log.ts';
import { MANY_CLIENTS } from './options.ts';
import type { ManyClientsResult, RunResult, SizeResult } from './results.ts';

export interface TargetVerdict {
  target: string;
  figure: string;
  verdict: 'met' | 'missed' | 'not measured';
  why: string;
}

const UNCACHED_RATIO = 1.1;
const ROLLUP_P95_MS = 100;
const CACHED_RPS = 10_000;
const CACHED_P99_MS = 20;

const MANY_READY_MS = 5000;
/** 400 MB, decimal: the stricter reading (381.5 MiB). */
const MANY_RSS_BYTES = 400e6;
const MANY_ROUND_MS = 60_000;
/** Every many-clients target's name starts with this: a run of that case alone replaces exactly these rows. */
export const MANY_TARGET_PREFIX = 'Many clients';

/** The issue's targets, judged on this run's figures; a missed target says what the figures show about why. */
export function judgeTargets(run: RunResult): TargetVerdict[] {
  const size = (label: string) => run.sizes.find((s) => s.dataset.size.label === label);
  return [uncachedTarget([size('1m'), size('10m')]), rollupTarget(size('10m')), cachedTarget(run.sizes), ...manyClientsTargets(run.manyClients)];
}

/** The many-clients case: start-up, memory, one refresh round, and the connection budget on the shared server. */
export function manyClientsTargets(many: ManyClientsResult | null): TargetVerdict[] {
  const name = `${MANY_TARGET_PREFIX} (${fmtInt(MANY_CLIENTS)} as schemas of one database on one server)`;
  const targets = [
    `${name}: API ready ≤ ${MANY_READY_MS / 1000} s after start`,
    `${name}: API RSS ≤ 400 MB after start and after answering every client`,
    `${name}: one rollup refresh round (~100 changed sessions per client) ≤ ${MANY_ROUND_MS / 1000} s on 2 cores`,
    `${name}: connections on the server never above the budget`,
  ];
  if (!many) return targets.map((target) => ({ target, figure: '—', verdict: 'not measured', why: 'the many-clients case was not in this run' }));
  if (many.spec.clients !== MANY_CLIENTS) {
    return targets.map((target) => ({ target, figure: '—', verdict: 'not measured', why: `this run had ${fmtInt(many.spec.clients)} clients` }));
  }
  const { api, refresh, spec } = many;
  const verdict = (ok: boolean) => (ok ? 'met' : 'missed') as TargetVerdict['verdict'];

  const ready: TargetVerdict = {
    target: targets[0]!, figure: `${fmtMs(api.readyMs)} (spawn to the first /health 200)`, verdict: verdict(api.readyMs <= MANY_READY_MS),
    why: api.readyMs <= MANY_READY_MS ? '' : 'this harness does not break start-up down; profile it with BENCH_API_NODE_ARGS="--cpu-prof --cpu-prof-dir=DIR"',
  };

  const rss = Math.max(api.rssAfterStartBytes, api.rssAfterAnswersBytes, api.peakBytes);
  const memory: TargetVerdict = {
    target: targets[1]!,
    figure: `after start ${fmtBytes(api.rssAfterStartBytes)}, after answering ${fmtBytes(api.rssAfterAnswersBytes)}, peak (VmHWM) ${fmtBytes(api.peakBytes)}`,
    verdict: verdict(rss <= MANY_RSS_BYTES),
    why: rss <= MANY_RSS_BYTES ? '' : `the peak is ${fmtBytes(rss)}, over 400 MB (${fmtBytes(MANY_RSS_BYTES)})`,
  };

  const incomplete = refresh.clients < spec.clients || refresh.failures > 0;
  const roundOk = refresh.roundMs <= MANY_ROUND_MS && !incomplete;
  const round: TargetVerdict = {
    target: targets[2]!,
    figure: `${fmtMs(refresh.roundMs)} for ${fmtInt(refresh.clients)} clients, ${fmtInt(refresh.rowsRead)} rows read`
      + ` (per client p50 ${fmtMs(refresh.perClient.p50)}, ${refresh.overlap.toFixed(2)} in progress at once on average)`,
    verdict: verdict(roundOk),
    why: roundOk ? '' : [
      ...(refresh.roundMs > MANY_ROUND_MS ? [`${fmtInt(refresh.clients)} refreshes of ~${fmtMs(refresh.perClient.p50)} each (p50),`
        + ` ${refresh.overlap < 1.2 ? 'one after another' : `${refresh.overlap.toFixed(1)} at a time on average`}`] : []),
      ...(incomplete ? [`${fmtInt(spec.clients - refresh.clients)} clients did not report, ${fmtInt(refresh.failures)} failures (${refresh.failureExamples.join('; ')})`] : []),
    ].join('; '),
  };

  const peak = Math.max(api.connections.maxClient, refresh.connections.maxClient);
  const sampled = api.connections.samples > 0 && refresh.connections.samples > 0;
  const budget: TargetVerdict = {
    target: `${targets[3]!} (${spec.budget})`,
    figure: `max ${peak} client connections (answers ${api.connections.maxClient}, refresh round ${refresh.connections.maxClient});`
      + ` ${fmtInt(api.connections.samples + refresh.connections.samples)} samples of pg_stat_activity`,
    verdict: sampled ? verdict(peak <= spec.budget) : 'not measured',
    why: !sampled ? 'no sample of pg_stat_activity succeeded' : peak <= spec.budget ? '' : `${peak} connections seen, the budget is ${spec.budget}`,
  };
  return [ready, memory, round, budget];
}

function uncachedTarget(sizes: (SizeResult | undefined)[]): TargetVerdict {
  const target = `Uncached API ≤ ${UNCACHED_RATIO.toFixed(2)}× the bare SQL at 1 M and 10 M sessions (total time over the same interleaved calls)`;
  const measured = sizes.filter((s): s is SizeResult => s !== undefined);
  if (measured.length === 0) return { target, figure: '—', verdict: 'not measured', why: 'neither 1 M nor 10 M was in this run' };
  const rows = measured.flatMap((s) => s.cases.map((c) => ({ s, c, ratio: c.uncachedRatio })));
  const worst = rows.reduce((a, b) => (b.ratio > a.ratio ? b : a));
  const over = rows.filter((r) => r.ratio > UNCACHED_RATIO);
  const missing = sizes.length - measured.length;
  const figure = `worst ${worst.ratio.toFixed(3)}× (${worst.s.dataset.size.label}, ${worst.c.name}; p50 ${fmtMs(worst.c.api.uncached!.p50)} vs ${fmtMs(worst.c.bare.p50)})`;
  if (over.length === 0) {
    return { target, figure, verdict: missing ? 'not measured' : 'met', why: missing ? 'met where measured; one size was not in this run' : '' };
  }
  const why = over.map((r) => `${r.s.dataset.size.label} ${r.c.name}: +${fmtMs(r.c.api.uncached!.p50 - r.c.bare.p50)} on ${fmtMs(r.c.bare.p50)}`
    + ` (resolveRange alone ${fmtMs(r.c.rangeMs)})`).join('; ');
  return { target, figure, verdict: 'missed', why: `the API's own work (HTTP, auth, range parsing, shaping and serialising the answer) per request: ${why}` };
}

function rollupTarget(tenM: SizeResult | undefined): TargetVerdict {
  const target = `With rollups: 365-day funnel on 10 M sessions p95 ≤ ${ROLLUP_P95_MS} ms`;
  if (!tenM) return { target, figure: '—', verdict: 'not measured', why: '10 M was not in this run' };
  const c = tenM.cases.find((x) => x.endpoint === 'funnel' && x.days === 365)!;
  const p95 = c.api.rollups!.p95;
  const figure = `p95 ${fmtMs(p95)} (uncached ${fmtMs(c.api.uncached!.p95)}, bare SQL ${fmtMs(c.bare.p95)})`;
  if (p95 <= ROLLUP_P95_MS) return { target, figure, verdict: 'met', why: '' };
  const raw = p95 > 0.5 * c.api.uncached!.p95;
  const why = tenM.rollups.unavailable
    ? `rollups could not be driven: ${tenM.rollups.unavailable}`
    : raw ? 'the ROLLUPS=on API answered about as slowly as raw SQL: it does not read the rollups for this request'
    : `rollups are read, but the request still costs more than the target; resolveRange alone takes ${fmtMs(c.rangeMs)} of it`;
  return { target, figure, verdict: 'missed', why };
}

function cachedTarget(sizes: SizeResult[]): TargetVerdict {
  const target = `Cached: ≥ ${fmtInt(CACHED_RPS)} req/s, p99 ≤ ${CACHED_P99_MS} ms, flat memory (load test, every size)`;
  const loads = sizes.flatMap((s) => (s.load.cached ? [{ s, r: s.load.cached }] : []));
  if (loads.length === 0) return { target, figure: '—', verdict: 'not measured', why: 'no cached load test ran' };
  const figure = loads.map(({ s, r }) => `${s.dataset.size.label}: ${fmtInt(r.requestsPerSecond)} req/s, p99 ${fmtMs(r.p99)}, memory ${isFlat(r) ? 'flat' : 'growing'}`).join('; ');
  const problems = loads.flatMap(({ s, r }) => [
    ...(r.requestsPerSecond < CACHED_RPS ? [`${s.dataset.size.label}: ${fmtInt(r.requestsPerSecond)} req/s`] : []),
    ...(r.p99 > CACHED_P99_MS ? [`${s.dataset.size.label}: p99 ${fmtMs(r.p99)}`] : []),
    ...(!isFlat(r) ? [`${s.dataset.size.label}: RSS grew during the run`] : []),
    ...(r.errors + r.non2xx > 0 ? [`${s.dataset.size.label}: ${r.errors} errors, ${r.non2xx} non-2xx`] : []),
  ]);
  if (problems.length === 0) return { target, figure, verdict: 'met', why: '' };
  const notWired = sizes.some((s) => !s.cacheDetected);
  const why = (notWired ? 'repeated calls got a new generatedAt, so every request ran its query; ' : '')
    + `${problems.join('; ')}. autocannon runs on the same 2 cores as the API, so the API gets about one of them;`
    + ' a cache hit still parses the range, authenticates and serialises the answer';
  return { target, figure, verdict: 'missed', why };
}
