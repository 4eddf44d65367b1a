// x86-vmx — the VMX baseline (semantics §B.2): external-interrupt exiting, injection at VM entry, TPR shadow,
// EOI writes trap (x2APIC WRMSR 0x80B → EXIT:MSR_WRITE). Two exits per device interrupt to a running vCPU
// (V-07): EXTERNAL_INTERRUPT, then the EOI write.

import { vecCount, vecForEach } from '../arch/x86/bitmap.ts';
import { eoi, LAPIC_SVR, pendingDeliverable, SVR_APIC_ENABLED } from '../arch/x86/lapic.ts';
import type { SchemeId } from '../scenario/schema.ts';
import type { Sim } from '../sim/engine.ts';
import { RUN_BLOCKED, RUN_GUEST, RUN_ROOT, type Vcpu } from '../sim/vcpu.ts';
import { CAUSE_DEVICE, CAUSE_HOST_TICK, CAUSE_IPI, ExitReasonId } from './exit-reasons.ts';
import type { DeliveryScheme } from './scheme.ts';
import { causeOfVector, handlerIsRunningDevice, vlapicAccept, vlapicInjectAtEntry } from './x86/vlapic-inject.ts';

const R = ExitReasonId;

export class X86VmxScheme implements DeliveryScheme {
  readonly id: SchemeId = 'x86-vmx';
  readonly virtualized = true;

  init(_sim: Sim, vc: Vcpu): void {
    vc.lapic.regs[LAPIC_SVR] = SVR_APIC_ENABLED | 0xff;
  }

  /** Exit taken when the guest writes EOI (x2APIC MSR here; x86-emul overrides with xAPIC MMIO). */
  protected eoiExit(sim: Sim, vc: Vcpu): void {
    sim.exit(vc, R.MSR_WRITE, causeOfVector(vc, vc.handlerVector), sim.c.eoiMsrEmulation, handlerIsRunningDevice(vc));
  }

  /** Exit taken when the guest writes the ICR. */
  protected icrExit(sim: Sim, vc: Vcpu): void {
    sim.exit(vc, R.MSR_WRITE, CAUSE_IPI, sim.c.icrEmulation);
  }

  deviceInterrupt(sim: Sim, vc: Vcpu, vector: number, raisedAt: number): void {
    // Host IRQ affinity follows the vCPU: the physical interrupt lands on vc's pCPU (§B.1 steps 1-3).
    const running = vc.run === RUN_GUEST;
    const onCpu = sim.pcpuCur[vc.pcpu] === vc.index;
    if (onCpu && running) sim.exit(vc, R.EXTERNAL_INTERRUPT, CAUSE_DEVICE, sim.c.hostIrqHandler, true);
    else if (onCpu && vc.run === RUN_ROOT) sim.rootWork(vc, sim.c.hostIrqHandler);
    else if (!onCpu) sim.hostInterruptOnPcpu(vc.pcpu, sim.c.hostIrqHandler, CAUSE_DEVICE);
    vlapicAccept(sim, vc, vector, raisedAt, running ? 1 : 0);
    if (vc.run === RUN_BLOCKED) sim.wake(vc, sim.pcpuCur[vc.pcpu] < 0 ? sim.c.hostIrqHandler : 0);
  }

  softwareInterrupt(sim: Sim, vc: Vcpu, vector: number, raisedAt: number, cause: number): void {
    vlapicAccept(sim, vc, vector, raisedAt, 0);
    sim.kick(vc, cause);
  }

  hostTick(sim: Sim, p: number): void {
    sim.hostInterruptOnPcpu(p, sim.c.hostTickHandler, CAUSE_HOST_TICK);
  }

  guestEoi(sim: Sim, vc: Vcpu): void {
    this.eoiExit(sim, vc);
    eoi(vc.lapic);
    sim.completeEoi(vc, vc.rootEnd);
  }

  guestIret(sim: Sim, vc: Vcpu): void {
    if (!vc.windowArmed) return;
    // An interrupt became pending while IF = 0: the window opens at IRET → EXIT:INTERRUPT_WINDOW, inject.
    const v = pendingDeliverable(vc.lapic);
    const running = v >= 0 && vc.ledger.acceptedRunning[v] !== 0 && vc.kinds[v] === 1;
    sim.exit(vc, R.INTERRUPT_WINDOW, v < 0 ? CAUSE_DEVICE : causeOfVector(vc, v), sim.c.windowExitHandling, running);
  }

  guestHalt(sim: Sim, vc: Vcpu): void {
    sim.haltExit(vc, sim.c.hltExitHandling);
  }

  guestSendIpi(sim: Sim, vc: Vcpu, target: Vcpu, vector: number, raisedAt: number): void {
    this.icrExit(sim, vc);
    sim.sendIpi(vc, target, vector, raisedAt, 0, sim.exitHandledAt(vc));
  }

  beforeEntry(sim: Sim, vc: Vcpu): number {
    return vlapicInjectAtEntry(sim, vc);
  }

  hasWakeEvent(_sim: Sim, vc: Vcpu): boolean {
    return pendingDeliverable(vc.lapic) >= 0;
  }

  schedIn(): number {
    return 0;
  }

  schedOut(): number {
    return 0;
  }

  pendingCount(_sim: Sim, vc: Vcpu): number {
    return vecCount(vc.lapic.IRR);
  }

  forEachPending(_sim: Sim, vc: Vcpu, visit: (raisedAt: number) => void): void {
    const at = vc.ledger.acceptedAt;
    vecForEach(vc.lapic.IRR, (v) => visit(at[v]));
  }
}
