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
// Every array is a view into the vCPU's arena block, so other threads can read it (snapshots).

import type { Arena } from '../mem/vcpu-block.ts';
import { VB_ACCEPTED_AT, VB_ACCEPTED_RUNNING, VB_POSTED_AT, VB_POSTED_RUNNING, VB_WORK } from '../mem/vcpu-block.ts';

export class PendingLedger {
  /** Raise time (cycles) of the instance pending in the first stage. */
  readonly postedAt: Float64Array;
  /** 1 when that instance arrived while its target ran in guest mode. */
  readonly postedRunning: Float64Array;
  /** Raise time of the instance pending in the delivery stage. */
  readonly acceptedAt: Float64Array;
  readonly acceptedRunning: Float64Array;
  /** Handler work (cycles) carried by raised, not yet handled interrupts per vector. */
  readonly work: Float64Array;

  constructor(arena: Arena, vcpu: number) {
    this.postedAt = arena.f64View(vcpu, VB_POSTED_AT, 256);
    this.postedRunning = arena.f64View(vcpu, VB_POSTED_RUNNING, 256);
    this.acceptedAt = arena.f64View(vcpu, VB_ACCEPTED_AT, 256);
    this.acceptedRunning = arena.f64View(vcpu, VB_ACCEPTED_RUNNING, 256);
    this.work = arena.f64View(vcpu, VB_WORK, 256);
  }

  post(v: number, at: number, running: number): void {
    this.postedAt[v] = at;
    this.postedRunning[v] = running;
  }

  accept(v: number, at: number, running: number): void {
    this.acceptedAt[v] = at;
    this.acceptedRunning[v] = running;
  }

  /** The posted instance of v moves to the delivery stage (its bit there was clear). */
  promote(v: number): void {
    this.acceptedAt[v] = this.postedAt[v];
    this.acceptedRunning[v] = this.postedRunning[v];
  }
}

/**
 * IPIs the guest wanted to send while it could not execute (FIFO of target vCPU + intent time + vector). A target
 * of -1 is a broadcast to every other vCPU of the sender's VM (DESIGN §16).
 */
export class DeferredIpis {
  private targets = new Int32Array(8);
  private times = new Float64Array(8);
  private vectors = new Int32Array(8);
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
    const t = new Int32Array(2 * n);
    const a = new Float64Array(2 * n);
    const v = new Int32Array(2 * n);
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
