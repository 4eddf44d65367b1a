// x86-eli: ELI exitless interrupts (shadow IDT, exitless x2APIC EOI; host interrupts exit via #NP).

import { CPU_COSTS, KVM_COSTS, KVM_X86_COSTS, TRANSIT_COSTS, X86_LAPIC_COSTS } from './common-costs.ts';
import { costFamily, type SchemeDescriptor } from './descriptor.ts';

/** ELI's own steps: the #NP exit's decode and the direct/injection mode switch. */
export const ELI_COSTS = costFamily('eli', {
  npExitHandling: 'EXIT:EXCEPTION(#NP) decode of a host vector before the host handler runs.',
  eliModeSwitch: 'Switching a vCPU between direct and injection mode (IDTR, VMCS controls, MSR bitmap).',
});

export const X86_ELI = {
  id: 'x86-eli',
  virtualized: true,
  arch: ['x86'],
  summary: 'ELI exitless interrupts (shadow IDT, exitless x2APIC EOI)',
  reads: { x86: [TRANSIT_COSTS, CPU_COSTS, X86_LAPIC_COSTS, KVM_COSTS, KVM_X86_COSTS, ELI_COSTS] },
  owns: [ELI_COSTS],
  exitReasons: [],
  counters: [],
  vcpuState: { arena: ['lapic', 'eliPhys'], private: ['VlapicEntryState', 'mode per vCPU', 'held host interrupts'] },
  options: {},
} as const satisfies SchemeDescriptor;
