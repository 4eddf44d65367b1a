// The cost model: every step of semantics §B that the hardware or the hypervisor performs has an entry, in
// cycles of the scenario's CPU. Presets live in presets.ts (each number cites a published figure in docs/costs.md,
// or says "estimate" and how it was chosen); scenario `costs.overrides` replace any entry by name.

/**
 * Every cost entry of the model (cycles each), in a fixed order: the keys of a {@link CostTable} and of a scenario's
 * `costs.overrides`. What each entry measures and where its figure comes from: docs/costs.md.
 */
export const COST_NAMES = [
  // latency-only transit (no CPU is busy)
  'msiDelivery', // device MSI write → interrupt pending at the target's (I)APIC / IOMMU
  'ipiLatency', // IPI transit between pCPUs, per preset (derived from its virtual-IPI figure, docs/costs.md §3.4)
  'csdAckLatency', // a target's csd_unlock store reaching the sender spinning in csd_lock_wait (cache-line transfer)
  // bare-metal hardware steps
  'irqDelivery', // IDT vectoring into a handler (also ELI's shadow IDT); ARM: exception entry to the IRQ vector
  'eoiLocal', // native x2APIC EOI (WRMSR 0x80B) retiring the ISR bit
  'haltWake', // leaving HLT (C1) on bare metal
  'ipiSendLocal', // native ICR write
  'hostTickHandler', // host (or bare-metal OS) timer-tick handler
  'timerArmLocal', // native LAPIC timer programming (WRMSR IA32_TSC_DEADLINE or a TMICT write)
  // VMX exits
  'exitRoundTrip', // world switch: VM exit + VM entry (direct cost; a null hypercall's round trip in the presets)
  'exitIndirect', // cache/TLB pollution added at each VM entry; 0 in every preset (docs/costs.md §2)
  'hostIrqHandler', // host handler of an assigned device interrupt: VFIO → irqfd → MSI route → accept into vIRR
  'injectEvent', // kvm_check_and_inject_events + VM-entry interruption-info write
  'eoiMsrEmulation', // EXIT:MSR_WRITE of x2APIC EOI → apic_set_eoi
  'apicMmioEmulation', // EXIT:APIC_ACCESS → decode + emulate an xAPIC page access (x86-emul)
  'tprEmulation', // EXIT:CR_ACCESS of CR8 without a TPR shadow → apic_set_tpr (x86-emul)
  'windowExitHandling', // EXIT:INTERRUPT_WINDOW handling
  'hltExitHandling', // EXIT:HLT → kvm_vcpu_block bookkeeping
  'vcpuWakeup', // waking a blocked vCPU thread until it runs again (host scheduler)
  'haltPollCheck', // KVM halt-polling: one poll iteration (kvm_vcpu_check_block + cpu_relax), the wake-up's detection
  'kickHandling', // host handling of a kick (reschedule IPI) that forced an exit
  'icrEmulation', // EXIT:MSR_WRITE of x2APIC ICR → IPI emulation (accept + kick)
  'contextSwitch', // host switch between two vCPU threads on one pCPU
  'tscDeadlineEmulation', // EXIT:MSR_WRITE of IA32_TSC_DEADLINE on KVM's fastpath (handle_fastpath_set_tscdeadline)
  'timerExpiryHandling', // host side of a guest LAPIC-timer expiry: preemption-timer exit or hrtimer callback → inject
  'apicUserspaceExit', // extra cost of an APIC access emulated in the VMM process (kernel-irqchip=off) over KVM
  'pvEoiSync', // PV EOI: apic_sync_pv_eoi_from_guest at the next exit (read the guest flag, apic_set_eoi)
  // APICv + posted interrupts
  'piNotification', // posted-interrupt processing in non-root (notification vector, PIR → VIRR), no exit
  'vidDelivery', // virtual-interrupt delivery (VIRR → VISR, guest IDT)
  'eoiVirtualized', // EOI virtualization (no exit)
  'piSync', // vmx_sync_pir_to_irr before entry
  'piWakeupHandler', // host wake-up vector (0xF1) handler: walk the wakeup list
  'piPutLoad', // vmx_vcpu_pi_put / vmx_vcpu_pi_load descriptor updates
  'ipivSend', // IPI virtualization: the CPU virtualizes the ICR write and posts into the target's PID (no exit)
  // ELI
  'npExitHandling', // EXIT:EXCEPTION(#NP) decode of a host vector before the host handler runs
  'eliModeSwitch', // switching a vCPU between direct and injection mode (IDTR, VMCS controls, MSR bitmap)
  // ARM GIC (semantics §B.5–§B.7). x86 presets carry them as "not used on x86".
  'gicAck', // bare metal: physical CPU interface acknowledge (GICC_IAR MMIO / ICC_IAR1_EL1)
  'gicEoi', // bare metal: physical EOI (GICC_EOIR / ICC_EOIR1_EL1)
  'vgicAckMmio', // GICv2 guest reads GICV_IAR (virtual CPU interface, no trap)
  'vgicEoiMmio', // GICv2 guest writes GICV_EOIR (no trap)
  'vgicAckSysreg', // GICv3/v4 guest reads ICV_IAR1_EL1 (no trap)
  'vgicEoiSysreg', // GICv3/v4 guest writes ICV_EOIR1_EL1 (no trap)
  'vgicStateMmio', // GICv2: fixed part of the GICH save/restore around one exit (HCR, VMCR, APR, ELRSR, MISR)
  'vgicStateSysreg', // GICv3: fixed part of the ICH_* save/restore around one exit
  'lrAccessMmio', // GICv2: one GICH_LR<n> write (flush) or read (sync)
  'lrAccessSysreg', // GICv3: one ICH_LR<n>_EL2 write or read
  'sgiTrapMmio', // GICv2: trapped GICD_SGIR write → MMIO decode + vgic_mmio_write_sgir (after the exit)
  'sgiTrapSysreg', // GICv3: trapped ICC_SGI1R_EL1 write → vgic_v3_dispatch_sgi (after the exit)
  'maintenanceHandling', // host handler of the maintenance interrupt (PPI 25): only forces the exit
  'maintenanceLatency', // virtual interface asserts maintenance → the PE takes the IRQ (latency only)
  'vtimerHandling', // host side of the guest's virtual timer (PPI 27 at EL2 / background hrtimer) → inject
  'vpeLoad', // GICv4 vgic_v4_load + commit: VPENDBASER.Valid = 1, wait for Dirty = 0 (make resident)
  'vpePut', // GICv4 vgic_v4_put: VPENDBASER.Valid = 0, PendingLast read back (make non-resident)
  'vmovp', // GICv4: ITS VMOVP when the vPE's redistributor changes
  'doorbellHandler', // GICv4: host doorbell LPI handler → pending_last, kick
  'doorbellToggle', // GICv4.0 only: enable/disable the per-vPE doorbell LPI around WFI (ITS INV)
] as const;

/** One cost entry's name (COST_NAMES). */
export type CostName = (typeof COST_NAMES)[number];
/** A value in CPU cycles for every cost entry. */
export type CostTable = Record<CostName, number>;

/** A named table of costs measured on one machine, with its sources (docs/costs.md). */
export interface CostPreset {
  /** The name a scenario's `costs.preset` uses. */
  name: string;
  /** What machine and hypervisor the figures describe. */
  description: string;
  /** CPU the figures were measured on, for `cpu.freqGHz` defaults and reports. */
  cpu: string;
  /** That CPU's clock, GHz: the cycle counts are at this frequency. */
  freqGHz: number;
  /** Every cost entry, cycles. */
  costs: CostTable;
}
