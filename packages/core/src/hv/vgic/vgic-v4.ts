// GICv4 / v4.1 bridge (K:vgic-v4.c; semantics §B.7): forwarding vITS LPIs to hardware vLPIs on the host ITS,
// vPE residency around entry/exit and WFI (vgic_v4_load / vgic_v4_commit / vgic_v4_put), the doorbell handler,
// and GICv4.1 direct vSGIs. vPEID = vCPU index; the doorbell of vCPU v (GICv4.0) is pINTID doorbellBase + v.

import {
  Gicv4Rds,
  itsDeliverVirtual,
  rdDeschedule,
  rdIsDirty,
  rdParseVpt,
  rdPresent,
  rdResidentVpe,
  rdSchedule,
  VDELIVER_DOORBELL,
} from '../../arch/arm/gicv4-rd.ts';
import {
  type ItsTables,
  itsMovi,
  itsTranslate,
  itsVmapp,
  itsVmapti,
  itsVmovp,
  LPI_MIN,
  LPI_PROP_ENABLE,
  LPI_PROP_RES1,
  vptClear,
  vptSet,
} from '../../arch/arm/its.ts';
import { vgicKick } from './vgic.ts';
import { irqIsSgi, type VgicState, vgicBeginCall, vgicIrqSlot } from './vgic-state.ts';

export interface VgicV4Config {
  v41: boolean;
  /** Number of physical redistributors (pCPUs). */
  nRd: number;
  /** First doorbell pINTID (GICv4.0 allocates one doorbell LPI per vPE). */
  doorbellBase?: number;
}

/** vgicV4Load result bits. */
export const V4_LOAD_VMOVP = 1; // the vPE had to move to this pCPU's redistributor first
export const V4_LOAD_RESIDENT = 2;

export class VgicV4 {
  readonly rds: Gicv4Rds;
  readonly v41: boolean;
  readonly doorbellBase: number;
  /** vCPU is blocked in WFI (vgic_v4_put with need_db): vgic_v4_load refuses residency. */
  readonly inWfi: Uint8Array;
  /** Host ITS event forwarding each vITS LPI (−1 = not forwarded). */
  readonly fwdDev: Int32Array;
  readonly fwdEv: Int32Array;
  /** vPE each forwarded vITS LPI is mapped on (its_vlpi_map.vpe), −1 if none. */
  readonly fwdVpe: Int32Array;
  /** its_vpe.vlpi_count per vCPU: forwarded vLPIs mapped to its vPE (K:arm.c kvm_vcpu_should_clear_twi reads it). */
  readonly vlpiCount: Int32Array;
  /** GICD_CTLR.nASSGIreq: SGIs delivered as GICv4.1 vSGIs. */
  vsgis = false;
  /** VsgiSink for vgicV3DispatchSgi, bound once (no allocation per SGI). */
  readonly vsgiSink: (target: number, sgi: number) => number;

  constructor(
    readonly s: VgicState,
    readonly its: ItsTables,
    /** ARM area of every vCPU (views into the arena). */
    readonly blocks: Uint32Array[],
    c: VgicV4Config,
  ) {
    this.v41 = c.v41;
    this.doorbellBase = c.doorbellBase ?? 8192 + 4096;
    this.rds = new Gicv4Rds(c.nRd, its.c.maxVpes, c.v41);
    this.inWfi = new Uint8Array(s.nrVcpus);
    this.fwdDev = new Int32Array(s.nrLpis).fill(-1);
    this.fwdEv = new Int32Array(s.nrLpis).fill(-1);
    this.fwdVpe = new Int32Array(s.nrLpis).fill(-1);
    this.vlpiCount = new Int32Array(s.nrVcpus);
    this.vsgiSink = (target, sgi) => (vgicV4SendVsgi(this, target, sgi) >= 0 ? 1 : 0);
    for (let v = 0; v < s.nrVcpus; v++) itsVmapp(its, v, true, -1);
  }
}

/**
 * K:vgic-v4.c kvm_vgic_v4_set_forwarding: map the host (DeviceID, EventID) to the LPI's vINTID on its target
 * vPE (VMAPTI, doorbell per vPE), push its configuration ((priority & 0xfc) | enable | RES1), count it in the
 * vPE's vlpi_count and transfer any latched pending state to the VPT, clearing the software latch (I-14). Returns
 * 1 if forwarded.
 */
export function kvmVgicV4SetForwarding(v4: VgicV4, intid: number, hostDev: number, hostEv: number): number {
  const { s, its } = v4;
  vgicBeginCall(s);
  const i = vgicIrqSlot(s, 0, intid);
  if (i < 0 || intid < LPI_MIN) return 0;
  const vpe = s.targetVcpu[i];
  if (vpe < 0) return 0;
  if (!itsVmapti(its, hostDev, hostEv, intid, vpe, v4.doorbellBase + vpe)) return 0;
  const x = intid - LPI_MIN;
  its.prop[x] = (s.priority[i] & 0xfc) | (s.enabled[i] ? LPI_PROP_ENABLE : 0) | LPI_PROP_RES1;
  its.propCache[x] = its.prop[x];
  s.hw[i] = 1;
  s.forwarded[i] = 1;
  v4.fwdDev[x] = hostDev;
  v4.fwdEv[x] = hostEv;
  v4.fwdVpe[x] = vpe;
  v4.vlpiCount[vpe]++;
  if (s.pendingLatch[i]) {
    s.pendingLatch[i] = 0;
    deliver(v4, vpe, intid, v4.doorbellBase + vpe);
  }
  return 1;
}

function deliver(v4: VgicV4, vpe: number, vintid: number, doorbell: number): number {
  const r = itsDeliverVirtual(v4.rds, v4.its, vpe, vintid, doorbell, v4.blocks[vpe]);
  if (r === VDELIVER_DOORBELL) vgicV4DoorbellHandler(v4, vpe);
  return r;
}

/**
 * A device MSI to the host ITS for a forwarded event (GICv4 direct injection, semantics §B.7 steps 1–2).
 * Returns VDELIVER_RESIDENT (no exit), VDELIVER_LATCHED, VDELIVER_DOORBELL (the doorbell handler already ran:
 * EV_KICK recorded) or −1 if the ITS dropped it.
 */
export function vgicV4DeliverMsi(v4: VgicV4, hostDev: number, hostEv: number): number {
  vgicBeginCall(v4.s);
  const k = itsTranslate(v4.its, hostDev, hostEv);
  if (k < 0 || !v4.its.iteVirtual[k]) return -1;
  return deliver(v4, v4.its.iteTarget[k], v4.its.iteIntid[k], v4.its.iteDoorbell[k]);
}

/**
 * K:vgic-v4.c vgic_v4_doorbell_handler: (v4.0: disable the doorbell) pending_last = 1, IRQ_PENDING + kick.
 */
export function vgicV4DoorbellHandler(v4: VgicV4, vcpu: number): number {
  if (!v4.v41) v4.rds.dbArmed[vcpu] = 0; // disable_irq_nosync
  v4.s.pendingLast[vcpu] = 1;
  vgicKick(v4.s, vcpu);
  return vcpu;
}

/**
 * K:vgic-v4.c vgic_v4_load: refused while the vCPU is in WFI; move the vPE's affinity (and doorbell) to this
 * pCPU first if needed (VMOVP), make it resident (its_make_vpe_resident(vpe, false, vgic.enabled)); GICv4.0 clears
 * a pending doorbell. pending_last is left alone, as in KVM: only a deschedule or the doorbell handler writes it.
 * Returns V4_LOAD_* bits. Call vgicV4Commit before entering the guest (I-11).
 */
export function vgicV4Load(v4: VgicV4, vcpu: number, pcpu: number): number {
  if (v4.inWfi[vcpu]) return 0;
  let r = 0;
  if (v4.its.vpeRd[vcpu] !== pcpu) {
    itsVmovp(v4.its, vcpu, pcpu);
    r |= V4_LOAD_VMOVP;
  }
  rdSchedule(v4.rds, pcpu, vcpu, false, v4.s.distEnabled);
  if (!v4.v41) v4.rds.dbPending[vcpu] = 0;
  return r | V4_LOAD_RESIDENT;
}

/**
 * K:vgic-v4.c vgic_v4_commit → its_wait_vpt_parse_complete: wait until VPENDBASER.Dirty = 0; the RD then
 * presents pending vLPIs. Returns 1 if entry had to wait for the parse, else 0.
 */
export function vgicV4Commit(v4: VgicV4, vcpu: number): number {
  const rd = v4.its.vpeRd[vcpu];
  if (rd < 0 || rdResidentVpe(v4.rds, rd) !== vcpu || !rdIsDirty(v4.rds, rd)) return 0;
  rdParseVpt(v4.rds, v4.its, rd, v4.blocks[vcpu]);
  return 1;
}

/**
 * K:vgic-v4.c vgic_v4_put → its_make_vpe_non_resident(vpe, need_db): make the vPE non-resident. In WFI a doorbell
 * is requested (v4.0: the doorbell LPI is enabled; v4.1: info->req_db, VPENDBASER.DB) and PendingLast read back
 * becomes pending_last — a vCPU with something already pending does not sleep (I-09). Not in WFI (preemption,
 * vcpu_put): GICv4.0 reads pending_last back the same way; GICv4.1 writes PendingLast = 1 and sets pending_last
 * without reading back (I-15). A vPE that is not resident is left alone. Returns pending_last.
 */
export function vgicV4Put(v4: VgicV4, vcpu: number, inWfi: boolean): number {
  const rd = v4.its.vpeRd[vcpu];
  v4.inWfi[vcpu] = inWfi ? 1 : 0;
  if (rd < 0 || rdResidentVpe(v4.rds, rd) !== vcpu) return 0;
  if (!v4.v41 && inWfi) v4.rds.dbArmed[vcpu] = 1;
  const pl = rdDeschedule(v4.rds, v4.its, rd, inWfi, v4.blocks[vcpu]);
  v4.s.pendingLast[vcpu] = pl;
  return pl;
}

/**
 * The vCPU left WFI (kvm_vcpu_wfi returns): residency allowed again. GICv4.0 disables the vPE's doorbell LPI
 * again (it is only wanted while blocked, Linux commit "KVM: arm/arm64: GICv4: Use the doorbell interrupt as an unblocking source"), so a later preemption does not ring it.
 */
export function vgicV4WfiDone(v4: VgicV4, vcpu: number): void {
  v4.inWfi[vcpu] = 0;
  if (!v4.v41) v4.rds.dbArmed[vcpu] = 0;
}

/** After icvIar acknowledged a directly injected vINTID (ARM_IAR_SRC = IAR_SRC_VLPI): retire its VPT bit. */
export function vgicV4Acked(v4: VgicV4, vcpu: number, vintid: number): void {
  vptClear(v4.its, vcpu, vintid);
  rdPresent(v4.its, vcpu, v4.blocks[vcpu]);
}

/**
 * Guest MOVI on a forwarded LPI: mirror it on the host ITS as VMOVI to the new vPE (I-05); the vLPI's count moves
 * from the old vPE's vlpi_count to the new one's (K:vgic-its.c update_affinity).
 */
export function vgicV4Movi(v4: VgicV4, intid: number): number {
  const i = vgicIrqSlot(v4.s, 0, intid);
  const x = intid - LPI_MIN;
  if (i < 0 || !v4.s.forwarded[i]) return 0;
  const to = v4.s.targetVcpu[i];
  if (!itsMovi(v4.its, v4.fwdDev[x], v4.fwdEv[x], to)) return 0;
  if (v4.fwdVpe[x] >= 0) v4.vlpiCount[v4.fwdVpe[x]]--;
  v4.fwdVpe[x] = to;
  v4.vlpiCount[to]++;
  return 1;
}

/**
 * GICD_CTLR.nASSGIreq = 1 (K:vgic-v4.c vgic_v4_enable_vsgis): every SGI becomes hw, its config is pushed with
 * VSGI and any pending state moves to the VPT.
 */
export function vgicV4EnableVsgis(v4: VgicV4): void {
  const { s, its } = v4;
  v4.vsgis = true;
  for (let v = 0; v < s.nrVcpus; v++) {
    for (let sgi = 0; sgi < 16; sgi++) {
      const i = vgicIrqSlot(s, v, sgi);
      s.hw[i] = 1;
      its.vsgiCfg[v * 16 + sgi] = (s.priority[i] & 0xfc) | (s.group[i] << 1) | (s.enabled[i] ? LPI_PROP_ENABLE : 0);
      if (s.pendingLatch[i]) {
        s.pendingLatch[i] = 0;
        vptSet(its, v, sgi);
      }
    }
  }
}

/**
 * GITS_SGIR {vPEID, vINTID} (GICv4.1): the vSGI becomes pending in the target's VPT and is presented with no
 * exit if resident, else via the doorbell. Returns a VDELIVER_* code, or −1 if not a vSGI.
 */
export function vgicV4SendVsgi(v4: VgicV4, target: number, sgi: number): number {
  if (!v4.vsgis || !irqIsSgi(sgi)) return -1;
  return deliver(v4, target, sgi, v4.doorbellBase + target);
}
