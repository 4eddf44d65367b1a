// The guest program (DESIGN §7, §12): interrupts-off sections and the STI shadow, guest-time accounting
// (closeSegment), and the timed steps of a handler (body, EOI, IRET) back to background work. Idle periods, HLT,
// guest haltpoll and the guest timer are guest-idle.ts, the concern before this one.

import { EV_IRQS_OFF, EV_IRQS_ON, EV_STI_SHADOW_END } from './events.ts';
import { GuestIdle } from './guest-idle.ts';
import { KIND_CALL_FUNC, PH_HANDLER, PH_POST_EOI, PH_WORK, RUN_GUEST, RUN_ROOT, type Vcpu } from './vcpu.ts';

export abstract class GuestProgram extends GuestIdle {
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
