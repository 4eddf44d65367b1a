// The analytic queueing models of the validation suite against textbook values and against each other (M/M/1/K
// closed form vs the M/G/1/K embedded chain; MVA vs the machine-repairman birth–death chain).

import { describe, expect, it } from 'vitest';
import {
  erlangCdf,
  machineRepairman,
  md1k,
  mg1k,
  mm1k,
  mm1k2Wait,
  mm1kWaitCdf,
  mva,
} from '../src/validate/analytic.ts';

const close = (a: number, b: number, eps = 1e-9) => expect(Math.abs(a - b)).toBeLessThan(eps);

describe('M/M/1/K', () => {
  it('ρ = 0.5, K = 2: p = (4/7, 2/7, 1/7), L = 4/7, Lq = 1/7, W = 2/3, Wq = 1/6 (hand-computed closed form)', () => {
    const q = mm1k(0.5, 1, 2);
    close(q.p[0], 4 / 7);
    close(q.p[1], 2 / 7);
    close(q.p[2], 1 / 7);
    close(q.blocking, 1 / 7);
    close(q.L, 4 / 7);
    close(q.Lq, 1 / 7);
    close(q.throughput, 0.5 * (6 / 7));
    close(q.W, 4 / 7 / (3 / 7));
    close(q.Wq, 1 / 7 / (3 / 7));
  });

  it('ρ = 1: every state equally likely, 1/(K + 1)', () => {
    const q = mm1k(2, 0.5, 4);
    for (const p of q.p) close(p, 0.2);
  });

  it('large K tends to M/M/1: L = ρ/(1 − ρ), Wq = ρ/(μ − λ)', () => {
    const q = mm1k(0.8, 1, 400);
    close(q.L, 4, 1e-6);
    close(q.Wq, 0.8 / 0.2, 1e-6);
  });

  it('overload (ρ > 1) still has a stationary distribution; blocking → 1 − 1/ρ as K grows', () => {
    const q = mm1k(2, 1, 60);
    close(q.blocking, 0.5, 1e-9);
    close(q.utilization, 1, 1e-9);
  });

  it('K = 2 wait before service: an atom p0/(p0 + p1) at 0 plus Exp(μ); its mean is Wq', () => {
    for (const rho of [0.2, 0.5, 0.9]) {
      const w = mm1k2Wait(rho, 1);
      const q = mm1k(rho, 1, 2);
      close(w.atZero, 1 / (1 + rho));
      close((1 - w.atZero) / w.expRate, q.Wq, 1e-12);
      for (const t of [0, 0.3, 1, 4])
        close(mm1kWaitCdf(rho, 1, 2, t), w.atZero + (1 - w.atZero) * (1 - Math.exp(-w.expRate * t)), 1e-12);
    }
  });

  it('the general wait CDF (Erlang mixture) integrates to Wq for K = 5', () => {
    const lambda = 0.7;
    const q = mm1k(lambda, 1, 5);
    let mean = 0;
    const dt = 0.001;
    for (let t = 0; t < 60; t += dt) mean += (1 - mm1kWaitCdf(lambda, 1, 5, t + dt / 2)) * dt;
    close(mean, q.Wq, 1e-5);
  });

  it('erlangCdf: Erlang(1) is the exponential; Erlang(0) is the point mass at 0', () => {
    close(erlangCdf(1, 2, 0.7), 1 - Math.exp(-1.4));
    expect(erlangCdf(0, 2, 0)).toBe(1);
    expect(erlangCdf(3, 2, -1)).toBe(0);
  });

  it('refuses a bad capacity or rate', () => {
    expect(() => mm1k(1, 1, 0)).toThrow(/capacity K/);
    expect(() => mm1k(0, 1, 2)).toThrow(/arrival rate/);
    expect(() => mm1k(1, -1, 2)).toThrow(/service time/);
  });
});

describe('M/G/1/K by the embedded Markov chain', () => {
  it('with exponential service it reproduces the M/M/1/K closed form (K = 1..6, ρ = 0.2..1.5)', () => {
    for (const K of [1, 2, 3, 6])
      for (const rho of [0.2, 0.5, 0.9, 1.5]) {
        const a = (k: number) => (1 / (1 + rho)) * (rho / (1 + rho)) ** k; // P(k arrivals in an Exp(1) service)
        const g = mg1k(rho, 1, K, a);
        const m = mm1k(rho, 1, K);
        for (let n = 0; n <= K; n++) close(g.p[n], m.p[n], 1e-12);
      }
  });

  it('M/D/1/1 is Erlang’s loss system: blocking ρ/(1 + ρ) (insensitivity)', () => {
    for (const rho of [0.2, 0.9, 3]) close(md1k(rho, 1, 1).blocking, rho / (1 + rho), 1e-12);
  });

  it('M/D/1/2 closed form: p0 = e^−ρ/(e^−ρ + ρ), p2 = 1 − 1/(e^−ρ + ρ)', () => {
    const rho = 1;
    const q = md1k(rho, 1, 2);
    const d = Math.exp(-rho) + rho;
    close(q.p[0], Math.exp(-rho) / d, 1e-12);
    close(q.p[1], (1 - Math.exp(-rho)) / d, 1e-12);
    close(q.p[2], 1 - 1 / d, 1e-12);
  });

  it('utilization balance: 1 − p0 = λ (1 − p_K) D', () => {
    for (const K of [2, 3, 5])
      for (const rho of [0.3, 0.8, 1.2]) {
        const q = md1k(rho, 1, K);
        close(q.utilization, q.throughput * 1, 1e-12);
      }
  });

  it('large K tends to M/D/1 (Pollaczek–Khinchine): Lq = ρ²/(2(1 − ρ))', () => {
    close(md1k(0.7, 1, 120).Lq, 0.49 / 0.6, 1e-8);
  });
});

describe('exact MVA, one FCFS station + think time', () => {
  it('N = 1: R = D, X = 1/(D + Z)', () => {
    const [p] = mva(0.5, 1.5, 1);
    close(p.R, 0.5);
    close(p.X, 0.5);
    close(p.U, 0.25);
  });

  it('D = 0.5, Z = 1, N = 2: X = 1.2, U = 0.6 (hand-computed)', () => {
    const p = mva(0.5, 1, 2)[1];
    close(p.X, 1.2);
    close(p.U, 0.6);
    close(p.R, 2 / 3);
  });

  it('agrees with the machine-repairman birth–death chain over a grid of (D, Z, N)', () => {
    for (const D of [0.1, 1, 3])
      for (const Z of [0.5, 2, 10])
        for (const N of [1, 2, 5, 20]) {
          const m = mva(D, Z, N)[N - 1];
          const b = machineRepairman(D, Z, N);
          close(m.X, b.X, 1e-9 * Math.max(1, b.X));
          close(m.Q, b.Q, 1e-9 * Math.max(1, b.Q));
        }
  });

  it('respects the asymptotic bounds X ≤ min(1/D, N/(D + Z)) and R ≥ max(D, N·D − Z)', () => {
    for (const p of mva(1, 4, 30)) {
      expect(p.X).toBeLessThanOrEqual(Math.min(1, p.N / 5) + 1e-12);
      expect(p.R).toBeGreaterThanOrEqual(Math.max(1, p.N - 4) - 1e-12);
    }
  });

  it('Z = 0: the station holds every customer, R = N·D, X = 1/D', () => {
    const p = mva(2, 0, 4)[3];
    close(p.R, 8);
    close(p.X, 0.5);
  });

  it('refuses bad parameters', () => {
    expect(() => mva(0, 1, 2)).toThrow(/service demand/);
    expect(() => mva(1, -1, 2)).toThrow(/think time/);
    expect(() => mva(1, 1, 0)).toThrow(/population/);
  });
});
