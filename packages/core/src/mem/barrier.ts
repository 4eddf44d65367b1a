// Reusable N-party barrier over a SharedArrayBuffer, carrying a float64 min-reduction (each shard's next-event
// time → the global next window) and a sum-reduction (e.g. records still spilled), with an abort flag so a shard
// that throws releases everyone instead of leaving them blocked forever (DESIGN §4 windowed synchronization).
//
// Why spin-then-wait (docs/machine-limits.md §2.7): a pure spin barrier is fastest with ≤ cores threads but collapses
// to one scheduler quantum per crossing (~249 crossings/s) when threads outnumber the 2 cores; pure Atomics.wait
// costs 25–33 µs per crossing. Spinning a bounded number of polls and then sleeping on the generation word keeps
// the fast case (6–8 M crossings/s measured) and survives oversubscription.
// When the caller says there are more parties than cores (`cores` option), the spin budget also adapts per party:
// it halves each time spinning ended in a sleep anyway and doubles (up to `spin`) each time spinning paid off. There
// the spins steal the CPU the last arriver needs: a fixed 20 000-poll spin measured 2.2 k crossings/s for 4 threads
// on 2 cores against 28 k/s for a pure wait, and 19–23 k/s adaptively. It stays off when every party has a core:
// a budget that has shrunk below a futex wake-up (10–50 µs) never succeeds again, because each party then finds
// the other asleep, and 2 threads measured 56 k instead of 1.5 M crossings/s in that state.
//
// Protocol (generation counter, no sense reversal needed):
//   - a party in generation g writes its contributions into its own slot for parity g & 1, then Atomics.add(COUNT);
//   - the party that brings COUNT to N reduces all slots into the result for parity g & 1, resets COUNT, bumps GEN
//     and notifies if anyone sleeps; the others spin on GEN, then Atomics.wait on it;
//   - SLEEPERS skips the 28 ns notify in the common all-spinning case: a waiter increments it BEFORE its last GEN
//     check, the last arriver reads it AFTER bumping GEN. With seq-cst atomics either the waiter sees the new GEN
//     and does not sleep, or the last arriver sees the waiter and notifies;
//   - slots and results are double-buffered by parity: generation g + 2 cannot start overwriting parity g & 1 until
//     every party has arrived at g + 1, i.e. until every party has finished reading generation g's result.
// Abort: ABORT gets the first non-zero code (compareExchange), then GEN is bumped and notified, so a party that
// checked ABORT just before sleeping still wakes (it sleeps on GEN, whose value changed). From then on every
// arrive() returns false at once. A generation that completes concurrently with an abort may report success to
// some parties; everyone sees the abort at the next arrive().
//
// Layout (bytes): [0,128) meta: magic, parties | [128,256) COUNT | [256,384) GEN, SLEEPERS | [384,512) ABORT |
// [512,640) results f64 [parity 0: min, sum, parity 1: min, sum] | [640, 640 + 64·N) one 64-byte line per party:
// f64 [parity 0: min, sum, parity 1: min, sum]. Party slots get whole lines because they are written concurrently.

const MAGIC = 0x42415252; // 'BARR'
const META_MAGIC = 0;
const META_PARTIES = 1;
const COUNT = 32;
const GEN = 64;
const SLEEPERS = 65; // next to GEN: both are touched by the same threads at the same moments
const ABORT = 96;
const RESULTS_F64 = 64; // byte 512
const SLOTS_F64 = 80; // byte 640
const SLOT_STRIDE_F64 = 8; // 64 bytes per party
const HEADER_BYTES = 640;

export const DEFAULT_SPIN = 20_000;
// Lowest adaptive budget: ~1 µs of polling, enough to catch a partner that is running on the other core (a
// crossing there takes 0.1–0.4 µs), so a budget that collapsed during a slow phase can grow back.
const SPIN_FLOOR = 128;

export interface BarrierOptions {
  /** Maximum polls of the generation word before sleeping (default 20 000, ≈ 150 µs). 0 = wait at once. */
  spin?: number;
  /** Hardware threads available (e.g. os.availableParallelism()); more parties than this enables adaptive spin. */
  cores?: number;
}

export class Barrier {
  readonly parties: number;
  readonly id: number;
  readonly buffer: SharedArrayBuffer;
  /** Global minimum of the `localMin` values of the last completed generation. */
  min = Number.POSITIVE_INFINITY;
  /** Global sum of the `localSum` values of the last completed generation. */
  sum = 0;
  private readonly ctl: Int32Array;
  private readonly f64: Float64Array;
  private readonly spinMax: number;
  private readonly spinFloor: number;
  private spinBudget: number;
  private gen: number;

  static bytesFor(parties: number): number {
    if (!Number.isInteger(parties) || parties < 1) throw new RangeError(`barrier parties ${parties} must be ≥ 1`);
    return HEADER_BYTES + parties * SLOT_STRIDE_F64 * 8;
  }

  /** Allocates and formats a barrier for `parties` threads; hand `.buffer` to the others (they `attach`). */
  static create(parties: number, id = 0, opts: BarrierOptions = {}): Barrier {
    const sab = new SharedArrayBuffer(Barrier.bytesFor(parties));
    const ctl = new Int32Array(sab, 0, HEADER_BYTES / 4);
    ctl[META_PARTIES] = parties;
    Atomics.store(ctl, META_MAGIC, MAGIC);
    return new Barrier(sab, id, opts);
  }

  /** Joins an existing barrier as party `id` (0 … parties-1; each id used by exactly one thread). */
  static attach(buffer: SharedArrayBuffer, id: number, opts: BarrierOptions = {}): Barrier {
    return new Barrier(buffer, id, opts);
  }

  /**
   * Aborts the barrier from any thread, party or not (e.g. the main thread on a worker's 'error' event).
   * `code` must be a non-zero int32; the first abort's code wins. Returns the code in effect.
   */
  static abortBuffer(buffer: SharedArrayBuffer, code: number): number {
    if (!Number.isInteger(code) || code === 0 || (code | 0) !== code) {
      throw new RangeError(`abort code ${code} must be a non-zero int32`);
    }
    const ctl = new Int32Array(buffer, 0, HEADER_BYTES / 4);
    checkMagic(ctl);
    const prev = Atomics.compareExchange(ctl, ABORT, 0, code);
    Atomics.add(ctl, GEN, 1);
    Atomics.notify(ctl, GEN);
    return prev === 0 ? code : prev;
  }

  /** The abort code, or 0 when the barrier has not been aborted. */
  static abortCodeOf(buffer: SharedArrayBuffer): number {
    return Atomics.load(new Int32Array(buffer, 0, HEADER_BYTES / 4), ABORT);
  }

  private constructor(buffer: SharedArrayBuffer, id: number, opts: BarrierOptions) {
    const ctl = new Int32Array(buffer, 0, HEADER_BYTES / 4);
    checkMagic(ctl);
    this.parties = ctl[META_PARTIES];
    if (!Number.isInteger(id) || id < 0 || id >= this.parties) {
      throw new RangeError(`barrier party id ${id} outside [0, ${this.parties})`);
    }
    this.buffer = buffer;
    this.id = id;
    this.ctl = ctl;
    this.f64 = new Float64Array(buffer, 0, SLOTS_F64 + this.parties * SLOT_STRIDE_F64);
    this.spinMax = opts.spin ?? DEFAULT_SPIN;
    const adaptive = opts.cores !== undefined && this.parties > opts.cores;
    this.spinFloor = adaptive ? Math.min(this.spinMax, SPIN_FLOOR) : this.spinMax;
    this.spinBudget = this.spinMax;
    // No generation can complete without this party, so GEN is stable while it is outside arrive().
    this.gen = Atomics.load(ctl, GEN);
  }

  /**
   * Waits until all parties have arrived. Returns true with `this.min` / `this.sum` set to the global reductions,
   * or false if the barrier was aborted (before or while waiting). Allocation-free.
   */
  arrive(localMin = Number.POSITIVE_INFINITY, localSum = 0): boolean {
    const ctl = this.ctl;
    // No abort check on entry: an abort bumps GEN, so after one a waiter's `g` is stale and waitPast returns at
    // once, and the check below reports it; a last arriver completes a useless generation and reports it too.
    const g = this.gen;
    const p = (g & 1) * 2;
    const f = this.f64;
    const mine = SLOTS_F64 + this.id * SLOT_STRIDE_F64 + p;
    f[mine] = localMin;
    f[mine + 1] = localSum;
    if (Atomics.add(ctl, COUNT, 1) === this.parties - 1) {
      let min = Number.POSITIVE_INFINITY;
      let sum = 0;
      for (let i = 0, o = SLOTS_F64 + p; i < this.parties; i++, o += SLOT_STRIDE_F64) {
        if (f[o] < min) min = f[o];
        sum += f[o + 1];
      }
      f[RESULTS_F64 + p] = min;
      f[RESULTS_F64 + p + 1] = sum;
      Atomics.store(ctl, COUNT, 0);
      Atomics.add(ctl, GEN, 1); // publishes the results and the COUNT reset
      if (Atomics.load(ctl, SLEEPERS) !== 0) Atomics.notify(ctl, GEN);
    } else if (!this.waitPast(g)) {
      return false;
    }
    if (Atomics.load(ctl, ABORT) !== 0) return false;
    this.gen = (g + 1) | 0;
    this.min = f[RESULTS_F64 + p];
    this.sum = f[RESULTS_F64 + p + 1];
    return true;
  }

  /**
   * The generation this party's next `arrive()` joins (an int32 that wraps). Every party passes through the same
   * generations, so between barriers it is the same on all of them; exchange.ts keys its ring fences on its parity.
   */
  get generation(): number {
    return this.gen;
  }

  /** Aborts the barrier (see `Barrier.abortBuffer`). */
  abort(code: number): number {
    return Barrier.abortBuffer(this.buffer, code);
  }

  get aborted(): boolean {
    return Atomics.load(this.ctl, ABORT) !== 0;
  }

  /** The abort code, or 0. */
  get abortCode(): number {
    return Atomics.load(this.ctl, ABORT);
  }

  // Spin on GEN, then sleep on it. Returns false if woken by an abort.
  private waitPast(g: number): boolean {
    const ctl = this.ctl;
    const budget = this.spinBudget;
    for (let k = budget; k > 0; k--) {
      if (Atomics.load(ctl, GEN) !== g) {
        if (budget < this.spinMax) this.spinBudget = Math.min(this.spinMax, budget * 2);
        return true;
      }
    }
    this.spinBudget = Math.max(this.spinFloor, budget >> 1);
    // Atomics.wait returns at once ('not-equal') if GEN already moved, so a notify cannot be missed.
    Atomics.add(ctl, SLEEPERS, 1);
    while (Atomics.load(ctl, GEN) === g) Atomics.wait(ctl, GEN, g);
    Atomics.sub(ctl, SLEEPERS, 1);
    return Atomics.load(ctl, ABORT) === 0;
  }
}

function checkMagic(ctl: Int32Array): void {
  if (Atomics.load(ctl, META_MAGIC) !== MAGIC) throw new Error('buffer holds no Barrier');
}
