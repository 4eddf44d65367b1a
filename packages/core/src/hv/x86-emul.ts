// x86-emul — full software emulation of the local APIC (semantics §B.1): no TPR shadow, no APIC-access
// virtualization; every xAPIC page access (EOI, ICR, register reads) is an MMIO exit needing instruction decode,
// and every CR8/TPR access traps. Same injection path as x86-vmx.

import type { SchemeId } from '../scenario/schema.ts';
import type { Sim } from '../sim/engine.ts';
import type { Vcpu } from '../sim/vcpu.ts';
import { CAUSE_IPI, ExitReasonId } from './exit-reasons.ts';
import { causeOfVector, handlerIsRunningDevice } from './x86/vlapic-inject.ts';
import { X86VmxScheme } from './x86-vmx.ts';

const R = ExitReasonId;

export class X86EmulScheme extends X86VmxScheme {
  override readonly id: SchemeId = 'x86-emul';

  protected override eoiExit(sim: Sim, vc: Vcpu): void {
    const cause = causeOfVector(vc, vc.handlerVector);
    const running = handlerIsRunningDevice(vc);
    // IRQL-style TPR raise/lower in the handler path: each CR8 access exits without a TPR shadow.
    for (let i = sim.tprAccesses[vc.index]; i > 0; i--) sim.exit(vc, R.CR_ACCESS, cause, sim.c.tprEmulation, running);
    // xAPIC EOI register write: fault-like APIC access, decoded and emulated.
    sim.exit(vc, R.APIC_ACCESS, cause, sim.c.apicMmioEmulation, running);
  }

  protected override icrExit(sim: Sim, vc: Vcpu): void {
    // ICR2 then ICR (xAPIC): two MMIO writes, the second sends the IPI.
    sim.exit(vc, R.APIC_ACCESS, CAUSE_IPI, sim.c.apicMmioEmulation);
    sim.exit(vc, R.APIC_ACCESS, CAUSE_IPI, sim.c.apicMmioEmulation + sim.c.icrEmulation);
  }
}
