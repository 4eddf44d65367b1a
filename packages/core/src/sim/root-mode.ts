// Exits and root mode (DESIGN §7): VM exits with their reasons and causes, extra root work, physical interrupts
// on a pCPU, and VM entry (the scheme syncs and injects, the guest resumes).

import { B } from './blocking-counters.ts';
import { EV_GUEST_POLL_END } from './events.ts';
import { IpiSends } from './ipi-sends.ts';
import { PH_HALT, PH_WORK, RUN_GUEST, RUN_ROOT, type Vcpu } from './vcpu.ts';

export abstract class RootMode extends IpiSends {
  /**
   * A VM exit of `reason` caused by `cause`, followed by `handling` cycles in the hypervisor. From guest mode
   * the guest pauses; called again while already in root mode it models a back-to-back exit sequence.
   * `runningDevice` marks exits caused by a device interrupt that arrived while its target ran in guest mode.
   */
  exit(vc: Vcpu, reason: number, cause: number, handling: number, runningDevice = false): void {
    if (this.trace !== null) this.trace(this.now, vc.index, 'EXIT', reason);
    const cnt = this.cnt;
    cnt.exits[reason]++;
    cnt.exitsByCause[cause]++;
    if (runningDevice) cnt.deviceExitsRunning++;
    if (this.exitTag !== 0) this.countShootdownExit();
    // Host work the scheme attaches to any exit from guest mode (PV EOI read-back, held physical interrupts).
    if (vc.run === RUN_GUEST && this.scheme.onExitFromGuest !== undefined)
      handling += this.scheme.onExitFromGuest(this.sim, vc);
    const total = this.c.exitRoundTrip + handling;
    cnt.exitCycles[reason] += total;
    let start: number;
    if (vc.run === RUN_GUEST) {
      this.closeSegment(vc, this.now);
      vc.run = RUN_ROOT;
      vc.rootReason = reason;
      start = Math.max(vc.segStart, this.now);
      vc.rootEnd = start + total;
    } else {
      start = vc.rootEnd;
      vc.rootEnd += total;
    }
    // The VM-exit transition is taken as half the measured round trip; the handling follows it.
    vc.exitHandled = start + this.exitHalf + handling;
    this.activityAt(vc, vc.rootEnd);
  }

  /** An exit taken while sending a shootdown (exitTag 1) or while its IPI arrives (2), DESIGN §16. */
  private countShootdownExit(): void {
    if (this.exitTag === 1) this.cnt.shootdownSendExits++;
    else this.cnt.shootdownArrivalExits++;
  }

  /**
   * An exit that happens right after the VM entry being prepared (e.g. a physical interrupt pending in the IRR
   * when external-interrupt exiting is turned back on): counted like any exit; returns its cycles, which the
   * caller (a scheme's beforeEntry) adds to the entry so the guest resumes after both.
   */
  exitAtEntry(reason: number, cause: number, handling: number): number {
    const total = this.c.exitRoundTrip + handling;
    this.cnt.exits[reason]++;
    this.cnt.exitsByCause[cause]++;
    this.cnt.exitCycles[reason] += total;
    return total;
  }

  /** Extra hypervisor work while vc is in root mode (e.g. a host interrupt handled before re-entry). */
  rootWork(vc: Vcpu, cycles: number, reason = vc.rootReason): void {
    if (vc.run !== RUN_ROOT) return;
    this.cnt.exitCycles[reason] += cycles;
    vc.rootEnd += cycles;
    this.activityAt(vc, vc.rootEnd);
  }

  /**
   * A physical host interrupt (handler cost `handling`) lands on pCPU p: the vCPU in guest mode there takes
   * EXIT:EXTERNAL_INTERRUPT (V-01); a vCPU in root mode handles it before re-entry; an idle pCPU just runs it.
   */
  hostInterruptOnPcpu(p: number, handling: number, cause: number, runningDevice = false, reason = this.rExt): void {
    const cur = this.pcpuCur[p];
    if (cur < 0) return;
    const u = this.vcpus[cur];
    if (u.run === RUN_GUEST) this.physicalInterruptInGuest(u, reason, cause, handling, runningDevice);
    else if (u.run === RUN_ROOT) this.rootWork(u, handling);
  }

  /**
   * A physical host interrupt reaches vc while it runs in guest mode: an exit of `reason` (external-interrupt
   * exiting / IRQ to EL2) unless the scheme routes physical interrupts otherwise (ELI's shadow IDT).
   */
  physicalInterruptInGuest(vc: Vcpu, reason: number, cause: number, handling: number, runningDevice = false): void {
    const sc = this.scheme;
    if (sc.physicalInterrupt !== undefined) sc.physicalInterrupt(this.sim, vc, reason, cause, handling, runningDevice);
    else this.exit(vc, reason, cause, handling, runningDevice);
  }

  protected rootDone(vc: Vcpu): void {
    if (vc.needResched) {
      vc.needResched = false;
      return this.switchOut(vc);
    }
    if (vc.haltExit) {
      vc.haltExit = false;
      if (!this.scheme.hasWakeEvent(this.sim, vc)) return this.halt(vc);
    }
    this.enter(vc);
  }

  /** VM entry: the scheme syncs/injects, then the guest resumes (or starts the injected handler). */
  protected enter(vc: Vcpu): void {
    const sc = this.scheme;
    // No beforeEntry: nothing to sync or inject (DeliveryScheme.beforeEntry).
    const extra = (sc.beforeEntry === undefined ? 0 : sc.beforeEntry(this.sim, vc)) + this.c.exitIndirect;
    this.cnt.exitCycles[vc.rootReason] += extra;
    const at = this.now + extra;
    vc.run = RUN_GUEST;
    vc.segStart = at; // nothing the guest did before this entry is open any more
    if (this.trace !== null) this.trace(this.now, vc.index, 'ENTRY', vc.inject);
    if (vc.inject >= 0) {
      const v = vc.inject;
      vc.inject = -1;
      if (vc.guestPoll && vc.phase === PH_WORK) this.cnt.blk[B['guestPoll.interruptsWhilePolling']]++;
      if (vc.phase === PH_HALT) vc.phase = PH_WORK;
      this.startHandlerAt(vc, at, v, vc.injectRaised, vc.injectFlag);
    } else this.resumeAfterEntry(vc, at);
  }

  /** An entry that injects nothing: the guest resumes what it was doing at `at` (kept out of line of enter). */
  private resumeAfterEntry(vc: Vcpu, at: number): void {
    if (vc.phase === PH_HALT) {
      vc.phase = PH_WORK;
      this.returnToBackground(vc);
    } else if (vc.phase === PH_WORK && this.pollWaiting(vc)) {
      // The exit came between a hard-IRQ handler's IRET and its softirq (e.g. an interrupt-window or #NP exit at
      // IRET): the NAPI poll starts now.
      this.pollOrEnd(vc);
      this.armIpiFlush(vc);
    } else {
      this.scheduleGuest(vc);
      if (vc.phase === PH_WORK) {
        this.armIpiFlush(vc);
        const g = this.ghp;
        if (vc.guestPoll && g !== null)
          this.schedule(Math.max(at, g.pollEnd[vc.index]), vc.entity, EV_GUEST_POLL_END, vc.index, g.gen[vc.index], 0);
      }
    }
  }

  /**
   * The VM entry being prepared (a scheme's beforeEntry) injects `vector`, raised at `raisedAt` (`flag`: it arrived
   * while its target ran); the handler starts right after the entry.
   */
  injectAtEntry(vc: Vcpu, vector: number, raisedAt: number, flag: number): void {
    vc.inject = vector;
    vc.injectRaised = raisedAt;
    vc.injectFlag = flag;
  }

  /** EXIT:HLT: the hypervisor blocks the vCPU at the end of the exit unless a wake event is pending. */
  haltExit(vc: Vcpu, handling: number): void {
    vc.haltExit = true;
    this.exit(vc, this.rHalt, 4 /* CAUSE_HALT */, handling);
  }
}
