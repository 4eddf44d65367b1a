// When is a change between two runs real? Two conditions, both required (docs/REPORTS.md, "compare"):
//  1. it exceeds the histograms' resolution: a reported percentile is quantized twice (the engine's log-linear
//     buckets, then the HdrHistogram of the results JSON, each 3 significant digits: at most 1/1024 of the value),
//     so two values closer than the sum of their quantization steps may be the same latency;
//  2. it exceeds the statistical noise, tested at a family-wise error rate α (Holm–Bonferroni over every test of the
//     comparison, so thirty metrics do not make a false alarm likely):
//     - with one run per side, for a latency percentile: the distribution-free confidence interval of a quantile
//       from order statistics (the p-quantile of n samples lies between the order statistics n·p ∓ z·√(n·p(1−p)),
//       Conover, Practical Nonparametric Statistics §3.2), read off each side's histogram, as a z-test on the
//       difference. Counts and ratios (exits/s, % of bare metal) have no within-run noise estimate — exits come in
//       bursts (an idle period is one HLT exit and several wake-ups), so a Poisson error would be too small — and are
//       reported "untested";
//     - with several runs per side (different seeds: replicas), for every metric: Welch's t-test on the replicas'
//       values, which measures the run-to-run noise directly, whatever its source; when both sides ran the same
//       seeds, a paired t-test on the per-seed differences instead — the same seed gives both sides the same
//       workload (common random numbers, DESIGN §12), so the workload's own variation cancels out.

import jstat from 'jstat';

export type Verdict = 'significant' | 'within noise' | 'within resolution' | 'no change' | 'untested';

export interface Test {
  /** Two-sided p-value (before the Holm correction); null: untested. */
  p: number | null;
  /** The change exceeds the resolution of the values. */
  resolved: boolean;
}

/** Quantization step of a reported latency of v ns: one log-linear bucket and one HdrHistogram bucket (3 digits). */
export function latencyResolutionNs(v: number): number {
  return Math.max(1, (2 * v) / 1024);
}

interface Quantiles {
  totalCount: number;
  getValueAtPercentile(p: number): number;
}

const Z95 = 1.959963984540054;

/** Standard error of the p-th percentile of a histogram from its order-statistic 95 % confidence interval. */
export function percentileSe(h: Quantiles, percentile: number): number {
  const n = h.totalCount;
  if (n === 0) return 0;
  const q = percentile / 100;
  const r = Z95 * Math.sqrt(n * q * (1 - q));
  const lo = h.getValueAtPercentile((100 * Math.max(0, n * q - r)) / n);
  const hi = h.getValueAtPercentile((100 * Math.min(n, n * q + r)) / n);
  return (hi - lo) / (2 * Z95);
}

const twoSidedNormal = (z: number) => 2 * (1 - jstat.normal.cdf(Math.abs(z), 0, 1));

/** z-test of b − a with independent standard errors; equal values, or zero error with a difference, are exact. */
export function zTest(a: number, seA: number, b: number, seB: number): number {
  const d = b - a;
  const se = Math.sqrt(seA * seA + seB * seB);
  if (d === 0) return 1;
  if (se === 0) return 0;
  return twoSidedNormal(d / se);
}

const mean = (x: number[]) => x.reduce((s, v) => s + v, 0) / x.length;
const variance = (x: number[]) => {
  const m = mean(x);
  return x.reduce((s, v) => s + (v - m) * (v - m), 0) / (x.length - 1);
};

/** Welch's two-sample t-test (unequal variances), two-sided p-value; needs ≥ 2 values per side. */
export function welchTest(a: number[], b: number[]): number {
  const d = mean(b) - mean(a);
  const va = variance(a) / a.length;
  const vb = variance(b) / b.length;
  const se2 = va + vb;
  if (d === 0) return 1;
  if (se2 === 0) return 0;
  const t = d / Math.sqrt(se2);
  const df = (se2 * se2) / ((va * va) / (a.length - 1) + (vb * vb) / (b.length - 1));
  return 2 * (1 - jstat.studentt.cdf(Math.abs(t), df));
}

/** Paired t-test on b[i] − a[i] (the same seed on both sides), two-sided p-value; needs ≥ 2 pairs. */
export function pairedTest(a: number[], b: number[]): number {
  const d = b.map((v, i) => v - a[i]);
  const m = mean(d);
  const se2 = variance(d) / d.length;
  if (m === 0) return 1;
  if (se2 === 0) return 0;
  return 2 * (1 - jstat.studentt.cdf(Math.abs(m / Math.sqrt(se2)), d.length - 1));
}

/**
 * Holm–Bonferroni step-down: which tests reject at family-wise error rate alpha. Untested entries (p null) take
 * no part and are not rejected.
 */
export function holm(ps: (number | null)[], alpha: number): boolean[] {
  const idx = ps.map((p, i) => ({ p, i })).filter((x): x is { p: number; i: number } => x.p !== null);
  idx.sort((x, y) => x.p - y.p);
  const reject = ps.map(() => false);
  const m = idx.length;
  for (let k = 0; k < m; k++) {
    if (idx[k].p > alpha / (m - k)) break;
    reject[idx[k].i] = true;
  }
  return reject;
}

/** Verdicts of a family of tests: significant only when both resolved and rejected by Holm. */
export function verdicts(tests: Test[], alpha: number, equal: boolean[]): Verdict[] {
  const reject = holm(
    tests.map((t) => t.p),
    alpha,
  );
  return tests.map((t, i) => {
    if (equal[i]) return 'no change';
    if (!t.resolved) return 'within resolution';
    if (t.p === null) return 'untested';
    return reject[i] ? 'significant' : 'within noise';
  });
}
