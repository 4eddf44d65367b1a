// The vocabulary the engine (sim/) and the schemes (hv/) share: exit reasons, exit causes, interrupt kinds, run
// states, guest phases and the guest's broadcast write modes (DESIGN §19.1). It sits below both, so every arrow points one way: sim/ and hv/ import
// it, neither imports the other's values for it. Its one import is the descriptor list (hv/descriptors.ts, data
// only, no scheme code): the exit reasons a scheme adds are declared in its descriptor and appended here.
//
// Exit reasons are typed (DESIGN §3): every exit the model takes carries one, so exit counts per scheme are
// assertions, not estimates. x86 names follow the VMX basic exit reasons (semantics §A.2); ARM names the
// trap to EL2.

import { SCHEME_EXIT_REASONS } from '../hv/descriptors.ts';

/** The exit reasons every x86 or ARM hypervisor scheme shares (the order of results' `exits.byReason`). */
const SHARED_EXIT_REASONS = [
  'EXTERNAL_INTERRUPT', // VMX reason 1: a physical interrupt arrived in non-root with external-interrupt exiting
  'INTERRUPT_WINDOW', // reason 7
  'HLT', // reason 12
  'MSR_WRITE', // reason 32 (x2APIC EOI / ICR writes, IA32_TSC_DEADLINE)
  'MSR_READ', // reason 31 (x2APIC register reads without APIC-register virtualization)
  'CR_ACCESS', // reason 28 (CR8 = TPR access without a TPR shadow)
  'APIC_ACCESS', // reason 44 (xAPIC page access, fault-like)
  'EOI_INDUCED', // reason 45 (APICv, EOI-exit bitmap)
  'APIC_WRITE', // reason 56 (APICv trap-like write)
  'TPR_BELOW_THRESHOLD', // reason 43
  'PREEMPTION_TIMER', // reason 52: the VMX-preemption timer KVM arms for the guest's LAPIC timer deadline
  'EXCEPTION_NP', // reason 0 with #NP: ELI's host-interrupt exit
  'ARM_IRQ', // physical IRQ taken to EL2
  'ARM_WFI', // WFI trapped
  'ARM_SYSREG', // trapped ICC/ICV system-register access (SGI send, DIR with TDIR)
  'ARM_MMIO', // trapped GICD MMIO (GICv2 SGIR, etc.)
  'MAINTENANCE', // GIC maintenance interrupt
  'DOORBELL', // GICv4 doorbell taken while the vPE was not resident
  'VMCALL', // reason 18: a hypercall (KVM_HC_SEND_IPI, the PV broadcast of DESIGN §16)
] as const;

/**
 * Every VM-exit reason the model counts, the keys of `exits.byReason` in the results (DESIGN §3): shared reasons
 * first, then each scheme's own in descriptor order (new reasons append: old indices stay).
 */
export const EXIT_REASONS = [...SHARED_EXIT_REASONS, ...SCHEME_EXIT_REASONS] as const;

/** One exit reason name (EXIT_REASONS). */
export type ExitReason = (typeof SHARED_EXIT_REASONS)[number] | (typeof SCHEME_EXIT_REASONS)[number];
export const NUM_EXIT_REASONS = EXIT_REASONS.length;
export const ExitReasonId = Object.fromEntries(EXIT_REASONS.map((r, i) => [r, i])) as Record<ExitReason, number>;

/** What caused an exit, for attribution ("exits per device interrupt while running"). */
export const CAUSE_DEVICE = 0;
export const CAUSE_IPI = 1;
export const CAUSE_GUEST_TIMER = 2;
export const CAUSE_HOST_TICK = 3;
export const CAUSE_HALT = 4;
export const CAUSE_SCHED = 5;
export const CAUSE_NAMES = ['device', 'ipi', 'guestTimer', 'hostTick', 'halt', 'sched'] as const;
export const NUM_CAUSES = CAUSE_NAMES.length;

// Run state: where the vCPU's thread is.
export const RUN_GUEST = 0; // executing guest code in non-root mode
export const RUN_ROOT = 1; // in the hypervisor (exit handling, wake-up, schedule-in)
export const RUN_BLOCKED = 2; // halted (HLT/WFI) and blocked
export const RUN_DESCHED = 3; // runnable, waiting for its pCPU

// Guest program phase: what the guest executes when it runs.
export const PH_WORK = 0; // useful work, IF = 1
export const PH_HANDLER = 1; // interrupt handler body, IF = 0
export const PH_POST_EOI = 2; // EOI done, IRET next, IF = 0
export const PH_HALT = 3; // executed HLT

// Interrupt kinds by guest vector.
export const KIND_NONE = 0;
export const KIND_DEVICE = 1;
export const KIND_IPI = 2;
export const KIND_TIMER = 3;
/** Rescheduling IPI (x86 RESCHEDULE_VECTOR, ARM IPI_RESCHEDULE) and call-function IPI of a broadcast (DESIGN §16). */
export const KIND_RESCHED = 4;
export const KIND_CALL_FUNC = 5;
export const NUM_KINDS = 6;

/**
 * How an x86 guest writes a broadcast (guest.tlbShootdown.send): the engine's IPI patterns choose it per vCPU
 * (sim/ipi-patterns.ts), the scheme prices the writes (guestSendIpiMany); ARM schemes ignore it.
 */
export const BCAST_SHORTHAND = 0;
export const BCAST_PV_SEND_IPI = 1;
export const BCAST_PER_TARGET = 2;
