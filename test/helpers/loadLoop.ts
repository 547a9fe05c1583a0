/** A bounded request loop on loopback: `concurrency` workers until `durationMs` passes or `maxRequests` are sent. */
export interface LoadResult {
  statuses: Map<number, number>;
  latenciesMs: number[];
  bodies: string[];
}

export async function loadLoop(url: string, opts: { durationMs: number; concurrency: number; maxRequests: number; headers?: Record<string, string> }): Promise<LoadResult> {
  const result: LoadResult = { statuses: new Map(), latenciesMs: [], bodies: [] };
  const deadline = Date.now() + opts.durationMs;
  let sent = 0;
  const worker = async () => {
    while (Date.now() < deadline && sent < opts.maxRequests) {
      sent++;
      const started = performance.now();
      let status = 0;
      let body = '';
      try {
        const res = await fetch(url, { headers: opts.headers, signal: AbortSignal.timeout(30_000) });
        status = res.status;
        body = await res.text();
      } catch {
        status = -1; // no answer at all (a hang would show here)
      }
      result.latenciesMs.push(performance.now() - started);
      result.statuses.set(status, (result.statuses.get(status) ?? 0) + 1);
      if (result.bodies.length < 20 || status >= 500) result.bodies.push(body);
    }
  };
  await Promise.all(Array.from({ length: opts.concurrency }, worker));
  return result;
}

export function percentile(values: number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? 0;
}
