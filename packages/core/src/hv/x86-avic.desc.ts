// x86-avic: AMD AVIC (and x2AVIC for x2APIC guests) with the IOMMU's guest virtual APIC mode (APM vol. 2 §15.29).

import { CPU_COSTS, KVM_COSTS, KVM_X86_COSTS, TRANSIT_COSTS } from './common-costs.ts';
import { costFamily, type SchemeDescriptor } from './descriptor.ts';

/** The AVIC and IOMMU GA-mode steps (docs/costs.md §4.6: every one an estimate). */
export const AVIC_COSTS = costFamily('avic', {
  avicIpiSend:
    'AVIC: the accelerated ICR write (physical-ID-table lookup, IRR set in the target’s backing page, doorbell), no exit.',
  avicDoorbell: 'AVIC: a running target takes the doorbell in guest mode and rescans its backing page’s IRR (no exit).',
  avicVintrDelivery:
    'AVIC: a virtual interrupt taken from the backing page through the guest IDT (at VMRUN or on a doorbell).',
  avicEoi: 'AVIC: the accelerated EOI write of an edge-triggered interrupt (no exit).',
  avicNoaccelHandling: 'AVIC: EXIT:AVIC_NOACCEL of a trap-like APIC write (TMICT, level EOI) → kvm_lapic_reg_write.',
  avicIncompleteIpiHandling: 'AVIC: EXIT:AVIC_INCOMPLETE_IPI (target not running) → avic_kick_target_vcpus.',
  avicGaLogHandler: 'AVIC: host IOMMU GA-log interrupt → iommu_poll_ga_log → avic_ga_log_notifier → kvm_vcpu_wake_up.',
  avicLoadPut: 'AVIC: avic_vcpu_load / avic_vcpu_put (physical-ID-table entry, IsRunning, IRTE IsRun and destination).',
});

export const X86_AVIC = {
  id: 'x86-avic',
  virtualized: true,
  arch: ['x86'],
  summary: 'AMD AVIC (x2AVIC with host.x2apic) + IOMMU guest virtual APIC (GA) mode',
  reads: { x86: [TRANSIT_COSTS, CPU_COSTS, KVM_COSTS, KVM_X86_COSTS, AVIC_COSTS] },
  owns: [AVIC_COSTS],
  exitReasons: ['AVIC_INCOMPLETE_IPI', 'AVIC_NOACCEL'],
  counters: [],
  vcpuState: { arena: ['lapic'], private: ['physical APIC ID table entry (2 words)', 'GA-mode IRTE (4 words)'] },
  options: {},
  wholeVms:
    'the accelerated ICR write reads the target’s physical APIC ID table entry (IsRunning) as it is made, and the ' +
    'sender exits (AVIC_INCOMPLETE_IPI) or not on what it finds',
} as const satisfies SchemeDescriptor;
