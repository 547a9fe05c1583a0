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

/** Uncached 30-day funnel at 1 M: what the API adds to the bare SQL (p50 difference). */
const UNCACHED_ADDS_MS = 1.5;
/** Uncached 365-day ranges at 1 M: total API time over total bare SQL time in the same interleaved rounds. */
const UNCACHED_365_RATIO = 1.05;
const ROLLUP_P95_MS = 100;
/** A cache hit with a key against `/health` of the same process under the same load. */
const HIT_SHARE_OF_HEALTH = 0.6;
const MEMORY_SECONDS = 60;

const MANY_READY_MS = 5000;
/** 400 MB, decimal: the stricter reading (381.5 MiB). */
const MANY_RSS_BYTES = 400e6;
const MANY_ROUND_MS = 60_000;
/** Every many-clients target's name starts with this: a run of that case alone replaces exactly these rows. */
export const MANY_TARGET_PREFIX = 'Many clients';

/** The issue's targets, judged on this run's figures; a missed target says what the figures show about why. */
export function judgeTargets(run: RunResult): TargetVerdict[] {
  const size = (label: string) => run.sizes.find((s) => s.dataset.size.label === label);
  return [
    cachedTarget(run.sizes), uncachedAddsTarget(size('1m')), uncached365Target(size('1m')), rollupTarget(size('10m')),
    memoryTarget(run.sizes), ...manyClientsTargets(run.manyClients),
  ];
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

const verdictOf = (ok: boolean): TargetVerdict['verdict'] => (ok ? 'met' : 'missed');

function uncachedAddsTarget(oneM: SizeResult | undefined): TargetVerdict {
  const target = `Uncached 30-day funnel on 1 M sessions: API p50 − bare SQL p50 ≤ ${UNCACHED_ADDS_MS} ms`;
  if (!oneM) return { target, figure: '—', verdict: 'not measured', why: '1 M was not in this run' };
  const c = oneM.cases.find((x) => x.endpoint === 'funnel' && x.days === 30)!;
  const adds = c.api.uncached!.p50 - c.bare.p50;
  const figure = `+${fmtMs(adds)} (p50 ${fmtMs(c.api.uncached!.p50)} vs ${fmtMs(c.bare.p50)}; total ${c.uncachedRatio.toFixed(3)}×)`;
  return { target, figure, verdict: verdictOf(adds <= UNCACHED_ADDS_MS),
    why: adds <= UNCACHED_ADDS_MS ? '' : 'PostgreSQL runs the API\'s statement as fast as the bare one (its statement log shows the same execute time, and leaving out BEGIN READ ONLY + SET LOCAL changed nothing in a manual run); the rest is the API process\'s own work per uncached request — HTTP, authentication, building and binding the SQL, the pg protocol, the answer and its ETag — and the wake-ups between three processes on two cores' };
}

function uncached365Target(oneM: SizeResult | undefined): TargetVerdict {
  const target = `Uncached 365-day ranges on 1 M sessions ≤ ${UNCACHED_365_RATIO.toFixed(2)}× the bare SQL (total time over the same interleaved calls)`;
  if (!oneM) return { target, figure: '—', verdict: 'not measured', why: '1 M was not in this run' };
  const rows = oneM.cases.filter((c) => c.days === 365);
  const worst = rows.reduce((a, b) => (b.uncachedRatio > a.uncachedRatio ? b : a));
  const over = rows.filter((c) => c.uncachedRatio > UNCACHED_365_RATIO);
  const figure = `worst ${worst.uncachedRatio.toFixed(3)}× (${worst.name}; p50 ${fmtMs(worst.api.uncached!.p50)} vs ${fmtMs(worst.bare.p50)})`;
  return { target, figure, verdict: verdictOf(over.length === 0),
    why: over.map((c) => `${c.name}: +${fmtMs(c.api.uncached!.p50 - c.bare.p50)} on ${fmtMs(c.bare.p50)}`).join('; ') };
}

function rollupTarget(tenM: SizeResult | undefined): TargetVerdict {
  const target = `With rollups on 10 M sessions: 365-day funnel, daily, hourly, heatmap and /api/{id}/metrics p95 ≤ ${ROLLUP_P95_MS} ms`;
  if (!tenM) return { target, figure: '—', verdict: 'not measured', why: '10 M was not in this run' };
  if (tenM.rollups.unavailable) return { target, figure: '—', verdict: 'missed', why: `rollups could not be driven: ${tenM.rollups.unavailable}` };
  const rows = tenM.cases.filter((c) => c.days === 365 && c.api.rollups);
  const figure = rows.map((c) => `${c.endpoint} ${fmtMs(c.api.rollups!.p95)}`).join(', ');
  const over = rows.filter((c) => c.api.rollups!.p95 > ROLLUP_P95_MS);
  const why = over.map((c) => `${c.endpoint}: p95 ${fmtMs(c.api.rollups!.p95)}`
    + (c.api.rollups!.p95 > 0.5 * c.api.uncached!.p95 ? ' (about as slow as raw SQL: not read from rollups)'
      : ' (read from rollups: 365 days are 35,000 15-minute buckets summed into 8,760 UTC hours, each converted to local time twice in SQL; /metrics reads counts, the duration sketch and hours at once)')).join('; ');
  return { target, figure: `p95: ${figure}`, verdict: verdictOf(over.length === 0), why };
}

function cachedTarget(sizes: SizeResult[]): TargetVerdict {
  const target = `Cache hit with a key ≥ ${HIT_SHARE_OF_HEALTH * 100} % of the same process's /health throughput in the same run (load tests alternating with /health, median of the rounds, every size)`;
  const loads = sizes.flatMap((s) => (s.load.cached && s.healthLoad ? [{ s, hit: s.load.cached, health: s.healthLoad }] : []));
  if (loads.length === 0) return { target, figure: '—', verdict: 'not measured', why: 'no cached load test ran' };
  const share = (l: (typeof loads)[number]) => l.hit.requestsPerSecond / l.health.requestsPerSecond;
  const rounds = (l: (typeof loads)[number]) => (l.s.hitShares.length > 1 ? `, median of rounds ${l.s.hitShares.map((x) => `${Math.round(x * 100)} %`).join(' / ')}` : '');
  const figure = loads.map((l) => `${l.s.dataset.size.label}: ${fmtInt(l.hit.requestsPerSecond)} vs ${fmtInt(l.health.requestsPerSecond)} req/s`
    + ` (${Math.round(share(l) * 100)} %${rounds(l)}; p99 ${fmtMs(l.hit.p99)}${l.s.tokenLoad ? `; with an API token ${fmtInt(l.s.tokenLoad.requestsPerSecond)} req/s` : ''})`).join('; ');
  const problems = loads.flatMap((l) => [
    ...(share(l) < HIT_SHARE_OF_HEALTH ? [`${l.s.dataset.size.label}: ${Math.round(share(l) * 100)} % of /health`] : []),
    ...(l.hit.errors + l.hit.non2xx > 0 ? [`${l.s.dataset.size.label}: ${l.hit.errors} errors, ${l.hit.non2xx} non-2xx`] : []),
  ]);
  const notWired = sizes.some((s) => !s.cacheDetected);
  if (problems.length === 0 && !notWired) return { target, figure, verdict: 'met', why: '' };
  return { target, figure, verdict: 'missed',
    why: `${notWired ? 'repeated calls got a new generatedAt, so every request ran its query; ' : ''}${problems.join('; ')}`
      + ' (a hit never reads the client\'s data, so every size does the same work: about twice the CPU of /health per request, spread over the credential check, the rate limit, query validation, plan and cache look-up, and its headers, with no single hot spot under --cpu-prof)' };
}

function memoryTarget(sizes: SizeResult[]): TargetVerdict {
  const target = `Memory flat under a ${MEMORY_SECONDS} s load (cache hits; the second half's highest RSS within 5 % or 16 MiB of the first half's)`;
  const loads = sizes.flatMap((s) => (s.memoryLoad ? [{ s, r: s.memoryLoad }] : []));
  if (loads.length === 0) return { target, figure: '—', verdict: 'not measured', why: 'no memory check ran' };
  const figure = loads.map(({ s, r }) => `${s.dataset.size.label}: ${fmtBytes(r.rssEarlyBytes)} → ${fmtBytes(r.rssLateBytes)} over ${Math.round(r.seconds)} s`
    + ` (${isFlat(r) ? 'flat' : 'growing'})`).join('; ');
  const growing = loads.filter(({ r }) => !isFlat(r));
  if (growing.length > 0) return { target, figure, verdict: 'missed', why: `RSS grew in the second half: ${growing.map(({ s }) => s.dataset.size.label).join(', ')}` };
  const failed = loads.filter(({ r }) => r.errors + r.non2xx > 0);
  if (failed.length > 0) {
    return { target, figure, verdict: 'not measured', why: `not every request was a cache hit: ${failed.map(({ s, r }) => `${s.dataset.size.label} ${r.errors} errors, ${r.non2xx} non-2xx`).join('; ')}` };
  }
  const short = loads.filter(({ r }) => r.seconds < MEMORY_SECONDS);
  if (short.length > 0) return { target, figure, verdict: 'not measured', why: `flat, but the check lasted under ${MEMORY_SECONDS} s (--memory-seconds)` };
  return { target, figure, verdict: 'met', why: '' };
}
