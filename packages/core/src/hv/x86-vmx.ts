// x86-vmx — the VMX baseline (semantics §B.2): external-interrupt exiting, injection at VM entry, TPR shadow,
// APIC-access virtualization without APIC-register virtualization, so every LAPIC access the guest makes exits —
// x2APIC WRMSR/RDMSR → EXIT:MSR_WRITE/MSR_READ, xAPIC page → EXIT:APIC_ACCESS (decoded). Two exits per device
// interrupt to a running vCPU (V-07): EXTERNAL_INTERRUPT, then the EOI write — unless the guest uses KVM's PV EOI
// (its `pvEoi` option, on by default: a Linux ≥ 3.6 guest), which skips the EOI exit whenever KVM
// said nothing else was pending (K:lapic.c apic_sync_pv_eoi_to_guest / apic_sync_pv_eoi_from_guest; guest
// kvm_guest_apic_eoi_write).

import { vecCount, vecForEach, vecIsEmpty } from '../arch/x86/bitmap.ts';
import { eoi, LAPIC_SVR, pendingDeliverable, SVR_APIC_ENABLED } from '../arch/x86/lapic.ts';
import { RUN_BLOCKED, RUN_GUEST, RUN_ROOT } from '../model/vocabulary.ts';
import type { SchemeId } from '../scenario/schema.ts';
import type { SchemeConfig } from './descriptors.ts';
import { CAUSE_DEVICE, CAUSE_GUEST_TIMER, CAUSE_IPI, ExitReasonId } from './exit-reasons.ts';
import { icrSendCost, type X86BroadcastOps, x86SendIpiMany } from './ipi-broadcast.ts';
import type { DeliveryScheme, SchemeHost, SchemeVcpu } from './scheme.ts';
import { lapicTimerArm, lapicTimerExpiry } from './x86/lapic-timer.ts';
import { causeOfVector, handlerIsRunningDevice, VlapicEntryState, vlapicAccept } from './x86/vlapic-inject.ts';

const R = ExitReasonId;

export { icrSendCost };

export class X86VmxScheme implements DeliveryScheme, X86BroadcastOps {
  readonly id: SchemeId = 'x86-vmx';
  readonly virtualized = true;
  protected readonly entry: VlapicEntryState;
  /** The guest's LAPIC is in x2APIC mode: register accesses are MSR exits, not decoded MMIO. */
  protected readonly x2apic: boolean;
  private readonly pvEoi: boolean;
  /** PV EOI: KVM_PV_EOI_BIT set in guest memory at the last entry (the guest may EOI without an exit). */
  private readonly pvEoiPending: Uint8Array;
  /** The guest cleared the bit (EOI done); KVM retires the ISR bit at the next exit. */
  private readonly pvEoiDone: Uint8Array;
  /** KVM's highest_isr_cache is valid: set when an interrupt is acknowledged, invalidated by any EOI. */
  private readonly isrCacheValid: Uint8Array;
  private readonly timerTmictWrite = (sim: SchemeHost, vc: SchemeVcpu): void =>
    this.apicWrite(sim, vc, CAUSE_GUEST_TIMER, false);

  /**
   * `x2apic` is the guest's LAPIC mode: the host's (host.x2apic) unless a subclass fixes it (x86-emul's emulated
   * APIC is xAPIC only) — a parameter, so the base sizes and configures everything here without calling an
   * override before the subclass's fields exist.
   */
  constructor(host: SchemeHost, config: SchemeConfig<'x86-vmx'>, x2apic = host.scenario.host.x2apic) {
    const V = host.V;
    this.entry = new VlapicEntryState(V);
    this.x2apic = x2apic;
    this.pvEoi = config.pvEoi;
    this.pvEoiPending = new Uint8Array(V);
    this.pvEoiDone = new Uint8Array(V);
    this.isrCacheValid = new Uint8Array(V);
  }

  init(_sim: SchemeHost, vc: SchemeVcpu): void {
    vc.lapic.regs[LAPIC_SVR] = SVR_APIC_ENABLED | 0xff;
  }

  /** Host work of an assigned device's interrupt: VFIO → irqfd → MSI route → accept. */
  protected hostIrqCost(sim: SchemeHost): number {
    return sim.c.hostIrqHandler;
  }

  /** Handling of one decoded xAPIC-page access (x86-emul adds the trip to the VMM process). */
  protected mmioCost(sim: SchemeHost): number {
    return sim.c.apicMmioEmulation;
  }

  /** A guest write of a LAPIC register that is not virtualized (EOI, TMICT, ICR2): one exit, emulated by KVM. */
  protected apicWrite(sim: SchemeHost, vc: SchemeVcpu, cause: number, running: boolean): void {
    if (this.x2apic) sim.exit(vc, R.MSR_WRITE, cause, sim.c.eoiMsrEmulation, running);
    else sim.exit(vc, R.APIC_ACCESS, cause, this.mmioCost(sim), running);
  }

  /** A guest read of a LAPIC register (no APIC-register virtualization). */
  protected apicRead(sim: SchemeHost, vc: SchemeVcpu, cause: number, running: boolean): void {
    if (this.x2apic) sim.exit(vc, R.MSR_READ, cause, sim.c.eoiMsrEmulation, running);
    else sim.exit(vc, R.APIC_ACCESS, cause, this.mmioCost(sim), running);
  }

  /**
   * The ICR write(s) of a unicast IPI: x2APIC one WRMSR 0x830 (emulated and sent by KVM); xAPIC the optional
   * wait-for-idle ICR reads, ICR2 (destination), then ICR (vector; this write sends the IPI).
   */
  protected icrWrite(sim: SchemeHost, vc: SchemeVcpu): void {
    if (this.x2apic) return sim.exit(vc, R.MSR_WRITE, CAUSE_IPI, sim.c.icrEmulation);
    for (let k = sim.guest.icrReads[vc.index]; k > 0; k--) this.apicRead(sim, vc, CAUSE_IPI, false);
    this.apicWrite(sim, vc, CAUSE_IPI, false);
    sim.exit(vc, R.APIC_ACCESS, CAUSE_IPI, this.mmioCost(sim) + icrSendCost(sim));
  }

  deviceInterrupt(sim: SchemeHost, vc: SchemeVcpu, vector: number, raisedAt: number): void {
    // Host IRQ affinity follows the vCPU: the physical interrupt lands on vc's pCPU (§B.1 steps 1-3).
    const h = this.hostIrqCost(sim);
    const running = vc.run === RUN_GUEST;
    const onCpu = sim.pcpuCur[vc.pcpu] === vc.index;
    if (onCpu && running) sim.exit(vc, R.EXTERNAL_INTERRUPT, CAUSE_DEVICE, h, true);
    else if (onCpu && vc.run === RUN_ROOT) sim.rootWork(vc, h);
    else if (!onCpu) sim.hostInterruptOnPcpu(vc.pcpu, h, CAUSE_DEVICE);
    vlapicAccept(sim, vc, vector, raisedAt, running ? 1 : 0);
    if (vc.run === RUN_BLOCKED) sim.wake(vc, sim.pcpuCur[vc.pcpu] < 0 ? h : 0);
  }

  softwareInterrupt(sim: SchemeHost, vc: SchemeVcpu, vector: number, raisedAt: number, cause: number): void {
    if (cause === CAUSE_GUEST_TIMER) {
      lapicTimerExpiry(sim, vc); // preemption-timer exit / hrtimer wake-up, then the timer vector is accepted
      vlapicAccept(sim, vc, vector, raisedAt, 0);
      return;
    }
    vlapicAccept(sim, vc, vector, raisedAt, 0);
    sim.kick(vc, cause);
  }

  guestEoi(sim: SchemeHost, vc: SchemeVcpu): void {
    const i = vc.index;
    if (this.pvEoiPending[i] !== 0) {
      // kvm_guest_apic_eoi_write: the flag was set, the guest clears it and skips the APIC write.
      this.pvEoiPending[i] = 0;
      this.pvEoiDone[i] = 1;
      sim.completeEoi(vc, Math.max(sim.now, vc.segStart));
      return;
    }
    this.apicWrite(sim, vc, causeOfVector(vc, vc.handlerVector), handlerIsRunningDevice(vc));
    eoi(vc.lapic);
    this.isrCacheValid[i] = 0;
    sim.completeEoi(vc, sim.exitHandledAt(vc));
  }

  onExitFromGuest(sim: SchemeHost, vc: SchemeVcpu): number {
    // apic_sync_pv_eoi_from_guest: a flag still set means the guest has not EOId — clear it (its EOI will exit);
    // a flag the guest cleared means the EOI happened: apic_set_eoi now.
    const i = vc.index;
    if (this.pvEoiPending[i] !== 0) {
      this.pvEoiPending[i] = 0;
      return 0;
    }
    if (this.pvEoiDone[i] === 0) return 0;
    this.pvEoiDone[i] = 0;
    eoi(vc.lapic);
    this.isrCacheValid[i] = 0;
    return sim.c.pvEoiSync;
  }

  /** Whether interrupt-window exiting is armed for vc (set at an entry that left a maskable interrupt pending). */
  interruptWindowArmed(vc: SchemeVcpu): boolean {
    return this.entry.windowArmed[vc.index] !== 0;
  }

  guestIret(sim: SchemeHost, vc: SchemeVcpu): void {
    if (this.entry.windowArmed[vc.index] === 0) return;
    // An interrupt became pending while IF = 0: the window opens now (IRET, or STI's shadow expired) →
    // EXIT:INTERRUPT_WINDOW, then the entry injects it.
    const v = pendingDeliverable(vc.lapic);
    const running = v >= 0 && vc.ledger.acceptedRunning(v) !== 0 && vc.kinds[v] === 1;
    sim.exit(vc, R.INTERRUPT_WINDOW, v < 0 ? CAUSE_DEVICE : causeOfVector(vc, v), sim.c.windowExitHandling, running);
  }

  guestHalt(sim: SchemeHost, vc: SchemeVcpu): void {
    sim.haltExit(vc, sim.c.hltExitHandling);
  }

  guestSendIpi(sim: SchemeHost, vc: SchemeVcpu, target: SchemeVcpu, vector: number, raisedAt: number): void {
    this.icrWrite(sim, vc);
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

  /** One shorthand ICR write: x2APIC WRMSR 0x830; xAPIC the ICR alone (the shorthand ignores ICR2). */
  icrShorthandExit(sim: SchemeHost, vc: SchemeVcpu, n: number): void {
    const more = (n - 1) * icrSendCost(sim);
    if (this.x2apic) return sim.exit(vc, R.MSR_WRITE, CAUSE_IPI, sim.c.icrEmulation + more);
    for (let k = sim.guest.icrReads[vc.index]; k > 0; k--) this.apicRead(sim, vc, CAUSE_IPI, false);
    sim.exit(vc, R.APIC_ACCESS, CAUSE_IPI, this.mmioCost(sim) + icrSendCost(sim) + more);
  }

  guestTimerArm(sim: SchemeHost, vc: SchemeVcpu): void {
    lapicTimerArm(sim, vc, this.timerTmictWrite);
  }

  guestApicRead(sim: SchemeHost, vc: SchemeVcpu): void {
    this.apicRead(sim, vc, causeOfVector(vc, vc.handlerVector), handlerIsRunningDevice(vc));
  }

  beforeEntry(sim: SchemeHost, vc: SchemeVcpu): number {
    const cost = this.entry.injectEvents(sim, vc);
    const i = vc.index;
    if (vc.inject >= 0) this.isrCacheValid[i] = 1; // apic_set_isr: highest_isr_cache = vector
    // apic_sync_pv_eoi_to_guest: offer PV EOI iff nothing is pending in IRR and the in-service vector is known.
    if (this.pvEoi && this.isrCacheValid[i] !== 0 && vecIsEmpty(vc.lapic.IRR)) this.pvEoiPending[i] = 1;
    return cost;
  }

  hasWakeEvent(_sim: SchemeHost, vc: SchemeVcpu): boolean {
    return pendingDeliverable(vc.lapic) >= 0;
  }

  pendingCount(_sim: SchemeHost, vc: SchemeVcpu): number {
    return vecCount(vc.lapic.IRR);
  }

  forEachPending(_sim: SchemeHost, vc: SchemeVcpu, visit: (raisedAt: number) => void): void {
    const l = vc.ledger;
    vecForEach(vc.lapic.IRR, (v) => visit(l.acceptedAt(v)));
  }
}
