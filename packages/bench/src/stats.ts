// Statistics of repeated benchmark samples: the median, and the Mann–Whitney U (Wilcoxon rank-sum) test of whether
// one set of samples tends to be smaller than another. Rank-based, so one preempted repetition on a shared machine
// moves neither the median nor the test much, and no distribution is assumed (run times are skewed, not normal).
//
// p-values: exact (the U distribution counted by the Mann–Whitney recursion) when no value is tied and the samples
// are small, which is every case a bench produces (3–20 repetitions a side); otherwise the normal approximation
// with the tie correction and a continuity correction (jStat's normal CDF). Pure functions.

import { createRequire } from 'node:module';

// jstat ships no type declarations (the CLI declares them for its own use); this is the one function used here.
const jstat = createRequire(import.meta.url)('jstat') as {
  normal: { cdf(x: number, mean: number, sd: number): number };
};

/** Median of a non-empty list (the mean of the two middle values for an even count); NaN for an empty one. */
export function median(xs: readonly number[]): number {
  if (xs.length === 0) return Number.NaN;
  const s = [...xs].sort((a, b) => a - b);
  const h = s.length >> 1;
  return s.length % 2 === 1 ? s[h] : (s[h - 1] + s[h]) / 2;
}

/** Largest n·m for which the exact distribution is counted (the table has n·m + 1 entries per (n, m) pair). */
const EXACT_MAX_CELLS = 2500;

/**
 * One-sided Mann–Whitney p-value for "x tends to be smaller than y": P(U_x ≤ u) under the null hypothesis that
 * both samples come from one distribution, where U_x counts the pairs (x_i, y_j) with x_i > y_j (ties count ½).
 * Small when x lies below y. 1 when either sample is empty.
 */
export function mannWhitneyLess(x: readonly number[], y: readonly number[]): number {
  const n = x.length;
  const m = y.length;
  if (n === 0 || m === 0) return 1;
  let u = 0;
  let tied = false;
  for (const a of x)
    for (const b of y) {
      if (a > b) u += 1;
      else if (a === b) {
        u += 0.5;
        tied = true;
      }
    }
  if (!tied && n * m <= EXACT_MAX_CELLS) return exactLowerTail(n, m, u);
  return normalLowerTail(x, y, u);
}

/** Minimum one-sided p-value samples of these sizes can reach: 1 / C(n + m, n) (no ties). */
export function minimumP(n: number, m: number): number {
  let c = 1;
  for (let k = 1; k <= Math.min(n, m); k++) c = (c * (n + m - Math.min(n, m) + k)) / k;
  return 1 / c;
}

/**
 * P(U ≤ u) for sample sizes n, m without ties: counts f(n, m, u), the arrangements of n x's and m y's with U = u,
 * by f(n, m, u) = f(n − 1, m, u − m) + f(n, m − 1, u) (Mann & Whitney 1947), divided by C(n + m, n).
 */
function exactLowerTail(n: number, m: number, u: number): number {
  // f[i][j] is the distribution of U for i x's and j y's, as an array indexed by u (0 … i·j).
  let prev: Float64Array[] = []; // i − 1
  for (let i = 0; i <= n; i++) {
    const cur: Float64Array[] = [];
    for (let j = 0; j <= m; j++) {
      const f = new Float64Array(i * j + 1);
      if (i === 0 || j === 0) f[0] = 1;
      else
        for (let k = 0; k <= i * j; k++)
          f[k] = (k - j >= 0 && k - j <= (i - 1) * j ? prev[j][k - j] : 0) + (k <= i * (j - 1) ? cur[j - 1][k] : 0);
      cur.push(f);
    }
    prev = cur;
  }
  const dist = prev[m];
  let total = 0;
  let below = 0;
  for (let k = 0; k < dist.length; k++) {
    total += dist[k];
    if (k <= u) below += dist[k];
  }
  return below / total;
}

/** Normal approximation of P(U ≤ u) with the variance corrected for ties and a continuity correction of ½. */
function normalLowerTail(x: readonly number[], y: readonly number[], u: number): number {
  const n = x.length;
  const m = y.length;
  const N = n + m;
  const counts = new Map<number, number>();
  for (const v of [...x, ...y]) counts.set(v, (counts.get(v) ?? 0) + 1);
  let ties = 0;
  for (const t of counts.values()) ties += t * t * t - t;
  const variance = ((n * m) / 12) * (N + 1 - ties / (N * (N - 1)));
  if (variance <= 0) return 1; // every value equal: no evidence either way
  const z = (u + 0.5 - (n * m) / 2) / Math.sqrt(variance);
  return Math.min(1, jstat.normal.cdf(z, 0, 1));
}
