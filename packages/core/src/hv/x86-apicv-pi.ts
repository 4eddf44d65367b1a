// x86-apicv-pi — APICv virtual-interrupt delivery + VT-d posted interrupts (semantics §B.3). The IOMMU posts into
// the vCPU's PI descriptor (PIR/ON/SN/NV/NDST, bit-exact in the SAB state block); a running vCPU processes the
// notification without an exit (P-08: arch pi-process.ts, then "evaluate pending virtual interrupts",
// arch vid-evaluate.ts — the evaluators the P- rule tests call), a preempted one has SN = 1 (P-13), a blocked one
// gets the wake-up vector (P-14); EOIs are virtualized. Host interrupts and the guest's LAPIC timer (programming
// and expiry: hv/x86/lapic-timer.ts) still exit. Unicast IPIs exit on the ICR write, unless the CPU has IPI
// virtualization (its `ipiv` option, Intel IPIv): then the ICR write is virtualized and the CPU
// posts into the target's PI descriptor through the PID-pointer table, with no exit on either side.

import { eoiExitRequired, vidEoi, vidRecognized } from '../arch/x86/apicv.ts';
import { VECTOR_WORDS, vecCount, vecForEach, vecTest } from '../arch/x86/bitmap.ts';
import { LAPIC_SVR, SVR_APIC_ENABLED } from '../arch/x86/lapic.ts';
import {
  POST_COALESCED,
  POST_NOTIFY,
  POSTED_INTR_VECTOR,
  piHasPending,
  piNv,
  piPostHw,
  piPostSw,
  piReset,
  piTestOn,
  piTestSn,
} from '../arch/x86/pi-desc.ts';
import { piProcess } from '../arch/x86/pi-process.ts';
import { ACTIVITY_ACTIVE, type VidGuestState, vidEvaluate } from '../arch/x86/vid-evaluate.ts';
import { B } from '../model/blocking-slots.ts';
import { PH_WORK, RUN_BLOCKED, RUN_DESCHED, RUN_GUEST, RUN_ROOT } from '../model/vocabulary.ts';
import type { SchemeId } from '../scenario/schema.ts';
import type { SchemeConfig } from './descriptors.ts';
import { CAUSE_DEVICE, CAUSE_GUEST_TIMER, CAUSE_IPI, ExitReasonId } from './exit-reasons.ts';
import { icrSendCost, type X86BroadcastOps, x86SendIpiMany } from './ipi-broadcast.ts';
import type { DeliveryScheme, SchemeHost, SchemeVcpu } from './scheme.ts';
import { lapicTimerArm, lapicTimerExpiry } from './x86/lapic-timer.ts';
import { PUT_BLOCKED_SELF_IPI, piLoad, piPut } from './x86/posted-intr.ts';
import { causeOfVector, entryInterruptible } from './x86/vlapic-inject.ts';

const R = ExitReasonId;
/** Sim.sendIpi tag of an IPI sent through IPI virtualization (the CPU, not KVM, posts it). */
const TAG_IPIV = 1;
/** Per-vCPU wake-up-vector bookkeeping (counters only): armed by pi_enable_wakeup_handler, fired, or neither. */
const WAKE_NONE = 0;
const WAKE_ARMED = 1;
const WAKE_FIRED = 2;

export class X86ApicvPiScheme implements DeliveryScheme, X86BroadcastOps {
  readonly id: SchemeId = 'x86-apicv-pi';
  readonly virtualized = true;
  private readonly ipiv: boolean;
  /** VIRR before a PIR harvest (to tell a merge into a pending vector from a new one). */
  private readonly before = new Uint32Array(VECTOR_WORDS);
  /** PIR bits each vCPU received from SN-suppressed posts, not yet found at a vcpu_load (8 words per vCPU). */
  private readonly snBits: Uint32Array;
  private readonly wakeState: Uint8Array;
  /** The guest-state inputs of "evaluate pending virtual interrupts" (filled per call, no allocation). */
  private readonly g: VidGuestState = { IF: false, shadow: false, interruptWindowExiting: false, activity: 0 };
  private readonly timerTmictWrite = (sim: SchemeHost, vc: SchemeVcpu): void => {
    // With APIC-register virtualization the TMICT write lands in the virtual-APIC page, then traps (APIC_WRITE);
    // in x2APIC mode MSR 0x838 is not virtualized and exits as a WRMSR.
    if (sim.scenario.host.x2apic) sim.exit(vc, R.MSR_WRITE, CAUSE_GUEST_TIMER, sim.c.eoiMsrEmulation);
    else sim.exit(vc, R.APIC_WRITE, CAUSE_GUEST_TIMER, sim.c.eoiMsrEmulation);
  };

  /** Per vCPU: on its pCPU's PI wake-up list (put while blocking, until the next vcpu_load). */
  private readonly wakeupList: Uint8Array;

  constructor(host: SchemeHost, config: SchemeConfig<'x86-apicv-pi'>) {
    this.ipiv = config.ipiv;
    this.snBits = new Uint32Array(host.V * VECTOR_WORDS);
    this.wakeState = new Uint8Array(host.V);
    this.wakeupList = new Uint8Array(host.V);
  }

  init(_sim: SchemeHost, vc: SchemeVcpu): void {
    vc.lapic.regs[LAPIC_SVR] = SVR_APIC_ENABLED | 0xff;
    piReset(vc.pid); // P-21: NV = 0xF2, SN = 1 until the first vcpu_load
  }

  /** PIR → VIRR (posted-interrupt processing or vmx_sync_pir_to_irr), keeping coalescing and raise times. */
  private mergePir(sim: SchemeHost, vc: SchemeVcpu): void {
    const irr = vc.lapic.IRR;
    this.before.set(irr);
    if (piProcess(vc.pid, vc.lapic, vc.scratch) < 0) return;
    // Each harvested vector either merged into one already pending in VIRR, or is new there (no closure: hot path).
    const before = this.before;
    const moved = vc.scratch;
    for (let w = 0; w < VECTOR_WORDS; w++)
      for (let bits = moved[w]; bits !== 0; ) {
        const b = 31 - Math.clz32(bits);
        bits &= ~(1 << b);
        const v = (w << 5) | b;
        if (vecTest(before, v)) sim.countCoalesced(vc, v);
        else vc.ledger.promote(v);
      }
  }

  /** SDM posted-interrupt processing in non-root (no exit), then evaluate/deliver if IF = 1 (P-08). */
  private processPosted(sim: SchemeHost, vc: SchemeVcpu): void {
    if (sim.trace !== null) sim.trace(sim.now, vc.index, 'PI_PROCESS', 0);
    sim.stall(vc, sim.c.piNotification);
    this.mergePir(sim, vc);
    this.evaluate(sim, vc);
  }

  /** Evaluate pending virtual interrupts: recognized iff class(RVI) > class(VPPR); delivered when IF = 1. */
  private evaluate(sim: SchemeHost, vc: SchemeVcpu): void {
    if (vc.run !== RUN_GUEST) return;
    const g = this.g;
    g.IF = vc.phase === PH_WORK && !vc.irqsOff;
    g.shadow = vc.stiShadow;
    g.activity = ACTIVITY_ACTIVE;
    const v = vidEvaluate(vc.lapic, g);
    if (v < 0) return;
    sim.deliverNow(vc, v, vc.ledger.acceptedAt(v), vc.ledger.acceptedRunning(v), sim.c.vidDelivery);
  }

  /** A notification (NV) sent to NDST, i.e. this vCPU's pCPU. */
  private notify(sim: SchemeHost, vc: SchemeVcpu): void {
    if (sim.trace !== null) sim.trace(sim.now, vc.index, 'PI_NOTIFY', piNv(vc.pid));
    if (piNv(vc.pid) === POSTED_INTR_VECTOR) {
      if (vc.run === RUN_GUEST) this.processPosted(sim, vc);
      else if (vc.run === RUN_ROOT)
        sim.rootWork(vc, sim.c.kickHandling); // host sees 0xF2, sync happens at entry
      // Halt-polling (still loaded, NV = 0xF2): the host takes 0xF2 and the poll loop sees the pending interrupt.
      else if (vc.run === RUN_BLOCKED) sim.wake(vc, sim.c.kickHandling);
      return;
    }
    // Wake-up vector 0xF1 (P-14): pi_wakeup_handler runs on NDST's pCPU and wakes this vCPU.
    sim.countBlocking(B['pi.wakeupVector']);
    this.wakeState[vc.index] = WAKE_FIRED;
    const p = vc.pcpu;
    if (sim.pcpuCur[p] >= 0) sim.hostInterruptOnPcpu(p, sim.c.piWakeupHandler, CAUSE_DEVICE);
    sim.wake(vc, sim.pcpuCur[p] < 0 ? sim.c.piWakeupHandler : 0);
  }

  /** A post by hardware (the IOMMU for a device, the CPU for an IPIv IPI): VT-d §5.2.3 semantics. */
  private postHw(sim: SchemeHost, vc: SchemeVcpu, vector: number, raisedAt: number, running: number): void {
    this.countPost(sim, vc);
    const sn = piTestSn(vc.pid);
    const r = piPostHw(vc.pid, vector);
    if (r & POST_COALESCED) sim.countCoalesced(vc, vector);
    else {
      vc.ledger.post(vector, raisedAt, running);
      if (sn) {
        // SN = 1: PIR is set, no notification; vmx_vcpu_pi_load finds it (ON := 1) when the vCPU is loaded again.
        sim.countBlocking(B['pi.snSuppressed']);
        this.snBits[vc.index * VECTOR_WORDS + (vector >>> 5)] |= 1 << (vector & 31);
      }
    }
    if (r & POST_NOTIFY) this.notify(sim, vc);
  }

  deviceInterrupt(sim: SchemeHost, vc: SchemeVcpu, vector: number, raisedAt: number): void {
    this.postHw(sim, vc, vector, raisedAt, vc.run === RUN_GUEST ? 1 : 0);
  }

  softwareInterrupt(
    sim: SchemeHost,
    vc: SchemeVcpu,
    vector: number,
    raisedAt: number,
    cause: number,
    srcTag = 0,
  ): void {
    if (cause === CAUSE_IPI && srcTag === TAG_IPIV) return this.postHw(sim, vc, vector, raisedAt, 0);
    // The LAPIC timer is not virtualized: its expiry exits (or wakes) first, then KVM posts the vector.
    if (cause === CAUSE_GUEST_TIMER) lapicTimerExpiry(sim, vc);
    // vmx_deliver_posted_interrupt (§B.3 (b)): coalesced, or ON already set, or notify/wake.
    this.countPost(sim, vc);
    const r = piPostSw(vc.pid, vector);
    if (r & POST_COALESCED) {
      sim.countCoalesced(vc, vector);
      return;
    }
    vc.ledger.post(vector, raisedAt, 0);
    if ((r & POST_NOTIFY) === 0) return;
    if (vc.run === RUN_GUEST)
      this.processPosted(sim, vc); // IN_GUEST_MODE: IPI 0xF2 → no exit
    else if (vc.run === RUN_BLOCKED) sim.wake(vc); // P-09: no IPI; the PIR is harvested at the next entry
  }

  /** Posts that find their vCPU descheduled or halted (counters). */
  private countPost(sim: SchemeHost, vc: SchemeVcpu): void {
    if (vc.run === RUN_DESCHED) sim.countBlocking(B['pi.postsToPreempted']);
    else if (vc.run === RUN_BLOCKED) sim.countBlocking(B['pi.postsToHalted']);
  }

  /** SN-suppressed PIR bits of vc still in its PIR (then forgotten). */
  private takeSnBits(vc: SchemeVcpu): number {
    let n = 0;
    const o = vc.index * VECTOR_WORDS;
    for (let w = 0; w < VECTOR_WORDS; w++) {
      let m = this.snBits[o + w] & vc.pid[w];
      this.snBits[o + w] = 0;
      while (m !== 0) {
        m &= m - 1;
        n++;
      }
    }
    return n;
  }

  guestEoi(sim: SchemeHost, vc: SchemeVcpu): void {
    // EOI virtualization: no exit unless the EOI-exit bitmap asks for one (P-19, level vectors only).
    sim.stall(vc, sim.c.eoiVirtualized);
    const v = vidEoi(vc.lapic);
    sim.completeEoi(vc, vc.segStart);
    if (eoiExitRequired(vc.lapic, v)) sim.exit(vc, R.EOI_INDUCED, causeOfVector(vc, v), sim.c.eoiMsrEmulation);
    else this.evaluate(sim, vc);
  }

  guestIret(sim: SchemeHost, vc: SchemeVcpu): void {
    this.evaluate(sim, vc);
  }

  guestHalt(sim: SchemeHost, vc: SchemeVcpu): void {
    // HLT with a recognized interrupt does not block (the virtual interrupt wakes the HLT activity state).
    if (vidRecognized(vc.lapic)) {
      sim.haltNotTaken(vc);
      return this.evaluate(sim, vc);
    }
    sim.haltExit(vc, sim.c.hltExitHandling);
  }

  guestSendIpi(sim: SchemeHost, vc: SchemeVcpu, target: SchemeVcpu, vector: number, raisedAt: number): void {
    if (this.ipiv) {
      // IPIv: the ICR write is virtualized (no exit); the CPU posts through the PID-pointer table.
      sim.stall(vc, sim.c.ipivSend);
      sim.sendIpi(vc, target, vector, raisedAt, TAG_IPIV, vc.segStart);
      return;
    }
    // Without IPI virtualization the ICR write exits and KVM posts to the target (§B.3 (b)).
    if (sim.scenario.host.x2apic) sim.exit(vc, R.MSR_WRITE, CAUSE_IPI, sim.c.icrEmulation);
    else sim.exit(vc, R.APIC_WRITE, CAUSE_IPI, sim.c.icrEmulation); // ICR write traps after it lands in the page
    sim.sendIpi(vc, target, vector, raisedAt, 0, sim.exitHandledAt(vc));
  }

  /**
   * A broadcast: per-target writes go through guestSendIpi (IPIv virtualizes each unicast physical write); IPIv
   * does not cover a destination shorthand, so the shorthand write exits like any ICR write without IPIv.
   */
  guestSendIpiMany(
    sim: SchemeHost,
    vc: SchemeVcpu,
    targets: Int32Array,
    n: number,
    vector: number,
    raisedAt: number,
    mode: number,
  ): void {
    x86SendIpiMany(this, sim, vc, targets, n, vector, raisedAt, mode);
  }

  icrShorthandExit(sim: SchemeHost, vc: SchemeVcpu, n: number): void {
    const handling = sim.c.icrEmulation + (n - 1) * icrSendCost(sim);
    sim.exit(vc, sim.scenario.host.x2apic ? R.MSR_WRITE : R.APIC_WRITE, CAUSE_IPI, handling);
  }

  guestTimerArm(sim: SchemeHost, vc: SchemeVcpu): void {
    lapicTimerArm(sim, vc, this.timerTmictWrite);
  }

  beforeEntry(sim: SchemeHost, vc: SchemeVcpu): number {
    let cost = 0;
    if (piTestOn(vc.pid)) {
      cost += sim.c.piSync; // vmx_sync_pir_to_irr (§B.3 (c))
      if (sim.trace !== null) sim.trace(sim.now, vc.index, 'PI_SYNC', 0);
      this.mergePir(sim, vc);
    }
    // VM entry evaluates pending virtual interrupts and delivers with IF = 1 (P-01, P-05).
    const g = this.g;
    g.IF = entryInterruptible(vc);
    g.shadow = vc.stiShadow;
    g.activity = ACTIVITY_ACTIVE;
    const v = vidEvaluate(vc.lapic, g);
    if (v >= 0) {
      sim.injectAtEntry(vc, v, vc.ledger.acceptedAt(v), vc.ledger.acceptedRunning(v));
      cost += sim.c.vidDelivery;
    }
    return cost;
  }

  hasWakeEvent(_sim: SchemeHost, vc: SchemeVcpu): boolean {
    return piHasPending(vc.pid) || vidRecognized(vc.lapic);
  }

  /** Whether vc is on its pCPU's wake-up list (pi_wakeup_handler's list): blocked with the wake-up vector armed. */
  isOnWakeupList(vc: SchemeVcpu): boolean {
    return this.wakeupList[vc.index] !== 0;
  }

  schedIn(sim: SchemeHost, vc: SchemeVcpu): number {
    sim.countBlocking(B['pi.snFoundAtLoad'], this.takeSnBits(vc));
    if (this.wakeState[vc.index] === WAKE_ARMED) sim.countBlocking(B['pi.wakeupDisarmed']);
    this.wakeState[vc.index] = WAKE_NONE;
    piLoad(vc.pid, vc.pcpu, sim.scenario.host.x2apic);
    this.wakeupList[vc.index] = 0;
    return sim.c.piPutLoad;
  }

  schedOut(sim: SchemeHost, vc: SchemeVcpu, blocking: boolean): number {
    // A blocking vCPU has IF = 1 here (the guest halts from its idle loop), so the wake-up vector is armed.
    const r = piPut(vc.pid, blocking, false);
    this.wakeupList[vc.index] = blocking ? 1 : 0;
    if (blocking) {
      sim.countBlocking(B['pi.wakeupArmed']);
      this.wakeState[vc.index] = WAKE_ARMED;
    }
    if (r === PUT_BLOCKED_SELF_IPI) {
      sim.countBlocking(B['pi.wakeupVector']); // KVM's self-IPI with the wake-up vector
      this.wakeState[vc.index] = WAKE_FIRED;
    }
    // ON cannot be set here: the HLT exit only blocks when hasWakeEvent (which includes ON) is false. If it
    // were, KVM's self-IPI 0xF1 (P-15) would wake the vCPU right away.
    if (r === PUT_BLOCKED_SELF_IPI) sim.wake(vc);
    return sim.c.piPutLoad;
  }

  pendingCount(_sim: SchemeHost, vc: SchemeVcpu): number {
    return vecCount(vc.pid.subarray(0, 8)) + vecCount(vc.lapic.IRR);
  }

  atEnd(sim: SchemeHost, vc: SchemeVcpu): void {
    sim.countBlocking(B['pi.snPendingAtEnd'], this.takeSnBits(vc));
    if (this.wakeState[vc.index] === WAKE_ARMED) sim.countBlocking(B['pi.wakeupArmedAtEnd']);
  }

  forEachPending(_sim: SchemeHost, vc: SchemeVcpu, visit: (raisedAt: number) => void): void {
    const l = vc.ledger;
    vecForEach(vc.pid.subarray(0, 8), (v) => visit(l.postedAt(v))); // PIR
    vecForEach(vc.lapic.IRR, (v) => visit(l.acceptedAt(v))); // VIRR
  }
}
