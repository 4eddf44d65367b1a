// x86-vmx and x86-emul: KVM's software local APIC, every LAPIC access an exit (x86-emul: including the TPR, and
// optionally in the VMM process). They read only the shared families (hv/common-costs.ts).

import { CPU_COSTS, KVM_COSTS, KVM_X86_COSTS, TRANSIT_COSTS } from './common-costs.ts';
import type { SchemeDescriptor } from './descriptor.ts';

const KVM_SOFTWARE_LAPIC = [TRANSIT_COSTS, CPU_COSTS, KVM_COSTS, KVM_X86_COSTS] as const;

export const X86_EMUL = {
  id: 'x86-emul',
  virtualized: true,
  arch: ['x86'],
  summary: 'full software emulation of the local APIC (every LAPIC access traps)',
  reads: { x86: KVM_SOFTWARE_LAPIC },
  owns: [],
  exitReasons: [],
  counters: [],
  vcpuState: { arena: ['lapic'], private: ['VlapicEntryState', 'pvEoiPending', 'pvEoiDone', 'isrCacheValid'] },
  options: {
    lapic: {
      type: 'enum',
      values: ['kernel', 'userspace'],
      default: 'kernel',
      meaning:
        'Where the emulated LAPIC lives: in KVM (`kernel`) or in the VMM process (`userspace`, QEMU ' +
        'kernel-irqchip=off: every APIC access is an exit to user space).',
    },
  },
} as const satisfies SchemeDescriptor;

export const X86_VMX = {
  id: 'x86-vmx',
  virtualized: true,
  arch: ['x86'],
  summary: 'VMX baseline: external-interrupt exiting, injection on entry, EOI write traps',
  reads: { x86: KVM_SOFTWARE_LAPIC },
  owns: [],
  exitReasons: [],
  counters: [],
  vcpuState: { arena: ['lapic'], private: ['VlapicEntryState', 'pvEoiPending', 'pvEoiDone', 'isrCacheValid'] },
  options: {
    pvEoi: {
      type: 'boolean',
      default: true,
      meaning:
        'KVM PV EOI (MSR_KVM_PV_EOI_EN, Linux ≥ 3.6 guests): the guest skips the EOI exit when KVM says ' +
        'nothing else is pending (kvm_guest_apic_eoi_write). On for a modern guest; off for the ELI-era one.',
    },
  },
} as const satisfies SchemeDescriptor;
