// Guest handler entry (DESIGN §7, §12): hardware delivery into the guest handler, the handler's prologue (EOI at
// start, TPR and APIC accesses, timer re-arm), interrupt completion and hardware stalls without an exit.

import { B } from './blocking-counters.ts';
import { GuestProgram } from './guest-program.ts';
import { KIND_DEVICE, KIND_IPI, KIND_RESCHED, KIND_TIMER, PH_HANDLER, PH_WORK, RUN_GUEST, type Vcpu } from './vcpu.ts';

export abstract class GuestHandler extends GuestProgram {
  /** Starts the guest handler for `vector` at absolute time `at` (the guest is in guest mode). */
  startHandlerAt(vc: Vcpu, at: number, vector: number, raisedAt: number, flag: number): void {
    if (vc.phase === PH_WORK) this.closeSegment(vc, Math.min(this.now, at));
    if (this.trace !== null) this.trace(at, vc.index, 'HANDLER', vector, raisedAt);
    vc.phase = PH_HANDLER;
    vc.handlerVector = vector;
    vc.handlerRaised = raisedAt;
    vc.handlerFlag = flag;
    // Handler work (DESIGN §18): a per-interrupt source (a pure signal) runs one sampled handler per delivered
    // interrupt — one that coalesced is lost, work and all; a queued source's handler processes the work of every
    // event raised since the last one, coalesced ones included.
    if (vc.perInterrupt[vector] !== 0) vc.handlerLeft = vc.handlerCost[vector](this.rng, this.streamWork0 + vc.index);
    else vc.handlerLeft = vc.ledger.takeWork(vector);
    if (this.nic.any) this.napiHandlerStart(vc, vector);
    const kind = vc.kinds[vector];
    const cnt = this.cnt;
    cnt.delivery.record(at - raisedAt);
    if (kind === KIND_IPI || kind >= KIND_RESCHED) this.patternHandlerStart(vc, kind, at - raisedAt);
    cnt.delivered++;
    cnt.deliveredByKind[kind]++;
    if (flag !== 0 && kind === KIND_DEVICE) cnt.deviceDeliveredRunning++;
    vc.segStart = at;
    vc.eoiDone = false;
    this.handlerPrologue(vc, kind);
    if (vc.run === RUN_GUEST) this.scheduleGuest(vc);
  }

  /** A NAPI queue's hard-IRQ handler schedules its poll (napi_schedule_irqoff); the poll runs after the IRET. */
  private napiHandlerStart(vc: Vcpu, vector: number): void {
    const nq = this.nic.napiOf[vc.index * 256 + vector];
    if (nq >= 0) this.nic.schedule(vc.index, nq);
  }

  /** Per-pattern delivery latency; a call-function handler takes the csds queued so far (DESIGN §16). */
  protected patternHandlerStart(vc: Vcpu, kind: number, latency: number): void {
    const cnt = this.cnt;
    if (kind === KIND_IPI) cnt.deliveryIpi.record(latency);
    else if (kind === KIND_RESCHED) cnt.deliveryResched.record(latency);
    else {
      cnt.deliveryCallFunc.record(latency);
      this.pat.handlerStart(vc);
    }
  }

  /**
   * What the guest handler does before its body, in order (GuestModel): the EOI when the guest acks at the
   * start (x86 Linux), CR8/TPR accesses, APIC register reads, and — in the timer handler — reprogramming the
   * LAPIC timer. The scheme prices each access; an access that exits makes the rest follow back to back.
   */
  protected handlerPrologue(vc: Vcpu, kind: number): void {
    const g = this.guest;
    const i = vc.index;
    const sc = this.scheme;
    if (g.eoiAtStart[i] !== 0) {
      sc.guestEoi(this.sim, vc);
      vc.eoiDone = true;
    }
    if (sc.guestTprAccess) for (let k = g.tprAccesses[i]; k > 0; k--) sc.guestTprAccess(this.sim, vc);
    if (sc.guestApicRead) for (let k = g.apicReads[i]; k > 0; k--) sc.guestApicRead(this.sim, vc);
    if (kind === KIND_TIMER && sc.guestTimerArm)
      for (let k = g.timerArmsPerTimerIrq[i]; k > 0; k--) sc.guestTimerArm(this.sim, vc);
  }

  /** Hardware delivery into the guest handler now, after `deliveryCycles` of microcode (no exit). */
  deliverNow(vc: Vcpu, vector: number, raisedAt: number, flag: number, deliveryCycles: number): void {
    this.cnt.cycHw += deliveryCycles;
    if (vc.guestPoll && vc.phase === PH_WORK) this.cnt.blk[B['guestPoll.interruptsWhilePolling']]++;
    const base = Math.max(vc.segStart, this.now);
    if (vc.phase === PH_WORK) this.closeSegment(vc, this.now);
    this.startHandlerAt(vc, base + deliveryCycles, vector, raisedAt, flag);
  }

  /** Records the completion of the current handler's interrupt (EOI/deactivation took effect at `at`). */
  completeEoi(vc: Vcpu, at: number): void {
    if (this.trace !== null) this.trace(at, vc.index, 'EOI', vc.handlerVector);
    this.cnt.completion.record(at - vc.handlerRaised);
    this.cnt.completed++;
  }

  /** Hardware work in non-root that stalls the guest without an exit (posted-interrupt processing, EOI virt.). */
  stall(vc: Vcpu, cycles: number): void {
    this.cnt.cycHw += cycles;
    if (vc.run !== RUN_GUEST) return;
    if (this.now > vc.segStart) this.closeSegment(vc, this.now);
    vc.segStart = Math.max(vc.segStart, this.now) + cycles;
    this.scheduleGuest(vc);
  }
}
