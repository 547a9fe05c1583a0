import autocannon from 'autocannon';
import { processMemory } from './server.ts';

export interface LoadResult {
  path: string;
  connections: number;
  seconds: number;
  requestsPerSecond: number;
  total: number;
  /** Latency percentiles in ms (autocannon's HDR histogram). */
  p50: number;
  p97_5: number;
  p99: number;
  max: number;
  errors: number;
  timeouts: number;
  non2xx: number;
  /** The server's resident memory over the run: the maxima of its first and second half, and the peak (VmHWM) after. */
  rssEarlyBytes: number;
  rssLateBytes: number;
  peakBytes: number;
}

/**
 * Memory counts as flat when the highest RSS of the run's second half is within 5 % (or 16 MiB) of the first
 * half's: a leak keeps growing with the requests served, a heap settling after warm-up does not.
 */
export const isFlat = (r: LoadResult) => r.rssLateBytes <= Math.max(r.rssEarlyBytes * 1.05, r.rssEarlyBytes + 16 * 1024 ** 2);

/**
 * `connections` concurrent keep-alive connections on loopback hammering one URL for `seconds`, while the API
 * process's RSS is sampled every 100 ms. autocannon runs in this process, so it shares the machine's cores with
 * the server: on 2 cores the figures are a lower bound of what the API could serve to remote clients.
 */
export async function loadTest(baseUrl: string, path: string, authorization: string, pid: number, connections: number, seconds: number): Promise<LoadResult> {
  const rss: { at: number; bytes: number }[] = [];
  const started = performance.now();
  const sampler = setInterval(() => rss.push({ at: performance.now() - started, bytes: processMemory(pid).rssBytes }), 100);
  try {
    const result = await autocannon({
      url: new URL(path, baseUrl).toString(),
      connections,
      duration: seconds,
      timeout: 60,
      headers: { authorization },
    });
    const span = performance.now() - started;
    const maxIn = (from: number, to: number) => Math.max(...rss.filter((s) => s.at >= from && s.at < to).map((s) => s.bytes), 0);
    return {
      path,
      connections,
      seconds: result.duration,
      requestsPerSecond: result.requests.average,
      total: result.requests.total,
      p50: result.latency.p50,
      p97_5: result.latency.p97_5,
      p99: result.latency.p99,
      max: result.latency.max,
      errors: result.errors,
      timeouts: result.timeouts,
      non2xx: result.non2xx,
      rssEarlyBytes: maxIn(0, span / 2),
      rssLateBytes: maxIn(span / 2, span + 1),
      peakBytes: processMemory(pid).peakBytes,
    };
  } finally {
    clearInterval(sampler);
  }
}
