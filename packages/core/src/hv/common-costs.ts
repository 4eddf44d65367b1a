// The cost families more than one scheme reads (DESIGN §19.8): the engine itself (transit), the CPU steps of bare
// metal and of the host, the native LAPIC / GIC CPU interface, KVM's generic exit and scheduling work, and KVM's
// software x86 local APIC. A scheme's own family lives in its descriptor file. Each key is in exactly one family.

import { costFamily } from './descriptor.ts';

/** Read by the engine for every scheme: latency-only transits (no CPU is busy). */
export const TRANSIT_COSTS = costFamily('transit', {
  msiDelivery: 'Device MSI write → interrupt pending at the target’s (I)APIC / IOMMU.',
  ipiLatency: 'IPI transit between pCPUs, per preset (derived from its virtual-IPI figure, docs/costs.md §3.4).',
  csdAckLatency: 'A target’s csd_unlock store reaching the sender spinning in csd_lock_wait (cache-line transfer).',
});

/** CPU steps of bare metal (either architecture); the host tick is also charged under every hypervisor. */
export const CPU_COSTS = costFamily('cpu', {
  irqDelivery: 'IDT vectoring into a handler (also ELI’s shadow IDT); ARM: exception entry to the IRQ vector.',
  haltWake: 'Leaving HLT (C1) on bare metal.',
  ipiSendLocal: 'Native ICR write.',
  hostTickHandler: 'Host (or bare-metal OS) timer-tick handler.',
  timerArmLocal: 'Native LAPIC timer programming (WRMSR IA32_TSC_DEADLINE or a TMICT write).',
});

/** The native x2APIC EOI (bare metal on x86, ELI's exitless EOI). */
export const X86_LAPIC_COSTS = costFamily('x86-lapic', {
  eoiLocal: 'Native x2APIC EOI (WRMSR 0x80B) retiring the ISR bit.',
});

/** The physical GIC CPU interface (bare metal on ARM). */
export const GIC_CPUIF_COSTS = costFamily('gic-cpuif', {
  gicAck: 'Bare metal: physical CPU interface acknowledge (GICC_IAR MMIO / ICC_IAR1_EL1).',
  gicEoi: 'Bare metal: physical EOI (GICC_EOIR / ICC_EOIR1_EL1).',
});

/** KVM on either architecture: exits, host interrupt handling, halt, wake-up, kicks, host scheduling. */
export const KVM_COSTS = costFamily('kvm', {
  exitRoundTrip: 'World switch: VM exit + VM entry (direct cost; a null hypercall’s round trip in the presets).',
  exitIndirect: 'Cache/TLB pollution added at each VM entry; 0 in every preset (docs/costs.md §2).',
  hostIrqHandler: 'Host handler of an assigned device interrupt: VFIO → irqfd → MSI route → accept into vIRR.',
  hltExitHandling: 'EXIT:HLT → kvm_vcpu_block bookkeeping.',
  vcpuWakeup: 'Waking a blocked vCPU thread until it runs again (host scheduler).',
  haltPollCheck: 'KVM halt-polling: one poll iteration (kvm_vcpu_check_block + cpu_relax), the wake-up’s detection.',
  kickHandling: 'Host handling of a kick (reschedule IPI) that forced an exit.',
  contextSwitch: 'Host switch between two vCPU threads on one pCPU.',
});

/** KVM's software local APIC on x86: injection, the emulated LAPIC register accesses, the LAPIC timer. */
export const KVM_X86_COSTS = costFamily('kvm-x86', {
  injectEvent: 'Kvm_check_and_inject_events + VM-entry interruption-info write.',
  eoiMsrEmulation: 'EXIT:MSR_WRITE of x2APIC EOI → apic_set_eoi.',
  apicMmioEmulation: 'EXIT:APIC_ACCESS → decode + emulate an xAPIC page access (x86-emul).',
  tprEmulation: 'EXIT:CR_ACCESS of CR8 without a TPR shadow → apic_set_tpr (x86-emul).',
  windowExitHandling: 'EXIT:INTERRUPT_WINDOW handling.',
  icrEmulation: 'EXIT:MSR_WRITE of x2APIC ICR → IPI emulation (accept + kick).',
  tscDeadlineEmulation: 'EXIT:MSR_WRITE of IA32_TSC_DEADLINE on KVM’s fastpath (handle_fastpath_set_tscdeadline).',
  timerExpiryHandling: 'Host side of a guest LAPIC-timer expiry: preemption-timer exit or hrtimer callback → inject.',
  apicUserspaceExit: 'Extra cost of an APIC access emulated in the VMM process (kernel-irqchip=off) over KVM.',
  pvEoiSync: 'PV EOI: apic_sync_pv_eoi_from_guest at the next exit (read the guest flag, apic_set_eoi).',
});
