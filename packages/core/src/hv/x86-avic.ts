// x86-avic — AMD AVIC with the IOMMU's guest virtual APIC (GA) mode (APM vol. 2 §15.29; KVM svm/avic.c). The
// backing page is the vCPU's vAPIC page (IRR/ISR/TMR/PPR in the arena); the physical APIC ID table entry carries
// the host APIC ID and IsRunning, which avic_vcpu_load / avic_vcpu_put (schedIn / schedOut) set and clear, with
// the IRTE's IsRun and destination. A device interrupt sets its IRR bit; to a running vCPU the IOMMU rings the
// doorbell (no exit), to a non-running one it writes a GA log entry and raises the GA log interrupt, whose
// handler wakes the vCPU (avic_ga_log_notifier → kvm_vcpu_wake_up). A guest ICR write is accelerated: IRR set and
// doorbell for a running target (no exit); a target not running costs the sender an AVIC_INCOMPLETE_IPI exit,
// after which KVM wakes the target. EOIs of edge interrupts are accelerated; TMICT writes (xAPIC) and level EOIs
// exit as AVIC_NOACCEL. With host.x2apic the guest runs x2AVIC (Zen 4+): the same acceleration over the x2APIC
// MSRs, the timer MSRs intercepted (EXIT:MSR_WRITE). Exit reasons other than the two AVIC ones keep their VMX
// names (EXTERNAL_INTERRUPT ≈ VMEXIT_INTR, HLT, MSR_WRITE ≈ VMEXIT_MSR).

import {
  AvicPhysicalIdTable,
  avicIpiOutcome,
  GA_POST_DOORBELL,
  GA_POST_LOG,
  GaIrte,
  GaLog,
  gaPostOutcome,
  gaTag,
  gaTagVcpu,
  gaTagVm,
  IPI_ACCELERATED,
} from '../arch/x86/avic.ts';
import { vecCount, vecForEach, vecTest } from '../arch/x86/bitmap.ts';
import { ackIrq, eoi, LAPIC_SVR, pendingDeliverable, SVR_APIC_ENABLED } from '../arch/x86/lapic.ts';
import { BCAST_SHORTHAND, PH_WORK, RUN_BLOCKED, RUN_GUEST } from '../model/vocabulary.ts';
import { CAUSE_DEVICE, CAUSE_GUEST_TIMER, CAUSE_IPI, ExitReasonId } from './exit-reasons.ts';
import { type X86BroadcastOps, x86SendIpiMany } from './ipi-broadcast.ts';
import type { DeliveryScheme, SchemeHost, SchemeVcpu } from './scheme.ts';
import { lapicTimerArm, lapicTimerExpiry } from './x86/lapic-timer.ts';
import { causeOfVector, entryInterruptible, vlapicAccept } from './x86/vlapic-inject.ts';

const R = ExitReasonId;
/** Sim.sendIpi tags: the hardware set IRR and rang the doorbell; or the target was not running (KVM kicks it). */
const TAG_AVIC_DOORBELL = 1;
const TAG_AVIC_NOT_RUNNING = 2;
/** Backing pages of the model's vCPUs: 4 KiB apart from an arbitrary host-physical base. */
const BACKING_BASE = 0x1_0000_0000;

export class X86AvicScheme implements DeliveryScheme, X86BroadcastOps {
  readonly id = 'x86-avic' as const;
  readonly virtualized = true;
  /** Physical APIC ID tables of every VM, concatenated: vCPU i's entry is entry i. */
  readonly phys: AvicPhysicalIdTable;
  /** One GA-mode IRTE per vCPU: KVM updates every IRTE of a vCPU's ir_list together, so they agree. */
  readonly irte: GaIrte[];
  /** The IOMMU's GA log (one per host). */
  readonly gaLog = new GaLog();
  /** First global vCPU index of each VM instance (decodes a GA tag). */
  private readonly vmFirst: Int32Array;

  constructor(host: SchemeHost) {
    this.phys = new AvicPhysicalIdTable(host.V);
    this.irte = Array.from({ length: host.V }, () => new GaIrte());
    this.vmFirst = Int32Array.from(host.topo.vms, (vm) => vm.firstVcpu);
  }

  init(_sim: SchemeHost, vc: SchemeVcpu): void {
    vc.lapic.regs[LAPIC_SVR] = SVR_APIC_ENABLED | 0xff;
    const page = BACKING_BASE + vc.index * 4096;
    this.phys.init(vc.index, page); // avic_init_backing_page: Valid, IsRunning = 0 until the first load
    this.irte[vc.index].setGuestMode(page, gaTag(vc.vm + 1, vc.vmVcpu), 0); // svm_update_pi_irte
  }

  /** The hardware's delivery from the backing page: highest IRR above PPR, taken when the guest has IF = 1. */
  private evaluate(sim: SchemeHost, vc: SchemeVcpu): void {
    if (vc.run !== RUN_GUEST || vc.phase !== PH_WORK || vc.irqsOff || vc.stiShadow) return;
    const v = pendingDeliverable(vc.lapic);
    if (v < 0) return;
    ackIrq(vc.lapic, v);
    sim.deliverNow(vc, v, vc.ledger.acceptedAt(v), vc.ledger.acceptedRunning(v), sim.c.avicVintrDelivery);
  }

  /** A doorbell reaches vc's pCPU: in guest mode the core rescans IRR; in host mode it is dropped (VMRUN sees IRR). */
  private doorbell(sim: SchemeHost, vc: SchemeVcpu): void {
    if (sim.trace !== null) sim.trace(sim.now, vc.index, 'AVIC_DOORBELL', this.phys.hostApicId(vc.index));
    if (vc.run === RUN_GUEST) {
      sim.stall(vc, sim.c.avicDoorbell);
      this.evaluate(sim, vc);
    } else if (vc.run === RUN_BLOCKED) sim.wake(vc); // halt-polling, still loaded: the poll loop sees IRR
  }

  deviceInterrupt(sim: SchemeHost, vc: SchemeVcpu, vector: number, raisedAt: number): void {
    const e = this.irte[vc.index];
    e.setVector(vector);
    vlapicAccept(sim, vc, vector, raisedAt, vc.run === RUN_GUEST ? 1 : 0); // IOMMU: IRR bit in the backing page
    const outcome = gaPostOutcome(e);
    if (outcome === GA_POST_DOORBELL) return this.doorbell(sim, vc);
    if (outcome === GA_POST_LOG) this.gaLogInterrupt(sim, vc, e.tag());
  }

  /** The IOMMU logs the GA tag and interrupts the host; the handler drains the log and wakes each vCPU. */
  private gaLogInterrupt(sim: SchemeHost, vc: SchemeVcpu, tag: number): void {
    this.gaLog.append(tag);
    if (sim.trace !== null) sim.trace(sim.now, vc.index, 'GA_LOG', tag);
    const p = vc.pcpu;
    const idle = sim.pcpuCur[p] < 0;
    if (!idle) sim.hostInterruptOnPcpu(p, sim.c.avicGaLogHandler, CAUSE_DEVICE);
    for (let t = this.gaLog.take(); t >= 0; t = this.gaLog.take()) {
      const target = sim.vcpus[this.vmFirst[gaTagVm(t) - 1] + gaTagVcpu(t)];
      sim.wake(target, idle && target === vc ? sim.c.avicGaLogHandler : 0); // no-op unless blocked
    }
  }

  softwareInterrupt(
    sim: SchemeHost,
    vc: SchemeVcpu,
    vector: number,
    raisedAt: number,
    cause: number,
    srcTag = 0,
  ): void {
    if (cause === CAUSE_GUEST_TIMER) lapicTimerExpiry(sim, vc); // the timer is not virtualized: exit or wake first
    vlapicAccept(sim, vc, vector, raisedAt, 0);
    if (srcTag === TAG_AVIC_DOORBELL) return this.doorbell(sim, vc);
    // KVM's kick after AVIC_INCOMPLETE_IPI, or svm_deliver_avic_intr: doorbell if running, else wake.
    if (srcTag !== TAG_AVIC_NOT_RUNNING && this.phys.isRunning(vc.index)) return this.doorbell(sim, vc);
    if (vc.run === RUN_GUEST) this.evaluate(sim, vc);
    else if (vc.run === RUN_BLOCKED) sim.wake(vc);
  }

  guestEoi(sim: SchemeHost, vc: SchemeVcpu): void {
    const v = eoi(vc.lapic);
    const level = v >= 0 && vecTest(vc.lapic.TMR, v);
    if (!level) sim.stall(vc, sim.c.avicEoi); // accelerated (edge)
    sim.completeEoi(vc, vc.segStart);
    // A level-triggered EOI is a trap-like unaccelerated write: AVIC_NOACCEL after it lands in the backing page.
    if (level) sim.exit(vc, R.AVIC_NOACCEL, causeOfVector(vc, v), sim.c.avicNoaccelHandling);
    else this.evaluate(sim, vc);
  }

  guestIret(sim: SchemeHost, vc: SchemeVcpu): void {
    this.evaluate(sim, vc);
  }

  guestHalt(sim: SchemeHost, vc: SchemeVcpu): void {
    if (pendingDeliverable(vc.lapic) >= 0) {
      sim.haltNotTaken(vc); // a deliverable interrupt in IRR: HLT does not block
      return this.evaluate(sim, vc);
    }
    sim.haltExit(vc, sim.c.hltExitHandling);
  }

  guestSendIpi(sim: SchemeHost, vc: SchemeVcpu, target: SchemeVcpu, vector: number, raisedAt: number): void {
    const outcome = avicIpiOutcome(this.phys, target.index);
    if (outcome === IPI_ACCELERATED) {
      sim.stall(vc, sim.c.avicIpiSend);
      sim.sendIpi(vc, target, vector, raisedAt, TAG_AVIC_DOORBELL, vc.segStart);
      return;
    }
    // The hardware set the target's IRR, then the sender exits with the failure cause; KVM wakes the target.
    if (sim.trace !== null) sim.trace(sim.now, vc.index, 'AVIC_INCOMPLETE_IPI', outcome);
    sim.exit(vc, R.AVIC_INCOMPLETE_IPI, CAUSE_IPI, sim.c.avicIncompleteIpiHandling);
    sim.sendIpi(vc, target, vector, raisedAt, TAG_AVIC_NOT_RUNNING, sim.exitHandledAt(vc));
  }

  /**
   * A broadcast. AVIC accelerates a destination shorthand (all-but-self) like a unicast write: one accelerated
   * write when every target runs, else one AVIC_INCOMPLETE_IPI exit after which KVM kicks the targets that are not
   * running. Per-target writes and the PV hypercall go the common way.
   */
  guestSendIpiMany(
    sim: SchemeHost,
    vc: SchemeVcpu,
    targets: Int32Array,
    n: number,
    vector: number,
    raisedAt: number,
    mode: number,
  ): void {
    if (mode !== BCAST_SHORTHAND) return x86SendIpiMany(this, sim, vc, targets, n, vector, raisedAt, mode);
    let all = true;
    for (let k = 0; k < n && all; k++) all = avicIpiOutcome(this.phys, targets[k]) === IPI_ACCELERATED;
    if (all) {
      sim.stall(vc, sim.c.avicIpiSend);
      for (let k = 0; k < n; k++)
        sim.sendIpi(vc, sim.vcpus[targets[k]], vector, raisedAt, TAG_AVIC_DOORBELL, vc.segStart);
      return;
    }
    this.icrShorthandExit(sim, vc, n);
    const at = sim.exitHandledAt(vc);
    for (let k = 0; k < n; k++) {
      const running = avicIpiOutcome(this.phys, targets[k]) === IPI_ACCELERATED;
      sim.sendIpi(vc, sim.vcpus[targets[k]], vector, raisedAt, running ? TAG_AVIC_DOORBELL : TAG_AVIC_NOT_RUNNING, at);
    }
  }

  icrShorthandExit(sim: SchemeHost, vc: SchemeVcpu, _n: number): void {
    sim.exit(vc, R.AVIC_INCOMPLETE_IPI, CAUSE_IPI, sim.c.avicIncompleteIpiHandling);
  }

  guestTimerArm(sim: SchemeHost, vc: SchemeVcpu): void {
    lapicTimerArm(sim, vc, (s, v) => {
      // xAPIC: TMICT is not accelerated (a trap-like AVIC_NOACCEL); x2AVIC: the timer MSRs are intercepted.
      if (s.scenario.host.x2apic) s.exit(v, R.MSR_WRITE, CAUSE_GUEST_TIMER, s.c.tscDeadlineEmulation);
      else s.exit(v, R.AVIC_NOACCEL, CAUSE_GUEST_TIMER, s.c.avicNoaccelHandling);
    });
  }

  beforeEntry(sim: SchemeHost, vc: SchemeVcpu): number {
    // VMRUN: the hardware evaluates the backing page's IRR against PPR and injects when the guest has IF = 1.
    if (!entryInterruptible(vc)) return 0;
    const v = pendingDeliverable(vc.lapic);
    if (v < 0) return 0;
    ackIrq(vc.lapic, v);
    sim.injectAtEntry(vc, v, vc.ledger.acceptedAt(v), vc.ledger.acceptedRunning(v));
    return sim.c.avicVintrDelivery;
  }

  hasWakeEvent(_sim: SchemeHost, vc: SchemeVcpu): boolean {
    return pendingDeliverable(vc.lapic) >= 0;
  }

  schedIn(sim: SchemeHost, vc: SchemeVcpu): number {
    this.phys.load(vc.index, vc.pcpu); // avic_vcpu_load: host APIC ID = the pCPU's, IsRunning = 1
    this.irte[vc.index].updateGa(true, vc.pcpu);
    return sim.c.avicLoadPut;
  }

  schedOut(sim: SchemeHost, vc: SchemeVcpu, _blocking: boolean): number {
    this.phys.put(vc.index); // avic_vcpu_put (preempted) or svm_vcpu_blocking: IsRunning = 0
    this.irte[vc.index].updateGa(false, 0);
    return sim.c.avicLoadPut;
  }

  pendingCount(_sim: SchemeHost, vc: SchemeVcpu): number {
    return vecCount(vc.lapic.IRR);
  }

  forEachPending(_sim: SchemeHost, vc: SchemeVcpu, visit: (raisedAt: number) => void): void {
    const l = vc.ledger;
    vecForEach(vc.lapic.IRR, (v) => visit(l.acceptedAt(v)));
  }
}
