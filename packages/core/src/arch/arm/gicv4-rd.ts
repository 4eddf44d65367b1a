// GICv4 redistributor vPE residency (semantics §A.8, §B.7): GICR_VPENDBASER per redistributor (pCPU), held as
// a hi/lo u32 pair — hi bit 31 Valid (63), bit 30 IDAI (v4.0) / DB (v4.1) (62), bit 29 PendingLast (61),
// bit 28 Dirty (60); lo [15:0] vPEID (v4.1; for v4.0, where the VPT address identifies the vPE, the model keeps
// the vPEID there too). Delivery of a virtual ITE: set the VPT bit, then present it if the vPE is resident, else
// raise a doorbell — per vLPI in GICv4.0 (VMAPTI's doorbell pINTID, if the host enabled that doorbell), per vPE
// in GICv4.1 (requested by VPENDBASER.DB when the vPE was made non-resident). (K:its-drv its_vpe_schedule,
// its_vpe_deschedule, its_vpe_4_1_schedule / deschedule.)

import { ARM_HPPVLPI, ARM_HPPVLPI_GRP, ARM_HPPVLPI_PRIO, INTID_SPURIOUS } from './cpuif-block.ts';
import { type ItsTables, lpiPropEnabled, lpiPropPriority, vintidConfig, vptHighestPending, vptSet } from './its.ts';
import { cpuifUpdate } from './vcpu-if.ts';

export const VPENDBASER_VALID = 0x80000000;
export const VPENDBASER_IDAI_DB = 1 << 30;
export const VPENDBASER_PENDINGLAST = 1 << 29;
export const VPENDBASER_DIRTY = 1 << 28;

/** Result of itsDeliverVirtual. */
export const VDELIVER_RESIDENT = 1; // presented to the resident vPE: no exit
export const VDELIVER_LATCHED = 2; // only the VPT bit: picked up at the next residency
export const VDELIVER_DOORBELL = 3; // the doorbell (a physical LPI to the host) was raised

export class Gicv4Rds {
  /** 2 words per redistributor: [2r] lo, [2r + 1] hi. */
  readonly vpendbaser: Uint32Array;
  /** GICv4.0: host enabled the vPE's doorbell LPI. GICv4.1: doorbell requested at the last deschedule. */
  readonly dbArmed: Uint8Array;
  /** Doorbell raised and not yet cleared (v4.0 vgic_v4_load clears the pending doorbell). */
  readonly dbPending: Uint8Array;

  constructor(
    readonly nRd: number,
    readonly maxVpes: number,
    readonly v41: boolean,
  ) {
    this.vpendbaser = new Uint32Array(2 * nRd);
    this.dbArmed = new Uint8Array(maxVpes);
    this.dbPending = new Uint8Array(maxVpes);
  }
}

export const rdIsValid = (r: Gicv4Rds, rd: number): boolean => (r.vpendbaser[2 * rd + 1] & VPENDBASER_VALID) !== 0;
export const rdIsDirty = (r: Gicv4Rds, rd: number): boolean => (r.vpendbaser[2 * rd + 1] & VPENDBASER_DIRTY) !== 0;
export const rdResidentVpe = (r: Gicv4Rds, rd: number): number =>
  rdIsValid(r, rd) ? r.vpendbaser[2 * rd] & 0xffff : -1;

/**
 * Makes vPE resident on rd (VPENDBASER.Valid = 1). The RD starts parsing the VPT: Dirty reads 1 until
 * rdParseVpt (K:its-drv its_wait_vpt_parse_complete polls for it, I-11).
 */
export function rdSchedule(r: Gicv4Rds, rd: number, vpe: number): void {
  r.vpendbaser[2 * rd] = vpe & 0xffff;
  r.vpendbaser[2 * rd + 1] = (VPENDBASER_VALID | VPENDBASER_DIRTY) >>> 0;
}

/** Writes the RD's best pending vINTID of a vPE into the vCPU interface inputs (Q:cpuif hppvlpi) and updates it. */
export function rdPresent(its: ItsTables, vpe: number, g: Uint32Array): number {
  const intid = vptHighestPending(its, vpe);
  if (intid === INTID_SPURIOUS) {
    g[ARM_HPPVLPI] = INTID_SPURIOUS;
    g[ARM_HPPVLPI_PRIO] = 0xff;
  } else {
    const cfg = vintidConfig(its, vpe, intid);
    g[ARM_HPPVLPI] = intid;
    g[ARM_HPPVLPI_PRIO] = lpiPropPriority(cfg);
    g[ARM_HPPVLPI_GRP] = intid < 16 ? (cfg >>> 1) & 1 : 1;
  }
  cpuifUpdate(g);
  return intid;
}

/** The RD finished parsing the VPT: Dirty → 0 and pending vLPIs are presented. Returns the presented vINTID. */
export function rdParseVpt(r: Gicv4Rds, its: ItsTables, rd: number, g: Uint32Array): number {
  r.vpendbaser[2 * rd + 1] = (r.vpendbaser[2 * rd + 1] & ~VPENDBASER_DIRTY) >>> 0;
  return rdPresent(its, rd >= 0 ? rdResidentVpe(r, rd) : -1, g);
}

/** Any enabled pending vINTID in the vPE's VPT (what PendingLast reports at deschedule). */
export function vpeHasPending(its: ItsTables, vpe: number): boolean {
  return vptHighestPending(its, vpe) !== INTID_SPURIOUS;
}

/**
 * Makes the resident vPE non-resident (VPENDBASER.Valid ← 0; GICv4.1: PendingLast written 0, DB = requestDb).
 * PendingLast reads back 1 if the vPE already has something pending. The vCPU interface stops seeing vLPIs.
 * Returns PendingLast (0/1).
 */
export function rdDeschedule(r: Gicv4Rds, its: ItsTables, rd: number, requestDb: boolean, g: Uint32Array): number {
  const vpe = rdResidentVpe(r, rd);
  if (vpe < 0) return 0;
  const pl = vpeHasPending(its, vpe);
  let hi = pl ? VPENDBASER_PENDINGLAST : 0;
  if (r.v41) {
    if (requestDb) hi |= VPENDBASER_IDAI_DB;
    // A doorbell is owed only for something that arrives after this point, and only when DB was requested: a
    // deschedule without DB (preemption) must not inherit the request of an earlier WFI deschedule.
    r.dbArmed[vpe] = requestDb && !pl ? 1 : 0;
  }
  r.vpendbaser[2 * rd + 1] = hi >>> 0;
  g[ARM_HPPVLPI] = INTID_SPURIOUS;
  g[ARM_HPPVLPI_PRIO] = 0xff;
  cpuifUpdate(g);
  return pl ? 1 : 0;
}

/**
 * A virtual ITE fired for (vpe, vintid): set the VPT bit; if the vPE is resident on its RD, present it (the
 * caller passes that vCPU's ARM area); otherwise raise the doorbell if one is owed. `doorbell` is the ITE's
 * GICv4.0 doorbell pINTID (ignored for v4.1).
 */
export function itsDeliverVirtual(
  r: Gicv4Rds,
  its: ItsTables,
  vpe: number,
  vintid: number,
  doorbell: number,
  g: Uint32Array | null,
): number {
  vptSet(its, vpe, vintid);
  const rd = its.vpeRd[vpe];
  if (rd >= 0 && rdResidentVpe(r, rd) === vpe) {
    if (g && !rdIsDirty(r, rd)) rdPresent(its, vpe, g);
    return VDELIVER_RESIDENT;
  }
  if (!lpiPropEnabled(vintidConfig(its, vpe, vintid))) return VDELIVER_LATCHED;
  if (r.v41) {
    if (!r.dbArmed[vpe]) return VDELIVER_LATCHED;
    r.dbArmed[vpe] = 0; // one doorbell per non-residency
  } else if (doorbell === 1023 || !r.dbArmed[vpe]) {
    return VDELIVER_LATCHED;
  }
  r.dbPending[vpe] = 1;
  return VDELIVER_DOORBELL;
}
