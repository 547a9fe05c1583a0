/** Console output of the run: every figure is printed as soon as it is measured. */
export const say = (message: string) => console.log(message);

export const fmtMs = (ms: number | null | undefined) => {
  if (ms === null || ms === undefined) return 'n/a';
  const size = Math.abs(ms);
  return size >= 100 ? `${Math.round(ms)} ms` : `${ms.toFixed(size >= 10 ? 1 : 2)} ms`;
};

export const fmtInt = (n: number) => Math.round(n).toLocaleString('en-GB');

export const fmtBytes = (bytes: number) =>
  bytes >= 1024 ** 3 ? `${(bytes / 1024 ** 3).toFixed(2)} GiB` : `${(bytes / 1024 ** 2).toFixed(1)} MiB`;

/** Runs `work`, prints how long it took under `label`, and returns the time with the result. */
export async function timed<T>(label: string, work: () => Promise<T>): Promise<{ ms: number; value: T }> {
  const started = performance.now();
  const value = await work();
  const ms = performance.now() - started;
  say(`  ${label}: ${fmtMs(ms)}`);
  return { ms, value };
}
