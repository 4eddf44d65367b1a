// x86-emul — full software emulation of the local APIC (semantics §B.1): no TPR shadow, no APIC-access
// virtualization, the guest in xAPIC mode. Every LAPIC access the guest makes is an EXIT:APIC_ACCESS whose
// instruction is decoded and emulated (EOI, ICR2 + ICR of an IPI, register reads, a one-shot timer's TMICT), every
// CR8/TPR access an EXIT:CR_ACCESS; IA32_TSC_DEADLINE is an MSR (EXIT:MSR_WRITE). Same injection path as
// x86-vmx, no PV EOI (nothing bypasses the emulated APIC). Its `lapic` option picks where the APIC
// model lives: in KVM ('kernel'), or in the VMM process ('userspace', QEMU kernel-irqchip=off), where each APIC
// access and each interrupt the device raises also cross into user space (apicUserspaceExit) and the guest has
// no TSC-deadline timer.

import type { SchemeId } from '../scenario/schema.ts';
import type { SchemeConfig } from './descriptors.ts';
import { ExitReasonId } from './exit-reasons.ts';
import type { SchemeHost, SchemeVcpu } from './scheme.ts';
import { causeOfVector, handlerIsRunningDevice } from './x86/vlapic-inject.ts';
import { X86VmxScheme } from './x86-vmx.ts';

const R = ExitReasonId;

export class X86EmulScheme extends X86VmxScheme {
  override readonly id: SchemeId = 'x86-emul';
  /** Extra cycles of each access handled in the VMM process (0 for the in-kernel LAPIC). */
  private readonly vmm: number;

  constructor(host: SchemeHost, config: SchemeConfig<'x86-emul'>) {
    super(host, { pvEoi: false }, false); // nothing bypasses the emulated APIC, which is xAPIC only
    this.vmm = config.lapic === 'userspace' ? host.c.apicUserspaceExit : 0;
  }

  protected override hostIrqCost(sim: SchemeHost): number {
    // Userspace LAPIC: VFIO's eventfd wakes the VMM, whose APIC model sets IRR and kicks the vCPU.
    return sim.c.hostIrqHandler + this.vmm;
  }

  protected override mmioCost(sim: SchemeHost): number {
    return sim.c.apicMmioEmulation + this.vmm;
  }

  /** CR8 without a TPR shadow: EXIT:CR_ACCESS → apic_set_tpr (in KVM either way: CR8 is a register, not MMIO). */
  guestTprAccess(sim: SchemeHost, vc: SchemeVcpu): void {
    sim.exit(vc, R.CR_ACCESS, causeOfVector(vc, vc.handlerVector), sim.c.tprEmulation, handlerIsRunningDevice(vc));
  }
}
