// Host scheduling (DESIGN §15): halt after an HLT/WFI exit, KVM halt-polling, blocking, wake-ups, kicks, and
// pCPU time-slicing with preemption (the policy itself is host-sched.ts).

import { CAUSE_SCHED } from '../model/vocabulary.ts';
import { B } from './blocking-counters.ts';
import { EV_HALT_POLL_END, EV_SLICE, RESCHED_TICK, RESCHED_WAKEUP } from './events.ts';
import { RootMode } from './root-mode.ts';
import { PH_HALT, PH_WORK, RUN_BLOCKED, RUN_DESCHED, RUN_GUEST, RUN_ROOT, type Vcpu } from './vcpu.ts';

export abstract class HostScheduling extends RootMode {
  /** The target pCPU runs only this vCPU (no other runnable vCPU queued): KVM's single_task_running(). */
  pcpuAlone(p: number): boolean {
    return this.sched.queued(p) === 0;
  }

  /**
   * kvm_vcpu_halt after an HLT/WFI exit found nothing pending: halt-poll if KVM may (sim/halt-poll.ts), else block.
   * A polling vCPU stays loaded (no vcpu_put) and keeps its pCPU busy; it shows as RUN_BLOCKED with no current
   * vCPU on the pCPU, so the schemes' wake paths (wake, kick, doorbell, wake-up vector) reach it as they reach a
   * blocked one, and an interrupt for it is handled as on an idle pCPU before it resumes.
   */
  protected halt(vc: Vcpu): void {
    const p = vc.pcpu;
    const poll = this.hp.begin(vc.index, this.now, this.sched.queued(p) === 0);
    if (poll <= 0) return this.block(vc);
    if (this.trace !== null) this.trace(this.now, vc.index, 'HALT_POLL', poll);
    vc.run = RUN_BLOCKED;
    this.cancelActivity(vc);
    this.pcpuCur[p] = -1;
    this.pollVcpu[p] = vc.index;
    this.schedule(this.now + poll, vc.entity, EV_HALT_POLL_END, vc.index, vc.actGen, 0);
  }

  /** Bare metal: HLT with nothing pending halts the physical CPU (no activity until an interrupt wakes it). */
  haltPcpu(vc: Vcpu): void {
    vc.phase = PH_HALT;
    vc.run = RUN_BLOCKED;
    this.cancelActivity(vc);
  }

  /**
   * Bare metal: an interrupt reaches a halted physical CPU, which leaves HLT (C1): the CPU runs again once its
   * wake-up latency (haltWake, hardware cycles) has passed.
   */
  leaveHaltOnPcpu(vc: Vcpu): void {
    vc.run = RUN_GUEST;
    vc.phase = PH_WORK;
    vc.segStart = this.now + this.c.haltWake;
    this.cnt.cycHw += this.c.haltWake;
  }

  /** A wake event while vc halt-polls: kvm_vcpu_halt returns without schedule-out/in (no vcpuWakeup, no load). */
  protected pollSuccess(vc: Vcpu, extra: number): void {
    const p = vc.pcpu;
    const i = vc.index;
    if (this.trace !== null) this.trace(this.now, i, 'POLL_WAKE', 0);
    this.pollVcpu[p] = -1;
    this.hp.pollDone(i, this.now, true);
    this.hp.end(i, this.now);
    this.pcpuCur[p] = i;
    vc.run = RUN_ROOT;
    vc.rootReason = this.rHalt;
    // The host handles what woke it (`extra`, as on an idle pCPU), the poll loop sees it at its next iteration.
    const total = this.c.haltPollCheck + extra;
    this.cnt.exitCycles[this.rHalt] += total;
    vc.rootEnd = this.now + total;
    this.activityAt(vc, vc.rootEnd);
  }

  /** The poll ends without a wake event (time-out, or another thread became runnable): kvm_vcpu_block. */
  protected pollStop(vc: Vcpu): void {
    const p = vc.pcpu;
    this.pollVcpu[p] = -1;
    this.hp.pollDone(vc.index, this.now, false);
    this.pcpuCur[p] = vc.index;
    this.block(vc);
  }

  protected block(vc: Vcpu): void {
    if (this.trace !== null) this.trace(this.now, vc.index, 'BLOCK', 0);
    vc.run = RUN_BLOCKED;
    this.cancelActivity(vc);
    this.sched.stop(vc.pcpu, this.now);
    this.cnt.blk[B['sched.blocks']]++;
    this.vcpuPut(vc, true);
    this.pickNext(vc.pcpu);
  }

  protected pickNext(p: number): void {
    const i = this.sched.pick(p);
    if (i < 0) {
      this.pcpuCur[p] = -1;
      return;
    }
    this.dispatch_(this.vcpus[i], this.c.contextSwitch, this.rExt);
  }

  /** Puts vc on its pCPU: host scheduling cost + vcpu_load, then VM entry at the end of the root activity. */
  protected dispatch_(vc: Vcpu, cost: number, reason: number): void {
    const p = vc.pcpu;
    this.pcpuCur[p] = vc.index;
    this.sched.run(p, vc.index, this.now);
    this.cnt.blk[B['sched.switchesIn']]++;
    this.hp.end(vc.index, this.now); // a halted vCPU's kvm_vcpu_halt returns once its thread runs again
    vc.run = RUN_ROOT;
    vc.rootReason = reason;
    const total = cost + this.vcpuLoad(vc);
    this.cnt.exitCycles[reason] += total;
    vc.rootEnd = this.now + total;
    this.activityAt(vc, vc.rootEnd);
  }

  /** vcpu_load: the scheme's schedIn, or nothing (0 root cycles) when it has none (DeliveryScheme.schedIn). */
  protected vcpuLoad(vc: Vcpu): number {
    const sc = this.scheme;
    return sc.schedIn === undefined ? 0 : sc.schedIn(this.sim, vc);
  }

  /** vcpu_put: the scheme's schedOut, or nothing when it has none (DeliveryScheme.schedOut). */
  protected vcpuPut(vc: Vcpu, blocking: boolean): void {
    const sc = this.scheme;
    if (sc.schedOut !== undefined) sc.schedOut(this.sim, vc, blocking);
  }

  /**
   * Makes a blocked vCPU runnable (kvm_vcpu_wake_up → try_to_wake_up). `extra` = host work on the idle pCPU before
   * it runs. A halt-polling vCPU resumes at once; another vCPU halt-polling on the pCPU stops polling and blocks
   * (single_task_running() is false). Under CFS the woken vCPU may preempt the running one.
   */
  wake(vc: Vcpu, extra = 0): void {
    if (vc.run !== RUN_BLOCKED) return;
    const p = vc.pcpu;
    const poller = this.pollVcpu[p];
    if (poller === vc.index) return this.pollSuccess(vc, extra);
    if (this.trace !== null) this.trace(this.now, vc.index, 'WAKE', 0);
    if (poller >= 0) this.pollStop(this.vcpus[poller]);
    this.sched.placeWaking(p, vc.index, this.now);
    if (this.pcpuCur[p] < 0) this.dispatch_(vc, this.c.vcpuWakeup + extra, this.rHalt);
    else {
      vc.run = RUN_DESCHED;
      this.sched.enqueue(p, vc.index);
      if (this.sched.wakeupPreempts(p, vc.index, this.now)) this.preemptCurrent(p, RESCHED_WAKEUP);
    }
  }

  /** kvm_vcpu_kick: in guest mode → host IPI → EXIT:EXTERNAL_INTERRUPT; blocked → wake; otherwise nothing. */
  kick(vc: Vcpu, cause: number, runningDevice = false): void {
    if (vc.run === RUN_GUEST) this.physicalInterruptInGuest(vc, this.rExt, cause, this.c.kickHandling, runningDevice);
    else if (vc.run === RUN_BLOCKED) this.wake(vc);
  }

  /**
   * resched_curr on pCPU p: the running vCPU switches out at the end of its root activity; in guest mode the
   * reschedule (tick or IPI) is a physical interrupt, hence an exit.
   */
  protected preemptCurrent(p: number, reason: number): void {
    const cur = this.pcpuCur[p];
    if (cur < 0) return;
    const u = this.vcpus[cur];
    if (reason === RESCHED_WAKEUP && u.needResched) return; // already on its way out
    u.needResched = true;
    this.reschedReason[cur] = reason;
    if (u.run === RUN_GUEST) this.physicalInterruptInGuest(u, this.rExt, CAUSE_SCHED, 0);
  }

  /** The scheduler's periodic check on p (round-robin slice, CFS tick): preempt the running vCPU if due. */
  protected onSlice(p: number): void {
    this.schedule(this.now + this.schedTick, p, EV_SLICE, p, 0, 0);
    if (this.pcpuCur[p] < 0 || !this.sched.tickPreempts(p, this.now)) return;
    this.preemptCurrent(p, RESCHED_TICK);
  }

  protected switchOut(vc: Vcpu): void {
    if (this.trace !== null) this.trace(this.now, vc.index, 'PREEMPT', 0);
    const p = vc.pcpu;
    this.sched.stop(p, this.now);
    this.cnt.blk[
      this.reschedReason[vc.index] === RESCHED_WAKEUP ? B['sched.wakeupPreemptions'] : B['sched.preemptions']
    ]++;
    this.reschedReason[vc.index] = 0;
    this.vcpuPut(vc, false);
    vc.run = RUN_DESCHED;
    this.cancelActivity(vc);
    this.sched.enqueue(p, vc.index);
    this.pickNext(p);
  }
}
