// The whole contract between the engine and a scheme (DESIGN §19.5). One DeliveryScheme interface (like KVM's
// kvm_x86_ops / the vgic per-version backends) is what the engine calls: the engine owns time, scheduling, the guest
// program and accounting; a scheme owns where an interrupt goes and what each step costs. SchemeHost and SchemeVcpu
// are what a scheme may use of the engine. One file per scheme implements it.

import type { CostTable } from '../scenario/costs.ts';
import type { SchemeId } from '../scenario/schema.ts';
import type { Sim } from '../sim/engine.ts';
import type { Vcpu } from '../sim/vcpu.ts';

/**
 * The vCPU context as a scheme sees it (DESIGN §19.5): the engine's fields (run state, phase, segment start,
 * handler and root-mode state, accounting, …) are read-only, so a scheme that writes engine state fails to compile;
 * its architectural state (LAPIC, PI descriptor and the other arena views, the pending-interrupt ledger) stays
 * writable through those objects. A scheme's own per-vCPU mode bits (the VMX interrupt window, ELI's injection mode,
 * the PI wake-up list, a host tick held off by IF = 0) live in its own typed arrays, indexed by `vc.index`.
 */
export type SchemeVcpu = Readonly<Vcpu>;

/** The members of the engine a scheme may call or read (SchemeHost). */
type HostMember =
  // time, configuration, read-only queries
  | 'now'
  | 'scenario'
  | 'topo'
  | 'guest'
  | 'P'
  | 'V'
  | 'arena'
  | 'exitHandledAt'
  | 'guestInterruptible'
  | 'pcpuAlone'
  // guest effects
  | 'deliverNow'
  | 'stall'
  | 'completeEoi'
  | 'haltNotTaken'
  | 'leaveNativeWfi'
  // exits and root mode
  | 'exit'
  | 'exitAtEntry'
  | 'rootWork'
  | 'haltExit'
  | 'injectAtEntry'
  // host effects
  | 'hostInterruptOnPcpu'
  | 'wake'
  | 'kick'
  | 'sendIpi'
  | 'schemeAt'
  | 'haltPcpu'
  | 'leaveHaltOnPcpu'
  // bookkeeping and tracing
  | 'countBlocking'
  | 'countHwCycles'
  | 'countCoalesced'
  | 'cancelActivity'
  | 'trace';

/**
 * What a scheme may use of the engine (DESIGN §19.5): time and the run's resolved costs, read-only queries, guest
 * effects (deliverNow, stall, completeEoi; haltNotTaken and leaveNativeWfi for an HLT/WFI that an interrupt ends in
 * guest mode), exits (exit, exitAtEntry, rootWork, haltExit, injectAtEntry), host effects (hostInterruptOnPcpu,
 * wake, kick, sendIpi, schemeAt; haltPcpu and leaveHaltOnPcpu for bare metal's physical CPUs), bookkeeping
 * (countBlocking, countHwCycles, countCoalesced, cancelActivity) and the trace hook. Every hook below receives this,
 * not the whole Sim, so a member a scheme starts to use is added here on purpose. It is read-only: no scheme writes
 * engine state — the vCPUs are SchemeVcpu and the current vCPU of each pCPU is a read-only table; the engine's
 * counters are not part of it (the named bookkeeping calls update them).
 */
export type SchemeHost = Readonly<Pick<Sim, HostMember>> & {
  /** The run's resolved costs (cycles). */
  readonly c: Readonly<CostTable>;
  /** Every vCPU's context by index (holes for VMs wholly on another shard). */
  readonly vcpus: readonly SchemeVcpu[];
  /** The vCPU index current on each pCPU, −1 when none. */
  readonly pcpuCur: Readonly<Int32Array>;
};

export interface DeliveryScheme {
  readonly id: SchemeId;
  /** False only for bare-metal: no root mode, no exits, every vCPU is a physical CPU. */
  readonly virtualized: boolean;
  /**
   * Exit reason the engine charges for a physical interrupt taken in guest mode on the scheme's behalf (kick,
   * preemption, host interrupts) and for the host side of a wake-up from a blocked state. Defaults: x86
   * EXTERNAL_INTERRUPT and HLT; ARM schemes name the trap to EL2 (ARM_IRQ, ARM_WFI).
   */
  readonly hostIrqExitReason?: number;
  readonly haltExitReason?: number;

  /** Per-vCPU setup (reset architectural state); the scheme's per-vCPU arrays were sized by its constructor. */
  init(sim: SchemeHost, vc: SchemeVcpu): void;
  /** An assigned device's MSI for guest vector `vector` reaches the interrupt controller / IOMMU. */
  deviceInterrupt(sim: SchemeHost, vc: SchemeVcpu, vector: number, raisedAt: number): void;
  /**
   * A software-originated virtual interrupt (IPI arrival, emulated guest timer) for vc. `srcTag` is the tag the
   * sender passed to Sim.sendIpi (0 when none).
   */
  softwareInterrupt(
    sim: SchemeHost,
    vc: SchemeVcpu,
    vector: number,
    raisedAt: number,
    cause: number,
    srcTag?: number,
  ): void;
  /**
   * The host timer tick on pCPU `p`; `vc` is the vCPU currently on it (null when idle). Absent: the tick is a
   * physical host interrupt on `p` (hostInterruptOnPcpu with hostTickHandler, CAUSE_HOST_TICK and
   * hostIrqExitReason): an exit from guest mode, root work in root mode, nothing on an idle pCPU.
   */
  hostTick?(sim: SchemeHost, p: number, vc: SchemeVcpu | null): void;
  /** The guest handler body finished and the guest writes EOI. */
  guestEoi(sim: SchemeHost, vc: SchemeVcpu): void;
  /**
   * The guest enables interrupts again: IRET at the end of a handler, or the end of the STI shadow after an
   * interrupts-off section. May start the next handler or take the interrupt-window exit.
   */
  guestIret(sim: SchemeHost, vc: SchemeVcpu): void;
  /** The guest executes HLT with IF = 1. */
  guestHalt(sim: SchemeHost, vc: SchemeVcpu): void;
  /**
   * The guest writes the ICR (x86) or an SGI register (ARM) to send `vector` to `target`; `raisedAt` is when the
   * guest's IPI source asked for it (earlier than now if the send was deferred). The scheme charges the sender's
   * side and calls Sim.sendIpi with the departure time (the end of the ICR emulation when the write exits).
   */
  guestSendIpi(sim: SchemeHost, vc: SchemeVcpu, target: SchemeVcpu, vector: number, raisedAt: number): void;
  /**
   * The guest sends `vector` to targets[0..n) — every other vCPU of its VM, ascending (a broadcast with wait,
   * DESIGN §16; hv/ipi-broadcast.ts). `mode` is the x86 guest's write (BCAST_* of model/vocabulary.ts; ARM
   * ignores it). The scheme charges the sender's writes and calls Sim.sendIpi once per target.
   */
  guestSendIpiMany(
    sim: SchemeHost,
    vc: SchemeVcpu,
    targets: Int32Array,
    n: number,
    vector: number,
    raisedAt: number,
    mode: number,
  ): void;
  /**
   * Just before VM entry (virtualized schemes): sync and choose an injection (SchemeHost.injectAtEntry). Returns
   * extra root cycles. Absent: nothing to sync or inject, 0 cycles (bare metal never enters).
   */
  beforeEntry?(sim: SchemeHost, vc: SchemeVcpu): number;
  /** Whether a blocked vCPU has something that must wake it / keep it from blocking. */
  hasWakeEvent(sim: SchemeHost, vc: SchemeVcpu): boolean;
  /** vcpu_load on pCPU (schedule in). Returns root cycles spent. Absent: the scheme keeps no per-pCPU state, 0 cycles. */
  schedIn?(sim: SchemeHost, vc: SchemeVcpu): number;
  /**
   * vcpu_put: preempted (runnable) or blocking (HLT). Returns root cycles spent (the engine does not charge them
   * today). Absent: nothing to put, 0 cycles.
   */
  schedOut?(sim: SchemeHost, vc: SchemeVcpu, blocking: boolean): number;
  /** Interrupts raised for vc but not yet delivered (for conservation at the end of a run). */
  pendingCount(sim: SchemeHost, vc: SchemeVcpu): number;
  /** Visits the raise time of each of those interrupts (pendingCount visits; ages of starved interrupts). */
  forEachPending(sim: SchemeHost, vc: SchemeVcpu, visit: (raisedAt: number) => void): void;
  /**
   * The guest programs its LAPIC timer (x86: WRMSR IA32_TSC_DEADLINE, or a TMICT write in one-shot mode, per
   * sim.guest.timerOneshot). Absent: programming the timer costs nothing the model charges (ARM CNTV_CVAL_EL0).
   */
  guestTimerArm?(sim: SchemeHost, vc: SchemeVcpu): void;
  /** The guest handler reads an APIC register (ISR/IRR/PPR). Absent: the read is virtualized or native. */
  guestApicRead?(sim: SchemeHost, vc: SchemeVcpu): void;
  /** The guest handler writes CR8/TPR. Absent: a TPR shadow (or the GIC's PMR) absorbs it. */
  guestTprAccess?(sim: SchemeHost, vc: SchemeVcpu): void;
  /**
   * A physical host interrupt (host timer tick, kick, another vCPU's device, preemption) arrives while vc runs
   * in guest mode. Absent: the engine takes an exit of `reason` (external-interrupt exiting / IRQ to EL2).
   */
  physicalInterrupt?(
    sim: SchemeHost,
    vc: SchemeVcpu,
    reason: number,
    cause: number,
    handling: number,
    runningDevice: boolean,
  ): void;
  /**
   * Right after an exit from guest mode: host work the scheme adds to it (KVM reading the PV EOI flag back; the
   * physical interrupts ELI held off while the guest had IF = 0, taken now by the host). Returns cycles.
   */
  onExitFromGuest?(sim: SchemeHost, vc: SchemeVcpu): number;
  /** End of the run, per owned vCPU after its pending interrupts were counted: close the scheme's counters. */
  atEnd?(sim: SchemeHost, vc: SchemeVcpu): void;
  /** A timed event the scheme scheduled with Sim.schemeAt (e.g. a GIC maintenance interrupt becoming visible). */
  onSchemeEvent?(sim: SchemeHost, vc: SchemeVcpu, a0: number): void;
}
