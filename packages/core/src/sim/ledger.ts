// The pending-interrupt ledger of one vCPU: what the engine and the schemes know about each raised interrupt that
// has not reached its handler yet — when it was raised, whether it arrived while its target ran in guest mode,
// and the handler work it brings. One named record instead of anonymous per-scheme slots.
//
// Two stages per vector, because real hardware can hold a vector pending twice at once: in the structure an
// interrupt lands in first (the PIR of a posted-interrupt descriptor; ELI's physical IRR) and in the state it is
// delivered from (the vIRR / IRR of a LAPIC, the pending state of a GIC INTID).
//
// Invariants (checked by the schemes' pending enumerations and the conservation property tests):
//   - postedAt[v] is meaningful iff the scheme's first-stage bit for v is set (PIR[v], ELI pIRR[v]);
//     acceptedAt[v] iff its delivery-stage bit is set (vIRR[v], IRR[v], INTID pending). Each stage holds at most
//     one instance of a vector: a raise that finds the bit set is coalesced and keeps the older time.
//   - promote(v) moves the posted instance into the delivery stage (PIR → vIRR, pIRR → vIRR) with its time and
//     flag; it is only called when the delivery-stage bit was clear.
//   - work[v] is the handler work of every raised instance of v not yet handled, coalesced ones included (the
//     handler that runs processes all of it: DESIGN §7).
// Storage (DESIGN §19.3): five numbers per vector the vCPU's VM uses (its `kinds` table names them), not per
// possible vector — a VM uses a handful of the 256 — laid out as one block per vCPU in the arena, so other threads
// can still read it. `ix` maps a vector to its slot (shared by the vCPUs of a VM). A vector the VM's tables do not
// name (no run of a scenario raises one; tests that inject arbitrary vectors do) goes to a private full-width
// ledger made on first use, so the ledger accepts any vector as it always did.

import type { Arena } from '../mem/vcpu-block.ts';
import { KIND_NONE } from '../model/vocabulary.ts';

/** Vector → ledger slot of a VM whose vectors are labelled in `kinds` (−1: unused); and the number of slots. */
export function ledgerSlots(kinds: Uint8Array): { ix: Int16Array; slots: number } {
  const ix = new Int16Array(256).fill(-1);
  let slots = 0;
  for (let v = 0; v < 256; v++) if (kinds[v] !== KIND_NONE) ix[v] = slots++;
  return { ix, slots };
}

/** The widest VM's slot count: the ledger part of every vCPU's arena block (one stride for all blocks). */
export function ledgerStride(vms: readonly { kinds: Uint8Array }[]): number {
  let most = 1;
  for (const vm of vms) {
    let n = 0;
    for (let v = 0; v < 256; v++) if (vm.kinds[v] !== KIND_NONE) n++;
    if (n > most) most = n;
  }
  return most;
}

/** The full-width ledger of vectors without a slot: five 256-entry arrays. */
class WideLedger {
  readonly postedAt = new Float64Array(256);
  readonly postedRunning = new Float64Array(256);
  readonly acceptedAt = new Float64Array(256);
  readonly acceptedRunning = new Float64Array(256);
  readonly work = new Float64Array(256);
}

export class PendingLedger {
  /**
   * The arena's Float64 area and where this vCPU's five slot arrays start in it: raise time of the instance
   * pending in the first stage (postedAt), 1 when it arrived while its target ran in guest mode (postedRunning),
   * the same two for the delivery stage (acceptedAt, acceptedRunning), and the handler work (cycles) carried by
   * raised, not yet handled interrupts (work). Offsets into one array rather than five views: a typed-array view is
   * ~100 bytes of heap, and 10^5–10^6 vCPUs carry one ledger each (DESIGN §19.10).
   */
  private readonly f64: Float64Array;
  private readonly postedAtB: number;
  private readonly postedRunningB: number;
  private readonly acceptedAtB: number;
  private readonly acceptedRunningB: number;
  private readonly workB: number;

  constructor(
    arena: Arena,
    vcpu: number,
    /** Vector → slot (ledgerSlots of the vCPU's VM). */
    private readonly ix: Int16Array,
  ) {
    const n = arena.ledgerSlots;
    const b = arena.ledgerBase(vcpu);
    this.f64 = arena.f64;
    this.postedAtB = b;
    this.postedRunningB = b + n;
    this.acceptedAtB = b + 2 * n;
    this.acceptedRunningB = b + 3 * n;
    this.workB = b + 4 * n;
  }

  private wideLedger: WideLedger | null = null;

  private get wide(): WideLedger {
    if (this.wideLedger === null) this.wideLedger = new WideLedger();
    return this.wideLedger;
  }

  postedAt(v: number): number {
    const k = this.ix[v];
    return k >= 0 ? this.f64[this.postedAtB + k] : this.wide.postedAt[v];
  }

  postedRunning(v: number): number {
    const k = this.ix[v];
    return k >= 0 ? this.f64[this.postedRunningB + k] : this.wide.postedRunning[v];
  }

  acceptedAt(v: number): number {
    const k = this.ix[v];
    return k >= 0 ? this.f64[this.acceptedAtB + k] : this.wide.acceptedAt[v];
  }

  acceptedRunning(v: number): number {
    const k = this.ix[v];
    return k >= 0 ? this.f64[this.acceptedRunningB + k] : this.wide.acceptedRunning[v];
  }

  post(v: number, at: number, running: number): void {
    const k = this.ix[v];
    if (k >= 0) {
      this.f64[this.postedAtB + k] = at;
      this.f64[this.postedRunningB + k] = running;
    } else {
      this.wide.postedAt[v] = at;
      this.wide.postedRunning[v] = running;
    }
  }

  accept(v: number, at: number, running: number): void {
    const k = this.ix[v];
    if (k >= 0) {
      this.f64[this.acceptedAtB + k] = at;
      this.f64[this.acceptedRunningB + k] = running;
    } else {
      this.wide.acceptedAt[v] = at;
      this.wide.acceptedRunning[v] = running;
    }
  }

  /** The posted instance of v moves to the delivery stage (its bit there was clear). */
  promote(v: number): void {
    this.accept(v, this.postedAt(v), this.postedRunning(v));
  }

  /** Handler work an interrupt of v brings (sampled when it reaches its target). */
  addWork(v: number, cycles: number): void {
    const k = this.ix[v];
    if (k >= 0) this.f64[this.workB + k] += cycles;
    else this.wide.work[v] += cycles;
  }

  /** The queued work of v, which the handler now starting processes (the ledger keeps none). */
  takeWork(v: number): number {
    const k = this.ix[v];
    const a = k >= 0 ? this.f64 : this.wide.work;
    const i = k >= 0 ? this.workB + k : v;
    const w = a[i];
    a[i] = 0;
    return w;
  }
}

const NO_TARGETS = new Int32Array(0);
const NO_TIMES = new Float64Array(0);

/**
 * IPIs the guest wanted to send while it could not execute (FIFO of target vCPU + intent time + vector). A target
 * of -1 is a broadcast to every other vCPU of the sender's VM (DESIGN §16).
 */
export class DeferredIpis {
  // Empty until the first deferral (most vCPUs of a large fleet never defer one): three small typed arrays per vCPU
  // are ~600 bytes of heap each, at 10^5–10^6 vCPUs.
  private targets = NO_TARGETS;
  private times = NO_TIMES;
  private vectors = NO_TARGETS;
  private head = 0;
  length = 0;

  push(target: number, at: number, vector = 0): void {
    if (this.length === this.targets.length) this.grow();
    const i = (this.head + this.length) % this.targets.length;
    this.targets[i] = target;
    this.times[i] = at;
    this.vectors[i] = vector;
    this.length++;
  }

  headTarget(): number {
    return this.targets[this.head];
  }

  headTime(): number {
    return this.times[this.head];
  }

  headVector(): number {
    return this.vectors[this.head];
  }

  shift(): void {
    this.head = (this.head + 1) % this.targets.length;
    this.length--;
  }

  /** Visits the intent time and target of every deferred IPI (end-of-run accounting). */
  forEach(visit: (at: number, target: number) => void): void {
    const n = this.targets.length;
    for (let k = 0; k < this.length; k++) visit(this.times[(this.head + k) % n], this.targets[(this.head + k) % n]);
  }

  private grow(): void {
    const n = this.targets.length;
    const m = n === 0 ? 8 : 2 * n;
    const t = new Int32Array(m);
    const a = new Float64Array(m);
    const v = new Int32Array(m);
    for (let k = 0; k < this.length; k++) {
      const j = (this.head + k) % n;
      t[k] = this.targets[j];
      a[k] = this.times[j];
      v[k] = this.vectors[j];
    }
    this.targets = t;
    this.times = a;
    this.vectors = v;
    this.head = 0;
  }
}
