// The guest's idle loop (DESIGN §7, §15): idle periods and their guest timer, HLT/WFI (and when it is not taken),
// guest haltpoll's poll window, and the native WFI of a GICv4 guest. Split from guest-program.ts, which extends it.

import { CAUSE_GUEST_TIMER } from '../model/vocabulary.ts';
import { Devices } from './devices.ts';
import { EV_GUEST_POLL_END, EV_GUEST_TIMER, EV_IDLE_BEGIN } from './events.ts';
import type { GuestHaltPoll } from './guest-haltpoll.ts';
import { KIND_TIMER, PH_HALT, PH_WORK, RUN_GUEST, type Vcpu } from './vcpu.ts';

export abstract class GuestIdle extends Devices {
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
}
