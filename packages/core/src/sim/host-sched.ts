// The host scheduler of each pCPU (DESIGN §15): which runnable vCPU thread runs next, when the running one is
// preempted, and whether a woken one preempts it. Two policies (host.scheduler):
//   - 'cfs' (default): Linux CFS as of v6.5, the last kernel before EEVDF (kernel/sched/fair.c): per-pCPU vruntime
//     ordering (equal weights, so vruntime advances with the time a thread occupies its pCPU); the next thread is
//     the one with the smallest vruntime (pick_next_entity); a waking thread is placed at
//     max(its vruntime, min_vruntime − sched_latency/2) (place_entity with GENTLE_FAIR_SLEEPERS) and preempts the
//     running one when that one's vruntime is ahead by more than the wake-up granularity (check_preempt_wakeup /
//     wakeup_preempt_entity); at each scheduler tick the running thread is preempted once it has run its ideal
//     slice sched_period(nr)/nr, or once it has run min_granularity and is ahead of the leftmost by more than that
//     slice (check_preempt_tick). Tunables: sched_latency 6 ms, min_granularity 0.75 ms, wakeup_granularity 1 ms,
//     sched_nr_latency 8, each × (1 + ilog2(min(ncpus, 8))) (SCHED_TUNABLESCALING_LOG, get_update_sysctl_factor).
//   - 'round-robin': the engine's earlier behaviour: a FIFO run queue, a fixed host.schedSlice, no wake-up
//     preemption.
// Allocation-free: typed arrays, one slot per vCPU pinned to the pCPU; a pick scans the pCPU's queued vCPUs (a
// pCPU runs few vCPUs; the scan is bounded by the most vCPUs pinned to one pCPU).

export const SCHED_CFS = 0;
export const SCHED_RR = 1;

/** CFS tunables in ns for a host with `ncpus` CPUs (kernel/sched/fair.c v6.5 defaults, log scaling). */
export function cfsTunablesNs(ncpus: number): {
  factor: number;
  latency: number;
  minGranularity: number;
  wakeupGranularity: number;
  nrLatency: number;
} {
  const factor = 1 + Math.floor(Math.log2(Math.min(Math.max(ncpus, 1), 8)));
  return {
    factor,
    latency: 6_000_000 * factor,
    minGranularity: 750_000 * factor,
    wakeupGranularity: 1_000_000 * factor,
    nrLatency: 8,
  };
}

/** CFS sched_slice of one of `nr` equal-weight runnable threads (__sched_period(nr) / nr), ns. */
export function cfsSliceNs(ncpus: number, nr: number): number {
  const t = cfsTunablesNs(ncpus);
  const period = nr > t.nrLatency ? nr * t.minGranularity : t.latency;
  return period / Math.max(nr, 1);
}

export class HostSched {
  readonly policy: number;
  /** Queued (runnable, not running) vCPUs of pCPU p: slots [p·cap, p·cap + len[p]) (FIFO ring for round-robin). */
  private readonly q: Int32Array;
  private readonly head: Int32Array;
  private readonly len: Int32Array;
  private readonly cap: number;
  /** The vCPU occupying pCPU p (running, in root mode, or halt-polling), −1 when idle. */
  readonly curr: Int32Array;
  /** CFS per-vCPU state (cycles): vruntime, when it last started accounting, when it was last picked. */
  private readonly vruntime: Float64Array;
  private readonly execStart: Float64Array;
  private readonly pickedAt: Float64Array;
  private readonly minVruntime: Float64Array;
  private readonly latency: number;
  private readonly minGran: number;
  private readonly wakeupGran: number;
  private readonly nrLatency: number;

  constructor(policy: 'cfs' | 'round-robin', P: number, V: number, cap: number, hostCpus: number, freqGHz: number) {
    this.policy = policy === 'cfs' ? SCHED_CFS : SCHED_RR;
    this.cap = Math.max(cap, 1);
    this.q = new Int32Array(P * this.cap);
    this.head = new Int32Array(P);
    this.len = new Int32Array(P);
    this.curr = new Int32Array(P).fill(-1);
    this.vruntime = new Float64Array(V);
    this.execStart = new Float64Array(V);
    this.pickedAt = new Float64Array(V);
    this.minVruntime = new Float64Array(P);
    const t = cfsTunablesNs(hostCpus);
    this.latency = Math.round(t.latency * freqGHz);
    this.minGran = Math.round(t.minGranularity * freqGHz);
    this.wakeupGran = Math.round(t.wakeupGranularity * freqGHz);
    this.nrLatency = t.nrLatency;
  }

  /** Runnable vCPUs waiting for pCPU p (the running one excluded). */
  queued(p: number): number {
    return this.len[p];
  }

  enqueue(p: number, i: number): void {
    const cap = this.cap;
    this.q[p * cap + ((this.head[p] + this.len[p]) % cap)] = i;
    this.len[p]++;
  }

  /** Removes and returns the next vCPU to run on p (−1 if none): smallest vruntime (CFS) or FIFO (round-robin). */
  pick(p: number): number {
    const n = this.len[p];
    if (n === 0) return -1;
    const cap = this.cap;
    const base = p * cap;
    if (this.policy === SCHED_RR) {
      const i = this.q[base + this.head[p]];
      this.head[p] = (this.head[p] + 1) % cap;
      this.len[p]--;
      return i;
    }
    // CFS: leftmost of the (unordered, contiguous from head 0) slots; ties go to the lower vCPU index.
    let best = 0;
    for (let k = 1; k < n; k++) {
      const a = this.q[base + k];
      const b = this.q[base + best];
      if (this.vruntime[a] < this.vruntime[b] || (this.vruntime[a] === this.vruntime[b] && a < b)) best = k;
    }
    const i = this.q[base + best];
    this.q[base + best] = this.q[base + n - 1];
    this.len[p] = n - 1;
    return i;
  }

  /** vCPU i starts occupying pCPU p at `now` (it was picked). */
  run(p: number, i: number, now: number): void {
    this.curr[p] = i;
    this.execStart[i] = now;
    this.pickedAt[i] = now;
  }

  /** The occupant of p leaves it at `now` (blocks or is preempted): its vruntime is brought up to date. */
  stop(p: number, now: number): void {
    this.updateCurr(p, now);
    this.curr[p] = -1;
  }

  /** update_curr + update_min_vruntime. */
  private updateCurr(p: number, now: number): void {
    const c = this.curr[p];
    if (c >= 0) {
      const d = now - this.execStart[c];
      if (d > 0) this.vruntime[c] += d;
      this.execStart[c] = now;
    }
    if (this.policy !== SCHED_CFS) return;
    let m = c >= 0 ? this.vruntime[c] : Number.POSITIVE_INFINITY;
    const base = p * this.cap;
    for (let k = 0; k < this.len[p]; k++) m = Math.min(m, this.vruntime[this.q[base + k]]);
    if (m !== Number.POSITIVE_INFINITY && m > this.minVruntime[p]) this.minVruntime[p] = m;
  }

  /** place_entity for a thread waking on p (CFS): never more than sched_latency/2 behind min_vruntime. */
  placeWaking(p: number, i: number, now: number): void {
    if (this.policy !== SCHED_CFS) return;
    this.updateCurr(p, now);
    const floor = this.minVruntime[p] - this.latency / 2;
    if (this.vruntime[i] < floor) this.vruntime[i] = floor;
  }

  /** check_preempt_wakeup: the woken vCPU i preempts p's running thread (CFS only). */
  wakeupPreempts(p: number, i: number, now: number): boolean {
    if (this.policy !== SCHED_CFS) return false;
    const c = this.curr[p];
    if (c < 0) return false;
    this.updateCurr(p, now);
    return this.vruntime[c] - this.vruntime[i] > this.wakeupGran;
  }

  /**
   * The scheduler tick on p: whether its running thread must give way. CFS: check_preempt_tick; round-robin: any
   * queued vCPU (the slice event is the tick).
   */
  tickPreempts(p: number, now: number): boolean {
    const c = this.curr[p];
    const n = this.len[p];
    if (c < 0 || n === 0) return false;
    if (this.policy !== SCHED_CFS) return true;
    this.updateCurr(p, now);
    const nr = n + 1;
    const period = nr > this.nrLatency ? nr * this.minGran : this.latency;
    const ideal = period / nr;
    const ran = now - this.pickedAt[c];
    if (ran > ideal) return true;
    if (ran < this.minGran) return false;
    let left = Number.POSITIVE_INFINITY;
    const base = p * this.cap;
    for (let k = 0; k < n; k++) left = Math.min(left, this.vruntime[this.q[base + k]]);
    return this.vruntime[c] - left > ideal;
  }
}
