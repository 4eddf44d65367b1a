// The guest program (DESIGN §7, §12): idle periods and HLT, guest haltpoll, the guest timer, interrupts-off
// sections and the STI shadow, guest-time accounting (closeSegment), and the timed steps of a handler (body,
// EOI, IRET) back to background work.

import { CAUSE_GUEST_TIMER } from '../model/vocabulary.ts';
import { Devices } from './devices.ts';
import {
  EV_GUEST_POLL_END,
  EV_GUEST_TIMER,
  EV_IDLE_BEGIN,
  EV_IRQS_OFF,
  EV_IRQS_ON,
  EV_STI_SHADOW_END,
} from './events.ts';
import type { GuestHaltPoll } from './guest-haltpoll.ts';
import {
  KIND_CALL_FUNC,
  KIND_TIMER,
  PH_HALT,
  PH_HANDLER,
  PH_POST_EOI,
  PH_WORK,
  RUN_GUEST,
  RUN_ROOT,
  type Vcpu,
} from './vcpu.ts';

export abstract class GuestProgram extends Devices {
  protected onIdleBegin(vc: Vcpu): void {
    vc.idle = true;
    const idleFor = Math.max(1, this.idleIdle[vc.index](this.rng, vc.streamIdle));
    this.schedule(this.now + idleFor, vc.entity, EV_GUEST_TIMER, vc.index, 0, 0);
    // Not while a softirq poll runs (the idle loop is entered when it is done, softirqEnd) or a sender spins in
    // csd_lock_wait (it halts once its wait ends, onCsdAck).
    if (vc.run === RUN_GUEST && vc.phase === PH_WORK && this.now >= vc.segStart && !this.kernelBusy(vc) && !vc.csdWait)
      this.haltForIdle(vc);
  }

  /**
   * The guest's idle loop: on the first halt of an idle period it programs its timer for the end of the period
   * (tickless idle; x86: a TSC-deadline or TMICT write, priced by the scheme), then halts (Linux: STI; HLT — the
   * STI shadow covers the HLT, so there is no window between them).
   */
  protected haltForIdle(vc: Vcpu): void {
    this.closeSegment(vc, Math.max(this.now, vc.segStart));
    if (!vc.idleTimerArmed) {
      vc.idleTimerArmed = true;
      for (let k = this.guest.timerArmsPerIdle[vc.index]; k > 0; k--) this.scheme.guestTimerArm?.(this.sim, vc);
    }
    const g = this.ghp;
    if (g !== null && g.enabled[vc.index] !== 0) {
      if (vc.guestPoll) return; // the poll window is still open: poll_idle goes on after the handler
      const i = vc.index;
      const from = Math.max(this.now, vc.segStart);
      if (g.selectPoll(i, from)) {
        // Idle state 0: poll in guest mode with interrupts enabled (guest cycles, not guest work).
        vc.guestPoll = true;
        vc.phase = PH_WORK;
        this.cancelActivity(vc);
        if (vc.run === RUN_GUEST) this.schedule(g.pollEnd[i], vc.entity, EV_GUEST_POLL_END, i, g.gen[i], 0);
        return;
      }
      g.halted(i, from);
    }
    vc.phase = PH_HALT;
    this.scheme.guestHalt(this.sim, vc);
  }

  /** HLT/WFI found an interrupt it can take at once: it does not halt, the guest goes on in work. */
  haltNotTaken(vc: Vcpu): void {
    vc.phase = PH_WORK;
  }

  /**
   * A vIRQ is signalled to a guest in a native WFI (guest mode, TWI clear): the core leaves its low-power state with
   * the bare-metal wake-up latency (haltWake, hardware cycles); if its entry is still finishing, the WFI completes
   * at once.
   */
  leaveNativeWfi(vc: Vcpu): void {
    vc.phase = PH_WORK;
    if (vc.segStart > this.now) return;
    vc.segStart = this.now + this.c.haltWake;
    this.cnt.cycHw += this.c.haltWake;
  }

  /** The guest's haltpoll window ended: HLT/WFI now, or when the guest next runs its idle loop. */
  protected onGuestPollEnd(vc: Vcpu, gen: number): void {
    const g = this.ghp;
    if (g === null || gen !== g.gen[vc.index] || !vc.guestPoll) return;
    if (vc.run !== RUN_GUEST || vc.phase !== PH_WORK) return; // re-armed at the next entry, or seen at IRET
    if (this.now < vc.segStart) {
      this.schedule(vc.segStart, vc.entity, EV_GUEST_POLL_END, vc.index, gen, 0); // a hardware stall first
      return;
    }
    this.closeSegment(vc, this.now);
    vc.guestPoll = false;
    g.pollDone(vc.index, true);
    // A softirq poll or the server application is running: the idle loop halts when it is done (softirqEnd, appDone).
    if (this.kernelBusy(vc)) return;
    this.haltForIdle(vc);
  }

  /**
   * The guest's idle loop has control again (after an interrupt's handler, or an entry that ended a halt): the
   * haltpoll governor reflects on the halt that ended, and a poll ends if its window is over or the idle period
   * ended (need_resched).
   */
  protected guestIdleReturn(g: GuestHaltPoll, vc: Vcpu): void {
    const i = vc.index;
    g.haltReturned(i, this.now);
    if (!vc.guestPoll) return;
    if (!vc.idle) {
      vc.guestPoll = false;
      g.pollDone(i, false);
    } else if (this.now >= g.pollEnd[i]) {
      vc.guestPoll = false;
      g.pollDone(i, true);
    }
  }

  protected onGuestTimer(vc: Vcpu): void {
    vc.idle = false;
    vc.idleTimerArmed = false;
    const act = Math.max(1, this.idleActive[vc.index](this.rng, vc.streamIdle));
    this.schedule(this.now + act, vc.entity, EV_IDLE_BEGIN, vc.index, 0, 0);
    const v = this.timerVector[vc.index];
    this.countRaised(vc, v, KIND_TIMER);
    this.scheme.softwareInterrupt(this.sim, vc, v, this.now, CAUSE_GUEST_TIMER);
  }

  protected irqsOffInterval(i: number): number {
    return this.expGap(3 * this.V + this.topo.queues.length + i, this.guest.irqsOffMean[i]);
  }

  /** CLI in guest work (open loop; a section that would start while the guest is not in work is skipped). */
  protected onIrqsOff(vc: Vcpu): void {
    const i = vc.index;
    this.schedule(this.now + this.irqsOffInterval(i), vc.entity, EV_IRQS_OFF, i, 0, 0);
    if (
      vc.irqsOff ||
      vc.guestPoll ||
      vc.run !== RUN_GUEST ||
      vc.phase !== PH_WORK ||
      this.now < vc.segStart ||
      vc.csdWait
    )
      return;
    vc.irqsOff = true;
    const len = Math.max(1, this.guest.irqsOffLen[i](this.rng, 3 * this.V + this.topo.queues.length + i));
    this.schedule(this.now + len, vc.entity, EV_IRQS_ON, i, ++vc.irqsGen, 0);
  }

  /** STI: IF = 1, but blocking by STI holds interrupts off for one more instruction (SDM; A.1.5). */
  protected onIrqsOn(vc: Vcpu, gen: number): void {
    if (gen !== vc.irqsGen || !vc.irqsOff) return;
    vc.irqsOff = false;
    vc.stiShadow = true;
    this.schedule(this.now + 1, vc.entity, EV_STI_SHADOW_END, vc.index, gen, 0);
  }

  /** The shadow expired: a pending interrupt is taken now (or the interrupt-window exit happens now). */
  protected onStiShadowEnd(vc: Vcpu, gen: number): void {
    if (gen !== vc.irqsGen || !vc.stiShadow) return;
    vc.stiShadow = false;
    if (vc.run === RUN_GUEST && vc.phase === PH_WORK) this.scheme.guestIret(this.sim, vc);
  }

  /**
   * Accumulates guest progress over [segStart, t). Called several times per interrupt, so the common cases (a
   * handler, plain guest work) stay small enough for the JIT to inline it everywhere; the other work kinds are
   * closeWorkKinds.
   */
  closeSegment(vc: Vcpu, t: number): void {
    const d = t - vc.segStart;
    if (d <= 0) return;
    if (vc.phase === PH_WORK) {
      if (vc.softirqQ < 0 && !vc.csdWait && vc.appLeft <= 0 && !vc.guestPoll) vc.cycWork += d;
      else this.closeWorkKinds(vc, d);
    } else if (vc.phase === PH_HANDLER) {
      vc.cycHandler += d;
      vc.handlerLeft -= d;
    }
    vc.segStart = t;
  }

  /** d cycles of work phase that are softirq, csd spin, server-application or guest-poll time (closeSegment). */
  private closeWorkKinds(vc: Vcpu, d: number): void {
    if (vc.softirqQ >= 0) {
      // Softirq (NAPI poll) time is guest kernel work, not the guest's own work; it also interrupts a csd spin.
      const s = Math.min(d, vc.softirqLeft);
      vc.cycSoftirq += s;
      vc.softirqLeft -= s;
      if (vc.csdWait) vc.cycSpin += d - s;
      else vc.cycWork += d - s;
    } else if (vc.csdWait) vc.cycSpin += d;
    else if (vc.appLeft > 0) {
      // The closed-loop server application's request work, not the guest's background work.
      const s = Math.min(d, vc.appLeft);
      vc.cycApp += s;
      vc.appLeft -= s;
      vc.cycWork += d - s;
    } else if (vc.guestPoll) vc.cycGuestPoll += d;
    else vc.cycWork += d;
  }

  /** (Re)schedules the end of the guest's current timed step: handler body, or the IRET after an EOI. */
  scheduleGuest(vc: Vcpu): void {
    if (vc.phase === PH_HANDLER) this.activityAt(vc, vc.segStart + vc.handlerLeft);
    else if (vc.phase === PH_POST_EOI) this.activityAt(vc, vc.segStart);
    else this.scheduleWork(vc);
  }

  /** scheduleGuest in the work phase: the packet or request in progress, else no timed step (kept out of line). */
  private scheduleWork(vc: Vcpu): void {
    if (vc.phase === PH_WORK && vc.softirqQ >= 0)
      this.activityAt(vc, vc.segStart + vc.softirqLeft); // the packet being processed
    else if (vc.phase === PH_WORK && this.nic.any && this.nic.appLen[vc.index] > 0 && !vc.csdWait) {
      if (vc.appLeft < 0) vc.appLeft = this.appWork(vc);
      this.activityAt(vc, vc.segStart + vc.appLeft); // the request being served
    } else this.cancelActivity(vc);
  }

  protected activityEnd(vc: Vcpu): void {
    if (vc.run === RUN_ROOT) return this.rootDone(vc);
    if (vc.run !== RUN_GUEST) return;
    if (vc.phase === PH_HANDLER) this.handlerBodyEnd(vc);
    else if (vc.phase === PH_POST_EOI) this.iret(vc);
    else if (vc.phase === PH_WORK && vc.softirqQ >= 0) this.packetDone(vc);
    else if (vc.phase === PH_WORK && this.nic.any && this.nic.appLen[vc.index] > 0) this.appDone(vc);
  }

  /** The handler's body is done: IRET when the EOI was written at its start, else the EOI now. */
  private handlerBodyEnd(vc: Vcpu): void {
    this.closeSegment(vc, this.now);
    vc.handlerLeft = 0;
    if (vc.kinds[vc.handlerVector] === KIND_CALL_FUNC) this.csdUnlock(vc);
    if (vc.eoiDone) return this.iret(vc); // EOI was written at the start of the handler
    vc.phase = PH_POST_EOI;
    this.scheme.guestEoi(this.sim, vc);
    vc.eoiDone = true;
    if (vc.run === RUN_GUEST) this.scheduleGuest(vc);
  }

  protected iret(vc: Vcpu): void {
    if (this.trace !== null) this.trace(this.now, vc.index, 'IRET', vc.handlerVector);
    vc.phase = PH_WORK;
    if (vc.segStart < this.now) vc.segStart = this.now;
    this.scheme.guestIret(this.sim, vc);
    if (vc.run === RUN_GUEST && vc.phase === PH_WORK) this.returnToBackground(vc);
  }

  /** After an interrupt: back to work, or HLT again when the guest is in an idle period. */
  returnToBackground(vc: Vcpu): void {
    const g = this.ghp;
    if (g !== null && g.enabled[vc.index] !== 0) this.guestIdleReturn(g, vc);
    // Pending softirq work (a NAPI poll scheduled or interrupted) runs first, as irq_exit → __do_softirq does, with
    // interrupts enabled; the idle loop (or a guest haltpoll window) resumes only when it is done.
    if (this.kernelBusy(vc)) {
      vc.phase = PH_WORK;
      if (this.pollWaiting(vc)) this.pollOrEnd(vc);
      else this.scheduleGuest(vc); // the packet, request or csd spin in progress
      this.armIpiFlush(vc);
      return;
    }
    if (vc.idle && !vc.csdWait) this.haltForIdle(vc);
    else {
      vc.phase = PH_WORK;
      this.cancelActivity(vc);
      this.armIpiFlush(vc);
    }
  }

  /** Guest can take an interrupt right now: running guest work with IF = 1 and no STI shadow. */
  guestInterruptible(vc: Vcpu): boolean {
    return vc.run === RUN_GUEST && vc.phase === PH_WORK && !vc.irqsOff && !vc.stiShadow;
  }
}
