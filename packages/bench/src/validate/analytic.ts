// Exact analytic queueing models the validation cases compare the engine with (docs/VALIDATION.md, "Queueing
// theory"). Pure functions, no simulation. Notation: λ arrival rate, μ service rate (1/mean service time),
// ρ = λ/μ offered load, K the system capacity (customers in service + waiting; an arrival that finds K is lost).
//
// Textbook sources: Gross, Shortie, Thompson & Harris, "Fundamentals of Queueing Theory" (4th ed.), §2.5 (M/M/1/K)
// and §5.1.9 (M/G/1/K via the departure-epoch embedded Markov chain); Lazowska, Zahorjan, Graham & Sevcik,
// "Quantitative System Performance" (1984), ch. 6 (exact Mean Value Analysis).

export interface FiniteQueue {
  /** Time-average probability of n in the system, n = 0..K. */
  p: number[];
  /** Probability that an arrival is lost (finds K in the system) = p[K] (PASTA). */
  blocking: number;
  /** Accepted arrival rate λ(1 − p_K). */
  throughput: number;
  /** Server utilization = 1 − p_0. */
  utilization: number;
  /** Mean number in the system. */
  L: number;
  /** Mean number waiting (not in service). */
  Lq: number;
  /** Mean time in the system of an accepted customer (Little: L / λ_eff). */
  W: number;
  /** Mean wait before service of an accepted customer (Little: Lq / λ_eff). */
  Wq: number;
}

function checkArgs(lambda: number, service: number, K: number): void {
  if (!(lambda > 0) || !Number.isFinite(lambda)) throw new RangeError(`arrival rate must be > 0, got ${lambda}`);
  if (!(service > 0) || !Number.isFinite(service)) throw new RangeError(`service time must be > 0, got ${service}`);
  if (!Number.isInteger(K) || K < 1) throw new RangeError(`capacity K must be an integer ≥ 1, got ${K}`);
}

function summarize(p: number[], lambda: number): FiniteQueue {
  const K = p.length - 1;
  let L = 0;
  let Lq = 0;
  for (let n = 1; n <= K; n++) {
    L += n * p[n];
    Lq += (n - 1) * p[n];
  }
  const throughput = lambda * (1 - p[K]);
  return { p, blocking: p[K], throughput, utilization: 1 - p[0], L, Lq, W: L / throughput, Wq: Lq / throughput };
}

/** M/M/1/K: p_n = ρ^n (1 − ρ) / (1 − ρ^{K+1}) (ρ ≠ 1), 1/(K + 1) at ρ = 1. `meanService` = 1/μ. */
export function mm1k(lambda: number, meanService: number, K: number): FiniteQueue {
  checkArgs(lambda, meanService, K);
  const rho = lambda * meanService;
  const p: number[] = [];
  if (Math.abs(rho - 1) < 1e-12) for (let n = 0; n <= K; n++) p.push(1 / (K + 1));
  else {
    const norm = (1 - rho) / (1 - rho ** (K + 1));
    for (let n = 0; n <= K; n++) p.push(norm * rho ** n);
  }
  return summarize(p, lambda);
}

/**
 * M/M/1/K (FCFS): P(wait before service ≤ t) for an accepted customer. One that finds n in the system (probability
 * p_n / (1 − p_K), n < K) waits for n exponential services: Erlang(n, μ). For K = 2 this is an atom
 * p_0 / (p_0 + p_1) at 0 plus, with the rest, an exponential of rate μ (the residual service of the one in
 * service) — `mm1k2Wait` gives that form.
 */
export function mm1kWaitCdf(lambda: number, meanService: number, K: number, t: number): number {
  const q = mm1k(lambda, meanService, K);
  if (t < 0) return 0;
  const mu = 1 / meanService;
  const accepted = 1 - q.blocking;
  let cdf = 0;
  for (let n = 0; n < K; n++) cdf += (q.p[n] / accepted) * erlangCdf(n, mu, t);
  return cdf;
}

/** The K = 2 wait before service: an atom at 0 and an exponential of rate μ = 1/meanService with the rest. */
export function mm1k2Wait(lambda: number, meanService: number): { atZero: number; expRate: number } {
  const q = mm1k(lambda, meanService, 2);
  return { atZero: q.p[0] / (q.p[0] + q.p[1]), expRate: 1 / meanService };
}

/** P(Erlang(n, rate) ≤ t); n = 0 is the point mass at 0. */
export function erlangCdf(n: number, rate: number, t: number): number {
  if (t < 0) return 0;
  if (n === 0) return 1;
  const x = rate * t;
  // 1 − Σ_{k<n} e^{-x} x^k / k!
  let term = Math.exp(-x);
  let sum = term;
  for (let k = 1; k < n; k++) {
    term *= x / k;
    sum += term;
  }
  return Math.max(0, 1 - sum);
}

/**
 * M/G/1/K from the departure-epoch embedded Markov chain (Gross & Harris §5.1.9). `a(k)` = P(k arrivals during
 * one service). States 0..K−1 left behind at departures; then with ρ = λ·E[S] the time-average probabilities are
 * p_n = π_n / (π_0 + ρ) for n < K and p_K = 1 − 1/(π_0 + ρ). Exact; solved by Gaussian elimination.
 */
export function mg1k(lambda: number, meanService: number, K: number, a: (k: number) => number): FiniteQueue {
  checkArgs(lambda, meanService, K);
  const rho = lambda * meanService;
  const S = K; // embedded states 0..K-1
  // P[i][j]: from i left behind, the next departure leaves j.
  const P: number[][] = [];
  for (let i = 0; i < S; i++) {
    const row = new Array<number>(S).fill(0);
    const base = i === 0 ? 0 : i - 1; // after the next service starts, i−1 others remain (or 0 from empty)
    let acc = 0;
    for (let j = base; j < S - 1; j++) {
      row[j] = a(j - base);
      acc += row[j];
    }
    row[S - 1] = Math.max(0, 1 - acc); // arrivals beyond capacity are lost: the chain stops at K−1
    P.push(row);
  }
  const pi = stationary(P);
  const denom = pi[0] + rho;
  const p = pi.map((x) => x / denom);
  p.push(1 - 1 / denom);
  return summarize(p, lambda);
}

/** M/D/1/K: deterministic service D, so a(k) = e^{−ρ} ρ^k / k! (ρ = λD). */
export function md1k(lambda: number, service: number, K: number): FiniteQueue {
  const rho = lambda * service;
  return mg1k(lambda, service, K, (k) => poisson(rho, k));
}

function poisson(m: number, k: number): number {
  let v = Math.exp(-m);
  for (let i = 1; i <= k; i++) v *= m / i;
  return v;
}

/** Stationary distribution of a finite irreducible stochastic matrix: πP = π, Σπ = 1. */
export function stationary(P: number[][]): number[] {
  const n = P.length;
  // (Pᵀ − I) π = 0 with the last equation replaced by Σπ = 1.
  const A: number[][] = [];
  for (let i = 0; i < n; i++) {
    const row: number[] = [];
    for (let j = 0; j < n; j++) row.push(P[j][i] - (i === j ? 1 : 0));
    row.push(0);
    A.push(row);
  }
  A[n - 1] = new Array<number>(n).fill(1).concat([1]);
  for (let c = 0; c < n; c++) {
    let piv = c;
    for (let r = c + 1; r < n; r++) if (Math.abs(A[r][c]) > Math.abs(A[piv][c])) piv = r;
    [A[c], A[piv]] = [A[piv], A[c]];
    const d = A[c][c];
    if (Math.abs(d) < 1e-300) throw new Error('singular chain (not irreducible)');
    for (let k = c; k <= n; k++) A[c][k] /= d;
    for (let r = 0; r < n; r++) {
      if (r === c || A[r][c] === 0) continue;
      const f = A[r][c];
      for (let k = c; k <= n; k++) A[r][k] -= f * A[c][k];
    }
  }
  return A.map((row) => row[n]);
}

export interface MvaPoint {
  N: number;
  /** Throughput X(N), customers per unit time. */
  X: number;
  /** Response time at the queueing station R(N) (wait + service). */
  R: number;
  /** Mean customers at the queueing station Q(N). */
  Q: number;
  /** Utilization of the queueing station U = X·D. */
  U: number;
  /** Cycle time R + Z (one request/response round trip). */
  cycle: number;
}

/**
 * Exact MVA for a closed network of one FCFS exponential queueing station (service demand D per visit) and one
 * delay station (think time Z) with N customers (Lazowska et al. ch. 6): Q(0) = 0; for n = 1..N,
 * R(n) = D (1 + Q(n−1)), X(n) = n / (R(n) + Z), Q(n) = X(n) R(n). Returns the points n = 1..N.
 */
export function mva(D: number, Z: number, N: number): MvaPoint[] {
  if (!(D > 0) || !Number.isFinite(D)) throw new RangeError(`service demand D must be > 0, got ${D}`);
  if (!(Z >= 0) || !Number.isFinite(Z)) throw new RangeError(`think time Z must be ≥ 0, got ${Z}`);
  if (!Number.isInteger(N) || N < 1) throw new RangeError(`population N must be an integer ≥ 1, got ${N}`);
  const out: MvaPoint[] = [];
  let Q = 0;
  for (let n = 1; n <= N; n++) {
    const R = D * (1 + Q);
    const X = n / (R + Z);
    Q = X * R;
    out.push({ N: n, X, R, Q, U: X * D, cycle: R + Z });
  }
  return out;
}

/**
 * The same closed network solved as its birth–death chain (the machine-repairman model M/M/1//N): p_n ∝
 * N!/(N−n)! (D/Z)^n, X = (1 − p_0)/D. An independent check of `mva` (needs Z > 0).
 */
export function machineRepairman(D: number, Z: number, N: number): { X: number; Q: number; p: number[] } {
  if (!(Z > 0)) throw new RangeError('the birth–death form needs Z > 0');
  const w: number[] = [1];
  for (let n = 1; n <= N; n++) w.push(w[n - 1] * (N - n + 1) * (D / Z));
  const sum = w.reduce((s, x) => s + x, 0);
  const p = w.map((x) => x / sum);
  let Q = 0;
  for (let n = 1; n <= N; n++) Q += n * p[n];
  return { X: (1 - p[0]) / D, Q, p };
}
