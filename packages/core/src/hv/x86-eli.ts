// x86-eli — ELI exitless interrupts (semantics §B.4). Direct mode: external-interrupt exiting off, IDTR = shadow IDT
// (arch/x86/eli.ts: present only for the vCPU's assigned vectors), EOI MSR passed through. Assigned interrupts
// reach the guest handler with no exit (E-01) and are EOI'd without one (E-02) — the exitless EOI needs the guest
// in x2APIC mode (host.x2apic; an xAPIC EOI is a write into the APIC page, which ELI cannot expose, so it traps).
// Any other physical vector hits a non-present gate and exits with #NP (E-03, decoded by hv/x86/eli-np.ts); while
// the guest runs with IF = 0 in direct mode, every physical maskable interrupt — host tick, reschedule IPI, another
// vCPU's device — waits until IF = 1 (E-07), as on bare metal. Virtual interrupts force injection mode (E-05)
// until none is pending or in service; switching to injection mode turns external-interrupt exiting back on, so a
// physical interrupt still pending in the IRR exits at once and becomes virtual (E-08) instead of waiting there.

import { vecClear, vecCount, vecForEach, vecHighest, vecIsEmpty, vecSet, vecTestAndSet } from '../arch/x86/bitmap.ts';
import { newShadowIdt, npErrorCode, type ShadowIdt, shadowIdtAssign, shadowIdtVector } from '../arch/x86/eli.ts';
import { eoi, LAPIC_SVR, pendingDeliverable, SVR_APIC_ENABLED } from '../arch/x86/lapic.ts';
import { KIND_DEVICE, RUN_BLOCKED, RUN_GUEST, RUN_ROOT } from '../model/vocabulary.ts';
import type { SchemeId } from '../scenario/schema.ts';
import {
  CAUSE_DEVICE,
  CAUSE_GUEST_TIMER,
  CAUSE_HOST_TICK,
  CAUSE_IPI,
  CAUSE_SCHED,
  ExitReasonId,
} from './exit-reasons.ts';
import { icrSendCost, type X86BroadcastOps, x86SendIpiMany } from './ipi-broadcast.ts';
import type { DeliveryScheme, SchemeHost, SchemeVcpu } from './scheme.ts';
import { eliNpAction, NP_HOST_INTERRUPT } from './x86/eli-np.ts';
import { lapicTimerArm, lapicTimerExpiry } from './x86/lapic-timer.ts';
import {
  causeOfVector,
  entryInterruptible,
  handlerIsRunningDevice,
  VlapicEntryState,
  vlapicAccept,
} from './x86/vlapic-inject.ts';

const R = ExitReasonId;

/** Linux host vectors a non-assigned physical interrupt arrives with (irq_vectors.h), by cause. */
const LOCAL_TIMER_VECTOR = 0xec;
const RESCHEDULE_VECTOR = 0xfd;
const HOST_DEVICE_VECTOR = 0x31; // an external vector the host owns (another vCPU's device, as seen here)
const hostVectorOf = (cause: number): number =>
  cause === CAUSE_HOST_TICK || cause === CAUSE_SCHED
    ? LOCAL_TIMER_VECTOR
    : cause === CAUSE_DEVICE
      ? HOST_DEVICE_VECTOR
      : RESCHEDULE_VECTOR;

export class X86EliScheme implements DeliveryScheme, X86BroadcastOps {
  readonly id: SchemeId = 'x86-eli';
  readonly virtualized = true;
  private readonly entry: VlapicEntryState;
  /** Per vCPU: the shadow IDT its direct mode loads (its VM's assigned device vectors; built at its init). */
  private readonly idt: ShadowIdt[];
  /** Physical interrupts held off by guest IF = 0 in direct mode: host cycles owed, cause of the first. */
  private readonly heldCycles: Float64Array;
  private readonly heldCause: Int32Array;
  private readonly held: Uint8Array;
  /** Per vCPU: injection mode (E-05: guest IDT, external-interrupt exiting, EOI MSR intercepted) instead of direct. */
  private readonly injectionMode: Uint8Array;
  /** The guest's EOI is a WRMSR ELI passes through (x2APIC); an xAPIC EOI writes the APIC page and traps. */
  private readonly exitlessEoi: boolean;
  private readonly timerTmictWrite = (sim: SchemeHost, vc: SchemeVcpu): void =>
    this.interceptedApicWrite(sim, vc, CAUSE_GUEST_TIMER, false);

  constructor(host: SchemeHost) {
    const V = host.V;
    this.entry = new VlapicEntryState(V);
    this.idt = new Array(V);
    this.heldCycles = new Float64Array(V);
    this.heldCause = new Int32Array(V);
    this.held = new Uint8Array(V);
    this.injectionMode = new Uint8Array(V);
    this.exitlessEoi = host.scenario.host.x2apic;
  }

  init(_sim: SchemeHost, vc: SchemeVcpu): void {
    vc.lapic.regs[LAPIC_SVR] = SVR_APIC_ENABLED | 0xff;
    this.injectionMode[vc.index] = 0;
    // The host programs the assigned devices' MSIs to physical vector = guest vector on the vCPU's pCPU.
    const idt = newShadowIdt();
    for (let v = 0; v < 256; v++) if (vc.kinds[v] === KIND_DEVICE) shadowIdtAssign(idt, v, v);
    this.idt[vc.index] = idt;
  }

  /** A guest write to an intercepted LAPIC register (x2APIC MSR, or the xAPIC page decoded). */
  private interceptedApicWrite(sim: SchemeHost, vc: SchemeVcpu, cause: number, running: boolean): void {
    if (sim.scenario.host.x2apic) sim.exit(vc, R.MSR_WRITE, cause, sim.c.eoiMsrEmulation, running);
    else sim.exit(vc, R.APIC_ACCESS, cause, sim.c.apicMmioEmulation, running);
  }

  /**
   * The physical vector a host interrupt arrives with. The model numbers an assigned device's physical vector like
   * its guest vector; a real host allocates assigned vectors from its device range, so its own system vectors never
   * collide with them — when a guest vector happens to equal one, the host's interrupt uses the next free vector.
   */
  private hostVector(vc: SchemeVcpu, cause: number): number {
    const idt = this.idt[vc.index];
    let h = hostVectorOf(cause);
    while (shadowIdtVector(idt, h) >= 0) h = h === 0xff ? 0x20 : h + 1;
    return h;
  }

  /** Direct mode: physical vector h hits a not-present shadow-IDT gate → EXIT:EXCEPTION(#NP) (E-03). */
  private npExit(sim: SchemeHost, vc: SchemeVcpu, cause: number, handling: number, running: boolean): void {
    const h = this.hostVector(vc, cause);
    // The error code (vector << 3 | IDT | EXT) tells the hypervisor it is a host interrupt, not a guest #NP.
    if (eliNpAction(npErrorCode(h)) !== NP_HOST_INTERRUPT) throw new Error('internal: #NP not decoded as host IRQ');
    sim.exit(vc, R.EXCEPTION_NP, cause, handling + sim.c.npExitHandling, running);
  }

  physicalInterrupt(
    sim: SchemeHost,
    vc: SchemeVcpu,
    _reason: number,
    cause: number,
    handling: number,
    running: boolean,
  ): void {
    if (this.injectionMode[vc.index] !== 0) return sim.exit(vc, R.EXTERNAL_INTERRUPT, cause, handling, running);
    if (!sim.guestInterruptible(vc)) {
      // E-07: with external-interrupt exiting off, guest IF = 0 holds every physical maskable interrupt.
      const i = vc.index;
      if (this.held[i] === 0) this.heldCause[i] = cause;
      this.held[i] = 1;
      this.heldCycles[i] += handling;
      return;
    }
    this.npExit(sim, vc, cause, handling, running);
  }

  onExitFromGuest(_sim: SchemeHost, vc: SchemeVcpu): number {
    // Any exit re-enables host interrupts: what was held is handled in this exit.
    const i = vc.index;
    if (this.held[i] === 0) return 0;
    const h = this.heldCycles[i];
    this.held[i] = 0;
    this.heldCycles[i] = 0;
    return h;
  }

  /** Physical delivery through the shadow IDT: IRR[p] → ISR[p], guest handler for g = p (E-01). */
  private deliverDirect(sim: SchemeHost, vc: SchemeVcpu): void {
    const v = vecHighest(vc.pIRR);
    vecClear(vc.pIRR, v);
    vecSet(vc.pISR, v);
    this.entry.handlerPhysical[vc.index] = 1;
    if (sim.trace !== null) sim.trace(sim.now, vc.index, 'DIRECT', v);
    sim.deliverNow(vc, v, vc.ledger.postedAt(v), vc.ledger.postedRunning(v), sim.c.irqDelivery);
  }

  deviceInterrupt(sim: SchemeHost, vc: SchemeVcpu, vector: number, raisedAt: number): void {
    const onCpu = sim.pcpuCur[vc.pcpu] === vc.index;
    const direct = onCpu && vc.run === RUN_GUEST && this.injectionMode[vc.index] === 0;
    if (direct && shadowIdtVector(this.idt[vc.index], vector) >= 0) {
      // Direct mode: the MSI sets the physical IRR of vc's pCPU; the CPU vectors it when guest IF = 1.
      if (vecTestAndSet(vc.pIRR, vector)) sim.countCoalesced(vc, vector);
      else vc.ledger.post(vector, raisedAt, 1);
      if (sim.guestInterruptible(vc) && vecIsEmpty(vc.pISR)) this.deliverDirect(sim, vc);
      return;
    }
    // Not in direct mode on its pCPU: the host takes the vector (E-06) and makes it a virtual interrupt.
    const running = vc.run === RUN_GUEST;
    if (onCpu && running) sim.exit(vc, R.EXTERNAL_INTERRUPT, CAUSE_DEVICE, sim.c.hostIrqHandler, true);
    else if (onCpu && vc.run === RUN_ROOT) sim.rootWork(vc, sim.c.hostIrqHandler);
    else if (!onCpu) sim.hostInterruptOnPcpu(vc.pcpu, sim.c.hostIrqHandler, CAUSE_DEVICE);
    vlapicAccept(sim, vc, vector, raisedAt, running ? 1 : 0);
    if (vc.run === RUN_BLOCKED) sim.wake(vc, sim.pcpuCur[vc.pcpu] < 0 ? sim.c.hostIrqHandler : 0);
  }

  softwareInterrupt(sim: SchemeHost, vc: SchemeVcpu, vector: number, raisedAt: number, cause: number): void {
    if (cause === CAUSE_GUEST_TIMER) {
      lapicTimerExpiry(sim, vc); // the VMX-preemption timer exits whatever the guest's IF
      vlapicAccept(sim, vc, vector, raisedAt, 0);
      return;
    }
    vlapicAccept(sim, vc, vector, raisedAt, 0);
    sim.kick(vc, cause); // a reschedule IPI: #NP (or held) in direct mode, external-interrupt exit otherwise
  }

  hostTick(sim: SchemeHost, _p: number, u: SchemeVcpu | null): void {
    if (u === null) return;
    if (u.run === RUN_ROOT) return sim.rootWork(u, sim.c.hostTickHandler);
    if (u.run === RUN_GUEST)
      this.physicalInterrupt(sim, u, R.EXTERNAL_INTERRUPT, CAUSE_HOST_TICK, sim.c.hostTickHandler, false);
  }

  guestEoi(sim: SchemeHost, vc: SchemeVcpu): void {
    const running = handlerIsRunningDevice(vc);
    if (this.injectionMode[vc.index] === 0 && this.entry.handlerPhysical[vc.index] !== 0) {
      const v = vecHighest(vc.pISR);
      if (this.exitlessEoi) {
        // E-02: WRMSR 0x80B passes the MSR bitmap → physical EOI, no exit.
        sim.stall(vc, sim.c.eoiLocal);
        if (v >= 0) vecClear(vc.pISR, v);
        sim.completeEoi(vc, vc.segStart);
        return;
      }
      // xAPIC guest: the EOI register lives in the APIC page, which stays intercepted; KVM does the physical EOI.
      sim.exit(vc, R.APIC_ACCESS, causeOfVector(vc, vc.handlerVector), sim.c.apicMmioEmulation, running);
      if (v >= 0) vecClear(vc.pISR, v);
      sim.completeEoi(vc, sim.exitHandledAt(vc));
      return;
    }
    // Injection mode: the EOI is intercepted; KVM retires the virtual ISR bit, or performs the physical EOI when
    // the in-service interrupt is a physical (assigned) one (MODEL, §B.4).
    this.interceptedApicWrite(sim, vc, causeOfVector(vc, vc.handlerVector), running);
    if (this.entry.handlerPhysical[vc.index] !== 0) {
      const v = vecHighest(vc.pISR);
      if (v >= 0) vecClear(vc.pISR, v);
    } else eoi(vc.lapic);
    sim.completeEoi(vc, sim.exitHandledAt(vc));
  }

  guestIret(sim: SchemeHost, vc: SchemeVcpu): void {
    const i = vc.index;
    if (this.held[i] !== 0) {
      // IF = 1 again: the held host vectors (higher class than any assigned one) are taken first, as one #NP.
      const cycles = this.heldCycles[i];
      this.held[i] = 0;
      this.heldCycles[i] = 0;
      return this.npExit(sim, vc, this.heldCause[i], cycles, false);
    }
    if (this.injectionMode[vc.index] !== 0) {
      if (this.entry.windowArmed[vc.index] === 0) return;
      const v = pendingDeliverable(vc.lapic);
      sim.exit(vc, R.INTERRUPT_WINDOW, v < 0 ? CAUSE_DEVICE : causeOfVector(vc, v), sim.c.windowExitHandling);
      return;
    }
    if (!vecIsEmpty(vc.pIRR) && vecIsEmpty(vc.pISR)) this.deliverDirect(sim, vc);
  }

  guestHalt(sim: SchemeHost, vc: SchemeVcpu): void {
    sim.haltExit(vc, sim.c.hltExitHandling);
  }

  guestSendIpi(sim: SchemeHost, vc: SchemeVcpu, target: SchemeVcpu, vector: number, raisedAt: number): void {
    if (sim.scenario.host.x2apic) sim.exit(vc, R.MSR_WRITE, CAUSE_IPI, sim.c.icrEmulation);
    else sim.exit(vc, R.APIC_ACCESS, CAUSE_IPI, sim.c.apicMmioEmulation + icrSendCost(sim));
    sim.sendIpi(vc, target, vector, raisedAt, 0, sim.exitHandledAt(vc));
  }

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

  /** ELI leaves the ICR intercepted: a shorthand write exits as a unicast one, emulated for n targets. */
  icrShorthandExit(sim: SchemeHost, vc: SchemeVcpu, n: number): void {
    const more = (n - 1) * icrSendCost(sim);
    if (sim.scenario.host.x2apic) sim.exit(vc, R.MSR_WRITE, CAUSE_IPI, sim.c.icrEmulation + more);
    else sim.exit(vc, R.APIC_ACCESS, CAUSE_IPI, sim.c.apicMmioEmulation + icrSendCost(sim) + more);
  }

  guestTimerArm(sim: SchemeHost, vc: SchemeVcpu): void {
    lapicTimerArm(sim, vc, this.timerTmictWrite);
  }

  /**
   * E-08: a physical interrupt pending in the IRR when the vCPU switches to injection mode exits right after
   * the entry (external-interrupt exiting is on again) and the host makes it a virtual interrupt. Returns the
   * cycles of that exit.
   */
  private strandedToVirtual(sim: SchemeHost, vc: SchemeVcpu): number {
    const l = vc.ledger;
    vecForEach(vc.pIRR, (v) => {
      vecClear(vc.pIRR, v);
      vlapicAccept(sim, vc, v, l.postedAt(v), l.postedRunning(v));
    });
    if (sim.trace !== null) sim.trace(sim.now, vc.index, 'EXIT', R.EXTERNAL_INTERRUPT);
    return sim.exitAtEntry(R.EXTERNAL_INTERRUPT, CAUSE_DEVICE, sim.c.hostIrqHandler);
  }

  beforeEntry(sim: SchemeHost, vc: SchemeVcpu): number {
    let cost = 0;
    const virtualBusy = pendingDeliverable(vc.lapic) >= 0 || !vecIsEmpty(vc.lapic.ISR);
    if (virtualBusy && this.injectionMode[vc.index] === 0) {
      this.injectionMode[vc.index] = 1; // E-05: guest IDT, external-interrupt exiting, EOI MSR intercepted
      if (sim.trace !== null) sim.trace(sim.now, vc.index, 'MODE_INJECTION', 0);
      cost += sim.c.eliModeSwitch;
      if (!vecIsEmpty(vc.pIRR)) cost += this.strandedToVirtual(sim, vc);
    }
    if (this.injectionMode[vc.index] !== 0) {
      cost += this.entry.injectEvents(sim, vc);
      if (vc.inject < 0 && !virtualBusy) {
        this.injectionMode[vc.index] = 0; // nothing virtual pending or in service: back to direct mode
        if (sim.trace !== null) sim.trace(sim.now, vc.index, 'MODE_DIRECT', 0);
        cost += sim.c.eliModeSwitch;
      }
    }
    // Direct mode with a physical interrupt still in IRR: the CPU vectors it right after entry (IF = 1).
    if (
      this.injectionMode[vc.index] === 0 &&
      vc.inject < 0 &&
      entryInterruptible(vc) &&
      !vc.stiShadow &&
      !vecIsEmpty(vc.pIRR) &&
      vecIsEmpty(vc.pISR)
    ) {
      const v = vecHighest(vc.pIRR);
      vecClear(vc.pIRR, v);
      vecSet(vc.pISR, v);
      this.entry.handlerPhysical[vc.index] = 1;
      sim.injectAtEntry(vc, v, vc.ledger.postedAt(v), vc.ledger.postedRunning(v));
      cost += sim.c.irqDelivery;
    }
    return cost;
  }

  hasWakeEvent(_sim: SchemeHost, vc: SchemeVcpu): boolean {
    return pendingDeliverable(vc.lapic) >= 0 || !vecIsEmpty(vc.pIRR);
  }

  pendingCount(_sim: SchemeHost, vc: SchemeVcpu): number {
    return vecCount(vc.lapic.IRR) + vecCount(vc.pIRR);
  }

  forEachPending(_sim: SchemeHost, vc: SchemeVcpu, visit: (raisedAt: number) => void): void {
    const l = vc.ledger;
    vecForEach(vc.pIRR, (v) => visit(l.postedAt(v)));
    vecForEach(vc.lapic.IRR, (v) => visit(l.acceptedAt(v)));
  }
}
