// IPI sends (DESIGN §7, §16): the guest's IPI source, deferral while the sender cannot execute, rescheduling IPIs,
// TLB-shootdown broadcasts with csd acknowledgements, and the physical IPI between pCPUs (may cross shards).

import { EV_CSD_ACK, EV_IPI_ARRIVE, EV_IPI_FLUSH, EV_IPI_SEND, EV_RESCHED_SEND, EV_SHOOTDOWN_SEND } from './events.ts';
import { GuestHandler } from './guest-handler.ts';
import { csdAckDelay } from './ipi-patterns.ts';
import { KIND_CALL_FUNC, KIND_IPI, KIND_RESCHED, PH_WORK, RUN_GUEST, type Vcpu } from './vcpu.ts';

export abstract class IpiSends extends GuestHandler {
  protected ipiInterval(i: number): number {
    return this.expGap(3 * i + 2, this.ipiMean[i]);
  }

  /** A random other vCPU of vc's VM (global index), drawn from `stream`. */
  protected otherVcpu(vc: Vcpu, stream: number): number {
    const vm = this.topo.vms[vc.vm];
    let t = this.rng.below(stream, vm.vcpus - 1);
    if (t >= vc.vmVcpu) t++;
    return vm.firstVcpu + t;
  }

  /**
   * The guest's IPI source (open loop): at each intent it picks a target (sender's IPI stream) and raises the
   * IPI. Raise times and targets are the same under every scheme: a sender that cannot execute the send now
   * (in root mode, preempted, blocked, inside a handler with IF = 0) defers it, in order, until it is back in
   * guest work (flushDeferredIpis) — it is never dropped. Intents during the guest's idle periods are not made
   * (the source is the guest's work; idle periods are open-loop, so this too is the same under every scheme).
   */
  protected onIpiSend(vc: Vcpu): void {
    this.schedule(this.now + this.ipiInterval(vc.index), vc.entity, EV_IPI_SEND, vc.index, 0, 0);
    if (vc.idle) return;
    const target = this.otherVcpu(vc, vc.streamIpi);
    this.cnt.raised++;
    this.cnt.raisedByKind[KIND_IPI]++;
    this.sendOrDefer(vc, target, this.ipiVector[vc.index]);
  }

  /** Sends now, or defers in order behind earlier deferred sends (target -1: a broadcast with wait). */
  protected sendOrDefer(vc: Vcpu, target: number, vector: number): void {
    if (this.canSendNow(vc) && vc.ipiq.length === 0) this.sendNow(vc, target, this.now, vector);
    else {
      vc.ipiq.push(target, this.now, vector);
      this.armIpiFlush(vc); // in work but stalled (segStart ahead): sent when the stall ends
    }
  }

  /**
   * The sender executes guest work right now (an ICR write / SGI register write can issue). Not while it spins in
   * csd_lock_wait: the kernel is inside flush_tlb_mm_range with preemption off, so the workload's next sends wait;
   * nor inside a NAPI softirq poll: the workload's sends come from process context, after it.
   */
  protected canSendNow(vc: Vcpu): boolean {
    return vc.run === RUN_GUEST && vc.phase === PH_WORK && this.now >= vc.segStart && !vc.csdWait && vc.softirqQ < 0;
  }

  protected sendNow(vc: Vcpu, target: number, raisedAt: number, vector: number): void {
    if (target < 0) return this.sendBroadcast(vc, raisedAt, vector);
    this.scheme.guestSendIpi(this.sim, vc, this.vcpus[target], vector, raisedAt);
  }

  /** smp_send_reschedule to a random other vCPU of the VM: open loop, as onIpiSend (own stream). */
  protected onReschedSend(vc: Vcpu): void {
    const pat = this.pat;
    const i = vc.index;
    this.schedule(
      this.now + this.expGap(pat.reschedStream[i], pat.reschedMean[i]),
      vc.entity,
      EV_RESCHED_SEND,
      i,
      0,
      0,
    );
    if (vc.idle) return;
    const target = this.otherVcpu(vc, pat.reschedStream[i]);
    this.cnt.raised++;
    this.cnt.raisedByKind[KIND_RESCHED]++;
    this.sendOrDefer(vc, target, pat.reschedVector[i]);
  }

  /** flush_tlb_mm_range on every other vCPU of the VM: n call-function IPIs raised at the intent. */
  protected onShootdownSend(vc: Vcpu): void {
    const pat = this.pat;
    const i = vc.index;
    this.schedule(this.now + this.expGap(pat.shootStream[i], pat.shootMean[i]), vc.entity, EV_SHOOTDOWN_SEND, i, 0, 0);
    if (vc.idle) return;
    const n = this.topo.vms[vc.vm].vcpus - 1;
    this.cnt.raised += n;
    this.cnt.raisedByKind[KIND_CALL_FUNC] += n;
    this.cnt.shootdowns++;
    this.sendOrDefer(vc, -1, pat.callFuncVector[i]);
  }

  /** smp_call_function_many_cond: the scheme sends the call-function IPIs, then csd_lock_wait begins. */
  protected sendBroadcast(vc: Vcpu, raisedAt: number, vector: number): void {
    const vm = this.topo.vms[vc.vm];
    const pat = this.pat;
    const n = pat.othersOf(vc, vm.firstVcpu, vm.vcpus);
    this.csdSender = vc.vmVcpu;
    this.exitTag = 1;
    this.scheme.guestSendIpiMany(this.sim, vc, pat.targets, n, vector, raisedAt, pat.bcastMode[vc.index]);
    this.exitTag = 0;
    this.csdSender = -1;
    pat.beginWait(vc, raisedAt, n);
  }

  /** The call-function handler's body ended on vc: csd_unlock of each csd it took (acks to their senders). */
  protected readonly ackSender = (sender: number): void => {
    const t = this.now + csdAckDelay(this.c);
    if (t >= this.end) return; // still missing at the end: the sender accounts it (finish)
    this.sendToVcpu(this.ackFrom, this.vcpus[sender], EV_CSD_ACK, t, 0, 0);
  };
  protected ackFrom: Vcpu | null = null;

  /** EV_CSD_ACK: one target cleared its csd; the last one ends the sender's csd_lock_wait. */
  protected onCsdAck(vc: Vcpu): void {
    if (!this.pat.acked(vc, this.now, this.cnt)) return;
    // The spin so far is accounted as spin; guest work (or the idle period that began meanwhile) resumes.
    if (vc.run === RUN_GUEST && vc.phase === PH_WORK) this.closeSegment(vc, this.now);
    vc.csdWait = false;
    if (vc.run === RUN_GUEST && vc.phase === PH_WORK) {
      if (this.kernelBusy(vc)) {
        // A softirq poll that interrupted the spin keeps its scheduled end; the server application resumes.
        if (vc.softirqQ < 0) this.scheduleGuest(vc);
        this.armIpiFlush(vc);
      } else if (vc.idle && this.now >= vc.segStart) this.haltForIdle(vc);
      else this.armIpiFlush(vc);
    }
  }

  /** EV_IPI_FLUSH: the sender is back in guest work; issue its oldest deferred IPI (the rest follow in turn). */
  protected onIpiFlush(vc: Vcpu): void {
    vc.ipiFlushArmed = false;
    if (vc.ipiq.length === 0) return;
    if (!this.canSendNow(vc)) return this.armIpiFlush(vc);
    const target = vc.ipiq.headTarget();
    const at = vc.ipiq.headTime();
    const vector = vc.ipiq.headVector();
    vc.ipiq.shift();
    this.sendNow(vc, target, at, vector);
    this.armIpiFlush(vc);
  }

  /** Schedules the next deferred send for when the guest's current step lets it run work again. */
  protected armIpiFlush(vc: Vcpu): void {
    if (vc.ipiFlushArmed || vc.ipiq.length === 0) return;
    if (vc.run !== RUN_GUEST || vc.phase !== PH_WORK) return; // re-armed when the guest returns to work
    if (vc.csdWait) return; // re-armed when csd_lock_wait ends (onCsdAck)
    if (vc.softirqQ >= 0) return; // re-armed when the softirq poll ends (softirqEnd)
    vc.ipiFlushArmed = true;
    this.schedule(Math.max(this.now, vc.segStart), vc.entity, EV_IPI_FLUSH, vc.index, 0, 0);
  }

  /**
   * Sends an IPI message that leaves at `departAt` (≥ now: the end of the sender's ICR/SGI emulation, or now for
   * a native or virtualized send) and arrives at `target` after the physical IPI latency (may cross shards).
   * `raisedAt` is the guest's intent time. `srcTag` (≥ 0) travels with it to softwareInterrupt — the GICv2 SGI
   * source CPU, which the target's state records. An IPI that would arrive after the end of the run is still
   * pending then: the sender accounts it (count and age), so the totals do not depend on sharding.
   */
  sendIpi(from: Vcpu, target: Vcpu, vector: number, raisedAt: number, srcTag = 0, departAt = this.now): void {
    const t = Math.max(departAt, this.now) + this.c.ipiLatency;
    if (t >= this.end) {
      this.cnt.notePendingAtEnd(this.end - raisedAt);
      return;
    }
    const dest = this.vcpuOwner[target.index];
    // A call-function IPI of a broadcast with wait carries its sender (whose csd the target queues).
    const a0 = vector + 256 * srcTag + (this.csdSender >= 0 ? 2097152 * (this.csdSender + 1) : 0);
    if (dest === this.self) this.schedule(t, from.entity, EV_IPI_ARRIVE, target.index, a0, raisedAt);
    else this.send!(dest, t, from.entity, this.seq[from.entity]++, EV_IPI_ARRIVE, target.index, a0, raisedAt);
  }

  /** When the hypervisor has finished handling vc's current exit (before the VM-entry half): IPIs leave then. */
  exitHandledAt(vc: Vcpu): number {
    return vc.exitHandled;
  }

  /** The call-function handler (flush_tlb_func) is done: csd_unlock of every csd it took at its start. */
  protected csdUnlock(vc: Vcpu): void {
    this.ackFrom = vc;
    this.pat.handlerEnd(vc, this.ackSender);
    this.ackFrom = null;
  }
}
