// bare-metal — no virtualization: each vCPU of the scenario is a physical CPU whose LAPIC delivers straight to the
// OS handler through the IDT, EOI is a native x2APIC WRMSR, HLT halts the CPU until the next interrupt. The
// reference every scheme's guest work is compared against. With arch 'arm' the same CPU model stands for a GIC
// physical CPU interface: delivery adds the IAR read (gicAck) and the EOI is the EOIR write (gicEoi) instead of
// the x2APIC EOI; pending state and arbitration stay in the generic 256-entry pending bitmap (all ARM scenario
// interrupts share one priority, so the order is the same).

import { vecCount, vecForEach } from '../arch/x86/bitmap.ts';
import { ackIrq, eoi, LAPIC_SVR, pendingDeliverable, SVR_APIC_ENABLED } from '../arch/x86/lapic.ts';
import { BCAST_SHORTHAND, RUN_BLOCKED, RUN_GUEST } from '../model/vocabulary.ts';
import type { SchemeId } from '../scenario/schema.ts';
import { sgiClusterEnd } from './ipi-broadcast.ts';
import type { DeliveryScheme, SchemeHost, SchemeVcpu } from './scheme.ts';
import { vlapicAccept } from './x86/vlapic-inject.ts';

export class BareMetalScheme implements DeliveryScheme {
  readonly id: SchemeId = 'bare-metal';
  readonly virtualized = false;
  /** Per-architecture costs, chosen once: delivery (vectoring [+ GIC ack]) and EOI. */
  private readonly deliveryCost: number;
  private readonly eoiCost: number;
  /** Per CPU: host ticks held off while interrupts were disabled (in a handler), taken at its IRET. */
  private readonly tickDeferred: Int32Array;

  constructor(host: SchemeHost) {
    const c = host.c;
    const arm = host.scenario.arch === 'arm';
    this.deliveryCost = arm ? c.irqDelivery + c.gicAck : c.irqDelivery;
    this.eoiCost = arm ? c.gicEoi : c.eoiLocal;
    this.tickDeferred = new Int32Array(host.V);
  }

  init(_sim: SchemeHost, vc: SchemeVcpu): void {
    vc.lapic.regs[LAPIC_SVR] = SVR_APIC_ENABLED | 0xff;
  }

  private deliverPending(sim: SchemeHost, vc: SchemeVcpu): void {
    const v = pendingDeliverable(vc.lapic);
    if (v < 0) return;
    ackIrq(vc.lapic, v);
    sim.deliverNow(vc, v, vc.ledger.acceptedAt(v), vc.ledger.acceptedRunning(v), this.deliveryCost);
  }

  private interrupt(sim: SchemeHost, vc: SchemeVcpu, vector: number, raisedAt: number): void {
    vlapicAccept(sim, vc, vector, raisedAt, vc.run === RUN_GUEST ? 1 : 0);
    if (vc.run === RUN_BLOCKED) sim.leaveHaltOnPcpu(vc); // leave HLT (C1), then take the interrupt
    if (sim.guestInterruptible(vc)) this.deliverPending(sim, vc);
  }

  deviceInterrupt(sim: SchemeHost, vc: SchemeVcpu, vector: number, raisedAt: number): void {
    this.interrupt(sim, vc, vector, raisedAt);
  }

  softwareInterrupt(sim: SchemeHost, vc: SchemeVcpu, vector: number, raisedAt: number): void {
    this.interrupt(sim, vc, vector, raisedAt);
  }

  hostTick(sim: SchemeHost, _p: number, vc: SchemeVcpu | null): void {
    if (vc === null) return;
    if (vc.run === RUN_BLOCKED) {
      sim.countHwCycles(sim.c.hostTickHandler); // the tick wakes the idle CPU, which halts again
      return;
    }
    if (sim.guestInterruptible(vc)) sim.stall(vc, this.tickCost(sim));
    else this.tickDeferred[vc.index]++;
  }

  guestEoi(sim: SchemeHost, vc: SchemeVcpu): void {
    sim.stall(vc, this.eoiCost);
    eoi(vc.lapic);
    sim.completeEoi(vc, vc.segStart);
  }

  guestIret(sim: SchemeHost, vc: SchemeVcpu): void {
    const held = this.tickDeferred[vc.index];
    if (held > 0) {
      sim.stall(vc, held * this.tickCost(sim));
      this.tickDeferred[vc.index] = 0;
    }
    this.deliverPending(sim, vc);
  }

  /** The OS tick: delivered and EOIed like any interrupt, plus the tick handler itself. */
  private tickCost(sim: SchemeHost): number {
    return this.deliveryCost + sim.c.hostTickHandler + (sim.scenario.arch === 'arm' ? this.eoiCost : 0);
  }

  guestHalt(sim: SchemeHost, vc: SchemeVcpu): void {
    if (pendingDeliverable(vc.lapic) >= 0) {
      sim.haltNotTaken(vc);
      this.deliverPending(sim, vc);
      return;
    }
    sim.haltPcpu(vc);
  }

  guestSendIpi(sim: SchemeHost, vc: SchemeVcpu, target: SchemeVcpu, vector: number, raisedAt: number): void {
    sim.stall(vc, sim.c.ipiSendLocal);
    sim.sendIpi(vc, target, vector, raisedAt, 0, vc.segStart); // leaves once the ICR write retired
  }

  /**
   * A native broadcast (DESIGN §16): x86 one shorthand ICR write (ALL-BUT-SELF) or one write per target (no
   * hypervisor, so 'pv-send-ipi' is x2apic_send_IPI_mask's per-target loop); ARM gic_ipi_send_mask, one
   * ICC_SGI1R_EL1 write per affinity cluster. Each IPI leaves once the write that names it has retired.
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
    const arm = sim.scenario.arch === 'arm';
    if (!arm && mode !== BCAST_SHORTHAND) {
      for (let k = 0; k < n; k++) this.guestSendIpi(sim, vc, sim.vcpus[targets[k]], vector, raisedAt);
      return;
    }
    const first = sim.topo.vms[vc.vm].firstVcpu;
    for (let k = 0; k < n; ) {
      const e = arm ? sgiClusterEnd(targets, k, n, first) : n;
      sim.stall(vc, sim.c.ipiSendLocal);
      for (let j = k; j < e; j++) sim.sendIpi(vc, sim.vcpus[targets[j]], vector, raisedAt, 0, vc.segStart);
      k = e;
    }
  }

  /** Native LAPIC timer programming (WRMSR IA32_TSC_DEADLINE / TMICT store): no exit on a physical CPU. */
  guestTimerArm(sim: SchemeHost, vc: SchemeVcpu): void {
    if (sim.scenario.arch === 'x86') sim.stall(vc, sim.c.timerArmLocal);
  }

  hasWakeEvent(_sim: SchemeHost, vc: SchemeVcpu): boolean {
    return pendingDeliverable(vc.lapic) >= 0;
  }

  pendingCount(_sim: SchemeHost, vc: SchemeVcpu): number {
    return vecCount(vc.lapic.IRR);
  }

  forEachPending(_sim: SchemeHost, vc: SchemeVcpu, visit: (raisedAt: number) => void): void {
    const l = vc.ledger;
    vecForEach(vc.lapic.IRR, (v) => visit(l.acceptedAt(v)));
  }
}
