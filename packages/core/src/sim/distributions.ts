// Samplers for cost and interval distributions, built once at setup (closures are created per distribution,
// never per event). Every sample is an integer number of cycles ≥ 0, so virtual time stays integral.

import type { RngStreams } from './rng.ts';

export type Sampler = (rng: RngStreams, stream: number) => number;

export type DistSpec =
  | { kind: 'fixed'; cycles: number }
  | { kind: 'exponential'; meanCycles: number }
  | { kind: 'uniform'; minCycles: number; maxCycles: number }
  | { kind: 'empirical'; cycles: readonly number[]; weights?: readonly number[] };

export function makeSampler(d: DistSpec): Sampler {
  switch (d.kind) {
    case 'fixed': {
      const c = Math.round(d.cycles);
      return () => c;
    }
    case 'exponential': {
      const m = d.meanCycles;
      return (rng, s) => Math.round(-Math.log(rng.uniformOpen(s)) * m);
    }
    case 'uniform': {
      const lo = d.minCycles;
      const span = d.maxCycles - d.minCycles;
      return (rng, s) => Math.round(lo + rng.uniform(s) * span);
    }
    case 'empirical': {
      const values = Float64Array.from(d.cycles, Math.round);
      const w = d.weights ?? d.cycles.map(() => 1);
      const cdf = new Float64Array(values.length);
      let acc = 0;
      const total = w.reduce((a, b) => a + b, 0);
      for (let i = 0; i < values.length; i++) {
        acc += w[i] / total;
        cdf[i] = acc;
      }
      cdf[values.length - 1] = 1;
      return (rng, s) => {
        const u = rng.uniform(s);
        let lo = 0;
        let hi = values.length - 1;
        while (lo < hi) {
          const mid = (lo + hi) >> 1;
          if (cdf[mid] > u) hi = mid;
          else lo = mid + 1;
        }
        return values[lo];
      };
    }
  }
}

/** Mean of a distribution in cycles (used for sizing and reports). */
export function distMean(d: DistSpec): number {
  switch (d.kind) {
    case 'fixed':
      return d.cycles;
    case 'exponential':
      return d.meanCycles;
    case 'uniform':
      return (d.minCycles + d.maxCycles) / 2;
    case 'empirical': {
      const w = d.weights ?? d.cycles.map(() => 1);
      const total = w.reduce((a, b) => a + b, 0);
      return d.cycles.reduce((a, c, i) => a + c * w[i], 0) / total;
    }
  }
}
