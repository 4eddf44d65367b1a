// arm-gicv4 — GICv4 / v4.1 direct injection (semantics §B.7) on top of the GICv3 path. The assigned NIC's MSIs go
// to the host ITS, which translates (DeviceID, EventID) → vLPI on the target vPE (forwarded by KVM at setup):
//   - vPE resident (vCPU loaded: between vgic_v4_load at schedule-in and vgic_v4_put): the redistributor presents
//     the vLPI to the virtual CPU interface — no exit, no LR; the guest's IAR retires it from the VPT;
//   - not resident (descheduled): the VPT bit waits; the RD presents it when the vPE is made resident again;
//   - blocked in WFI: made non-resident with a doorbell (GICv4.0: the vPE's doorbell LPI is enabled around WFI;
//     GICv4.1: VPENDBASER.DB), so the vLPI raises the doorbell, a host LPI whose handler wakes the vCPU.
// GICv4.1 (host.gic.v4, default) also turns SGIs into vSGIs: the sender still traps (ICC_SGI1R_EL1), KVM writes
// GITS_SGIR and a resident receiver takes it with no exit. GICv4.0 keeps SGIs on the LR path. The virtual timer
// (PPI 27) stays on the LR path in both.

import { ARM_IAR_SRC, IAR_SRC_VLPI } from '../arch/arm/cpuif-block.ts';
import { VDELIVER_DOORBELL, VDELIVER_RESIDENT } from '../arch/arm/gicv4-rd.ts';
import type { SchemeId } from '../scenario/schema.ts';
import type { Sim } from '../sim/engine.ts';
import { RUN_GUEST, type Vcpu } from '../sim/vcpu.ts';
import { GicScheme } from './arm/gic-scheme.ts';
import { deviceIntid, GUEST_IPI_SGI, ITS_DEV_NIC } from './arm/gic-vm.ts';
import { CAUSE_DEVICE, ExitReasonId } from './exit-reasons.ts';
import { vgicBeginCall } from './vgic/vgic-state.ts';
import {
  V4_LOAD_VMOVP,
  type VgicV4,
  vgicV4Acked,
  vgicV4Commit,
  vgicV4DeliverMsi,
  vgicV4Load,
  vgicV4Put,
  vgicV4SendVsgi,
  vgicV4WfiDone,
} from './vgic/vgic-v4.ts';

const R = ExitReasonId;

export class ArmGicv4Scheme extends GicScheme {
  readonly id: SchemeId = 'arm-gicv4';
  protected readonly gen = 4;
  /** 1 while the vCPU's vPE is resident on its pCPU's redistributor. */
  private resident = new Uint8Array(0);
  /** A non-blocking vgic_v4_put whose cost is charged with the next load (the engine's vcpu_put is untimed). */
  private owedPut = new Uint8Array(0);

  override init(sim: Sim, vc: Vcpu): void {
    if (this.resident.length !== sim.V) {
      this.resident = new Uint8Array(sim.V);
      this.owedPut = new Uint8Array(sim.V);
    }
    super.init(sim, vc);
  }

  private v4(vc: Vcpu): VgicV4 {
    return this.vmOfVcpu[vc.index].v4!;
  }

  /** What the ITS/RD did with a directly injected vINTID (vgic-v4 VDELIVER_*). */
  private delivered(sim: Sim, vc: Vcpu, r: number, intid: number): void {
    if (r === VDELIVER_RESIDENT) {
      // Presented to the virtual CPU interface: taken now if the guest runs with PSTATE.I clear, else at IRET or
      // at the next entry.
      if (vc.run === RUN_GUEST) this.tryDeliver(sim, vc);
    } else if (r === VDELIVER_DOORBELL) {
      // vgic_v4_doorbell_handler already ran in the model (pending_last, kick): charge the host LPI on the pCPU.
      if (sim.trace !== null) sim.trace(sim.now, vc.index, 'DOORBELL', intid);
      const idle = sim.pcpuCur[vc.pcpu] < 0;
      if (!idle) sim.hostInterruptOnPcpu(vc.pcpu, sim.c.doorbellHandler, CAUSE_DEVICE, false, R.DOORBELL);
      sim.wake(vc, idle ? sim.c.doorbellHandler : 0);
    } else if (r < 0) throw new Error(`internal: the ITS dropped vINTID ${intid} of vCPU ${vc.index}`);
    // VDELIVER_LATCHED: the VPT bit waits for the next vgic_v4_load.
  }

  override deviceInterrupt(sim: Sim, vc: Vcpu, vector: number, raisedAt: number): void {
    const intid = deviceIntid(4, vector);
    this.noteRaise(sim, vc, vector, intid, 0, raisedAt, vc.run === RUN_GUEST ? 1 : 0);
    this.delivered(sim, vc, vgicV4DeliverMsi(this.v4(vc), ITS_DEV_NIC, vector), intid);
  }

  protected override sgiArrival(sim: Sim, vc: Vcpu, vector: number, raisedAt: number, from: number): void {
    const v4 = this.v4(vc);
    if (!v4.vsgis) return super.sgiArrival(sim, vc, vector, raisedAt, from);
    // GICv4.1 vSGI: GITS_SGIR {vPEID, vINTID} written by the sender's trap handler reaches the target's RD.
    this.noteRaise(sim, vc, vector, GUEST_IPI_SGI, from, raisedAt, 0);
    vgicBeginCall(v4.s);
    this.delivered(sim, vc, vgicV4SendVsgi(v4, vc.vmVcpu, GUEST_IPI_SGI), GUEST_IPI_SGI);
  }

  protected override acknowledged(vc: Vcpu, raw: number): number {
    const v = super.acknowledged(vc, raw);
    // A vLPI / vSGI has no active state: the IAR retires its VPT bit and the RD presents the next one.
    if (this.gOf[vc.index][ARM_IAR_SRC] === IAR_SRC_VLPI) vgicV4Acked(this.v4(vc), vc.vmVcpu, raw);
    return v;
  }

  /** vgic_v4_load + vgic_v4_commit (leaving WFI first): VMOVP if the vPE moved, VPENDBASER, parse the VPT. */
  protected override makeResident(sim: Sim, vc: Vcpu): number {
    const i = vc.index;
    if (this.resident[i] !== 0) return 0;
    const v4 = this.v4(vc);
    const c = sim.c;
    let cost = c.vpeLoad;
    if (v4.inWfi[vc.vmVcpu] !== 0) {
      vgicV4WfiDone(v4, vc.vmVcpu);
      if (!v4.v41) cost += c.doorbellToggle; // GICv4.0: the doorbell LPI is disabled again
    }
    if (vgicV4Load(v4, vc.vmVcpu, vc.pcpu) & V4_LOAD_VMOVP) cost += c.vmovp;
    vgicV4Commit(v4, vc.vmVcpu);
    this.resident[i] = 1;
    if (this.owedPut[i] !== 0) {
      this.owedPut[i] = 0;
      cost += c.vpePut;
    }
    return cost;
  }

  protected override wfiExtra(sim: Sim): number {
    return sim.c.vpePut + (this.v41 ? 0 : sim.c.doorbellToggle); // GICv4.0: enable the doorbell LPI
  }

  protected override beforeBlock(_sim: Sim, vc: Vcpu): void {
    // kvm_vcpu_wfi → vgic_v4_put(need_db): non-resident with a doorbell; PendingLast → pending_last (I-09).
    if (this.resident[vc.index] === 0) return;
    vgicV4Put(this.v4(vc), vc.vmVcpu, true);
    this.resident[vc.index] = 0;
  }

  override schedOut(_sim: Sim, vc: Vcpu, blocking: boolean): number {
    // Preemption: vgic_v4_put without a doorbell; the vLPIs that arrive meanwhile wait in the VPT.
    if (this.resident[vc.index] === 0) return 0;
    vgicV4Put(this.v4(vc), vc.vmVcpu, blocking);
    this.resident[vc.index] = 0;
    this.owedPut[vc.index] = 1;
    return 0;
  }
}
