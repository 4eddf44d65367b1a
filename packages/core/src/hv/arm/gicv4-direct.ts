// GICv4 / v4.1 direct injection (semantics §B.7), the component the arm-gicv4 scheme holds on top of the GICv3
// LR path (GicScheme with gicv4Backend). The assigned NIC's MSIs go to the host ITS, which translates
// (DeviceID, EventID) → vLPI on the target vPE (forwarded by KVM at setup):
//   - vPE resident (vCPU loaded: between vgic_v4_load at schedule-in and vgic_v4_put): the redistributor presents
//     the vLPI to the virtual CPU interface — no exit, no LR; the guest's IAR retires it from the VPT;
//   - not resident (descheduled): the VPT bit waits; the RD presents it when the vPE is made resident again;
//   - blocked in WFI: made non-resident with a doorbell (GICv4.0: the vPE's doorbell LPI is enabled around WFI;
//     GICv4.1: VPENDBASER.DB), so the vLPI raises the doorbell, a host LPI whose handler wakes the vCPU.
// GICv4.1 (host.gic.v4, default) also turns SGIs into vSGIs: the sender still traps (ICC_SGI1R_EL1), KVM writes
// GITS_SGIR and a resident receiver takes it with no exit. GICv4.0 keeps SGIs on the LR path. The virtual timer
// (PPI 27) stays on the LR path in both.
// WFI: KVM clears HCR_EL2.TWI at vcpu_load when the vCPU is alone on its pCPU and has direct vLPIs/vSGIs
// (kvm_vcpu_should_clear_twi, kvm-arm.wfi_trap_policy); the WFI then executes natively, the vPE stays resident
// and a vLPI/vSGI wakes the core with no exit. Otherwise WFI traps and the vPE is made non-resident with a doorbell.

import { ARM_IAR_SRC, IAR_SRC_VLPI } from '../../arch/arm/cpuif-block.ts';
import { VDELIVER_DOORBELL, VDELIVER_LATCHED, VDELIVER_RESIDENT } from '../../arch/arm/gicv4-rd.ts';
import { ItsTables, itsMapd, LPI_MIN, vptTest } from '../../arch/arm/its.ts';
import { cpuifVirqPending } from '../../arch/arm/vcpu-if.ts';
import { B } from '../../model/blocking-slots.ts';
import { PH_HALT, RUN_BLOCKED, RUN_GUEST } from '../../model/vocabulary.ts';
import { gicConfig } from '../../scenario/defaults.ts';
import type { SchemeConfig } from '../descriptors.ts';
import { CAUSE_DEVICE, ExitReasonId } from '../exit-reasons.ts';
import type { SchemeHost, SchemeVcpu } from '../scheme.ts';
import { vgicBeginCall } from '../vgic/vgic-state.ts';
import {
  kvmVgicV4SetForwarding,
  V4_LOAD_VMOVP,
  VgicV4,
  vgicV4Acked,
  vgicV4Commit,
  vgicV4DeliverMsi,
  vgicV4EnableVsgis,
  vgicV4Load,
  vgicV4Put,
  vgicV4SendVsgi,
  vgicV4WfiDone,
} from '../vgic/vgic-v4.ts';
import { ITS_DEV_NIC, NR_VECTORS } from './gic-backend.ts';
import type { GicVm } from './gic-vm.ts';
import { gicItsConfig } from './gicv3-backend.ts';

const R = ExitReasonId;
/** VPT slots per vCPU tracked for the latched-vLPI counters: SGIs/PPIs 0–31, then the VM's 256 LPIs. */
const VPT_SLOTS = 32 + 256;
const vptSlot = (intid: number): number => (intid < 32 ? intid : 32 + intid - LPI_MIN);
const slotIntid = (k: number): number => (k < 32 ? k : k - 32 + LPI_MIN);

/** kvm-arm.wfi_trap_policy: 'default' (unset, KVM_WFX_NOTRAP_SINGLE_TASK), 'trap' or 'notrap'. */
export type WfiTrapPolicy = SchemeConfig<'arm-gicv4'>['wfiTrapPolicy'];

/**
 * K:arm.c kvm_vcpu_should_clear_twi, evaluated by kvm_arch_vcpu_load: a forced kvm-arm.wfi_trap_policy decides
 * alone ('notrap' clears HCR_EL2.TWI, 'trap' keeps it); by default TWI is cleared when the vCPU thread is the only
 * task on its CPU (single_task_running) and the vCPU can be sent interrupts without KVM — vLPIs mapped to its vPE
 * (its_vpe.vlpi_count) or GICv4.1 vSGIs (vgic.nassgireq). Then the guest's WFI need not trap: a direct vLPI/vSGI
 * wakes the core and nothing else would have to be done by KVM first.
 */
export function kvmVcpuShouldClearTwi(
  policy: WfiTrapPolicy,
  singleTask: boolean,
  vlpiCount: number,
  nassgireq: boolean,
): boolean {
  if (policy !== 'default') return policy === 'notrap';
  return singleTask && (vlpiCount > 0 || nassgireq);
}

/** What the direct-injection component needs from the scheme that holds it. */
export interface GicDirectHost {
  /** The guest takes the signalled vIRQ now if it can (IAR read, handler entry). */
  tryDeliver(sim: SchemeHost, vc: SchemeVcpu): void;
  /** vc's virtual CPU interface (its ARM area). */
  cpuif(vc: SchemeVcpu): Uint32Array;
}

export class Gicv4Direct {
  /** GICv4 bridge with the host ITS of each vCPU's VM, per global vCPU index. */
  private readonly v4Of: VgicV4[];
  /** 1 while the vCPU's vPE is resident on its pCPU's redistributor. */
  private readonly resident: Uint8Array;
  /** A non-blocking vgic_v4_put whose cost is charged with the next load (the engine's vcpu_put is untimed). */
  private readonly owedPut: Uint8Array;
  /** HCR_EL2.TWI of each vCPU's current load (1 = WFI traps), decided at schedule-in as kvm_arch_vcpu_load does. */
  private readonly twi: Uint8Array;
  /** GICv4.1 (host.gic.v4): vSGIs and the VPENDBASER doorbell; GICv4.0 toggles the doorbell LPI. */
  private readonly v41: boolean;
  /** New vINTIDs latched in the VPT of the non-resident vPE, not yet found at a residency (counters only). */
  private readonly latched: Uint8Array;
  private readonly latchedCount: Int32Array;

  /** `core` is the scheme that holds this component (stored, not called, here); the state is sized from `host`. */
  constructor(
    private readonly core: GicDirectHost,
    host: SchemeHost,
    private readonly wfiPolicy: WfiTrapPolicy,
  ) {
    const V = host.V;
    this.resident = new Uint8Array(V);
    this.owedPut = new Uint8Array(V);
    this.twi = new Uint8Array(V).fill(1);
    this.latched = new Uint8Array(V * VPT_SLOTS);
    this.latchedCount = new Int32Array(V);
    this.v41 = gicConfig(host.scenario).v41;
    this.v4Of = new Array(V);
  }

  /**
   * The host side of a new VM: the host ITS with the NIC's device, the vPEs, every device LPI forwarded as a
   * vLPI (VFIO registers the NIC's MSI as a producer, §B.7) and, under GICv4.1, SGIs made vSGIs (the guest sets
   * GICD_CTLR.nASSGIreq).
   */
  attachVm(sim: SchemeHost, vm: GicVm, vmIndex: number): void {
    const n = vm.blocks.length;
    const host = new ItsTables(gicItsConfig(n));
    itsMapd(host, ITS_DEV_NIC, true, NR_VECTORS);
    const v4 = new VgicV4(vm.s, host, vm.blocks, { v41: this.v41, nRd: sim.P });
    for (const q of sim.topo.queues) {
      if (sim.topo.vcpus[q.vcpu].vmInstance !== vmIndex) continue;
      kvmVgicV4SetForwarding(v4, vm.backend.deviceIntid(q.vector), ITS_DEV_NIC, q.vector);
    }
    if (this.v41) vgicV4EnableVsgis(v4);
    vm.v4 = v4;
  }

  initVcpu(vc: SchemeVcpu, vm: GicVm): void {
    this.v4Of[vc.index] = vm.v4 as VgicV4;
  }

  /** GICv4.1 vSGIs are enabled on vc's VM (GICv4.0 keeps SGIs on the LR path). */
  vsgis(vc: SchemeVcpu): boolean {
    return this.v4Of[vc.index].vsgis;
  }

  /** The NIC's MSI for vector (vLPI `intid`) reaches the host ITS. */
  deviceMsi(sim: SchemeHost, vc: SchemeVcpu, vector: number, intid: number): void {
    const v4 = this.v4Of[vc.index];
    const fresh = !vptTest(v4.its, vc.vmVcpu, intid);
    this.delivered(sim, vc, vgicV4DeliverMsi(v4, ITS_DEV_NIC, vector), intid, fresh);
  }

  /** GICv4.1 vSGI: GITS_SGIR {vPEID, vINTID} written by the sender's trap handler reaches the target's RD. */
  vsgi(sim: SchemeHost, vc: SchemeVcpu, sgi: number): void {
    const v4 = this.v4Of[vc.index];
    vgicBeginCall(v4.s);
    const fresh = !vptTest(v4.its, vc.vmVcpu, sgi);
    this.delivered(sim, vc, vgicV4SendVsgi(v4, vc.vmVcpu, sgi), sgi, fresh);
  }

  /** What the ITS/RD did with a directly injected vINTID (vgic-v4 VDELIVER_*); `fresh`: its VPT bit was clear. */
  private delivered(sim: SchemeHost, vc: SchemeVcpu, r: number, intid: number, fresh: boolean): void {
    if (r === VDELIVER_RESIDENT) {
      // Presented to the virtual CPU interface: taken now if the guest runs with PSTATE.I clear (or sits in a
      // native WFI, which the signalled vIRQ ends), else at IRET or at the next entry.
      if (vc.run !== RUN_GUEST) return;
      if (vc.phase === PH_HALT) this.wfiWake(sim, vc);
      this.core.tryDeliver(sim, vc);
    } else if (r === VDELIVER_DOORBELL) {
      // vgic_v4_doorbell_handler already ran in the model (pending_last, kick): charge the host LPI on the pCPU.
      if (sim.trace !== null) sim.trace(sim.now, vc.index, 'DOORBELL', intid);
      sim.countBlocking(B['v4.doorbells']);
      sim.countBlocking(B[vc.run === RUN_BLOCKED ? 'v4.doorbellWakes' : 'v4.doorbellRunnable']);
      const idle = sim.pcpuCur[vc.pcpu] < 0;
      if (!idle) sim.hostInterruptOnPcpu(vc.pcpu, sim.c.doorbellHandler, CAUSE_DEVICE, false, R.DOORBELL);
      sim.wake(vc, idle ? sim.c.doorbellHandler : 0);
    } else if (r === VDELIVER_LATCHED) {
      // The VPT bit waits for the next vgic_v4_load.
      const k = vc.index * VPT_SLOTS + vptSlot(intid);
      if (fresh && this.latched[k] === 0) {
        this.latched[k] = 1;
        this.latchedCount[vc.index]++;
        sim.countBlocking(B['v4.vptLatched']);
      }
    } else if (r < 0) throw new Error(`internal: the ITS dropped vINTID ${intid} of vCPU ${vc.index}`);
  }

  /** The latched vINTIDs of vc still in its VPT (then forgotten). */
  private takeLatched(vc: SchemeVcpu): number {
    const i = vc.index;
    if (this.latchedCount[i] === 0) return 0;
    const its = this.v4Of[i].its;
    let n = 0;
    for (let k = 0; k < VPT_SLOTS; k++) {
      const at = i * VPT_SLOTS + k;
      if (this.latched[at] === 0) continue;
      this.latched[at] = 0;
      if (vptTest(its, vc.vmVcpu, slotIntid(k))) n++;
    }
    this.latchedCount[i] = 0;
    return n;
  }

  /** End of run: latched vINTIDs still in the VPT. */
  atEnd(sim: SchemeHost, vc: SchemeVcpu): void {
    sim.countBlocking(B['v4.vptPendingAtEnd'], this.takeLatched(vc));
  }

  /** The guest acknowledged `raw`: a vLPI / vSGI has no active state, the IAR retires its VPT bit. */
  acked(vc: SchemeVcpu, raw: number): void {
    if (this.core.cpuif(vc)[ARM_IAR_SRC] === IAR_SRC_VLPI) vgicV4Acked(this.v4Of[vc.index], vc.vmVcpu, raw);
  }

  /** vgic_v4_load + vgic_v4_commit (leaving WFI first): VMOVP if the vPE moved, VPENDBASER, parse the VPT. */
  makeResident(sim: SchemeHost, vc: SchemeVcpu): number {
    const i = vc.index;
    if (this.resident[i] !== 0) return 0;
    const v4 = this.v4Of[i];
    const c = sim.c;
    let cost = c.vpeLoad;
    if (v4.inWfi[vc.vmVcpu] !== 0) {
      vgicV4WfiDone(v4, vc.vmVcpu);
      if (!v4.v41) cost += c.doorbellToggle; // GICv4.0: the doorbell LPI is disabled again
    }
    if (vgicV4Load(v4, vc.vmVcpu, vc.pcpu) & V4_LOAD_VMOVP) cost += c.vmovp;
    vgicV4Commit(v4, vc.vmVcpu);
    this.resident[i] = 1;
    sim.countBlocking(B['v4.vptFoundAtLoad'], this.takeLatched(vc));
    if (this.owedPut[i] !== 0) {
      this.owedPut[i] = 0;
      cost += c.vpePut;
    }
    return cost;
  }

  /**
   * A vIRQ is signalled to a vCPU in a native WFI (TWI clear): the core leaves its WFI low-power state — the
   * same physical wake-up as the bare-metal reference's (haltWake) — and the guest takes the interrupt with no
   * exit (SchemeHost.leaveNativeWfi).
   */
  private wfiWake(sim: SchemeHost, vc: SchemeVcpu): void {
    if (cpuifVirqPending(this.core.cpuif(vc))) sim.leaveNativeWfi(vc);
  }

  /** kvm_arch_vcpu_load: kvm_vgic_load (vgic_v4_load), then HCR_EL2.TWI from kvm_vcpu_should_clear_twi. */
  schedIn(sim: SchemeHost, vc: SchemeVcpu): number {
    const cost = this.makeResident(sim, vc);
    const v4 = this.v4Of[vc.index];
    const alone = sim.pcpuAlone(vc.pcpu);
    this.twi[vc.index] = kvmVcpuShouldClearTwi(this.wfiPolicy, alone, v4.vlpiCount[vc.vmVcpu], v4.vsgis) ? 0 : 1;
    return cost;
  }

  /** HCR_EL2.TWI of vc's current load. */
  wfiTraps(vc: SchemeVcpu): boolean {
    return this.twi[vc.index] !== 0;
  }

  /** Extra host work of a WFI exit: making the vPE non-resident with a doorbell. */
  wfiExtra(sim: SchemeHost): number {
    return sim.c.vpePut + (this.v41 ? 0 : sim.c.doorbellToggle); // GICv4.0: enable the doorbell LPI
  }

  /** kvm_vcpu_wfi → vgic_v4_put(need_db): non-resident with a doorbell; PendingLast → pending_last (I-09). */
  beforeBlock(sim: SchemeHost, vc: SchemeVcpu): void {
    if (this.resident[vc.index] === 0) return;
    sim.countBlocking(B['v4.doorbellRequests']);
    vgicV4Put(this.v4Of[vc.index], vc.vmVcpu, true);
    this.resident[vc.index] = 0;
  }

  /** Preemption: vgic_v4_put without a doorbell; the vLPIs that arrive meanwhile wait in the VPT. */
  schedOut(vc: SchemeVcpu, blocking: boolean): number {
    if (this.resident[vc.index] === 0) return 0;
    vgicV4Put(this.v4Of[vc.index], vc.vmVcpu, blocking);
    this.resident[vc.index] = 0;
    this.owedPut[vc.index] = 1;
    return 0;
  }
}
