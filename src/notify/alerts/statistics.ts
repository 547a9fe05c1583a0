/**
 * The two tests the rules use. Both are small enough to write out, and exact where it matters: the Poisson tail is
 * summed term by term (in log space, so a large expected count neither overflows nor underflows).
 */

/** P(X ≤ k) for X ~ Poisson(λ). */
export function poissonCdf(k: number, lambda: number): number {
  if (k < 0) return 0;
  if (lambda <= 0) return 1;
  let logTerm = -lambda; // log P(X = 0)
  let sum = Math.exp(logTerm);
  for (let i = 1; i <= Math.floor(k); i++) {
    logTerm += Math.log(lambda) - Math.log(i);
    sum += Math.exp(logTerm);
  }
  return Math.min(1, sum);
}

/** Standard normal upper tail P(Z > z), Abramowitz–Stegun 26.2.17 (error below 7.5e-8). */
export function normalUpperTail(z: number): number {
  if (z < 0) return 1 - normalUpperTail(-z);
  const t = 1 / (1 + 0.2316419 * z);
  const poly = t * (0.319381530 + t * (-0.356563782 + t * (1.781477937 + t * (-1.821255978 + t * 1.330274429))));
  return (Math.exp(-z * z / 2) / Math.sqrt(2 * Math.PI)) * poly;
}

/**
 * One-sided two-proportion z-test: how likely a recent rate x1/n1 this far below a baseline x2/n2 (or further) is
 * when both share one true rate. 1 when either sample is empty.
 */
export function proportionDropP(x1: number, n1: number, x2: number, n2: number): number {
  if (n1 === 0 || n2 === 0) return 1;
  const pooled = (x1 + x2) / (n1 + n2);
  const se = Math.sqrt(pooled * (1 - pooled) * (1 / n1 + 1 / n2));
  if (se === 0) return 1;
  return normalUpperTail((x2 / n2 - x1 / n1) / se);
}
