// GICv4 redistributor vPE residency (semantics §A.8, §B.7): GICR_VPENDBASER per redistributor (pCPU), held as
// a hi/lo u32 pair — hi bit 31 Valid (63), bit 30 IDAI (v4.0) / DB (v4.1) (62), bit 29 PendingLast (61),
// bit 28 Dirty (60), v4.1 bit 27 VGrp0En (59), bit 26 VGrp1En (58); lo [15:0] vPEID (v4.1; for v4.0, where the
// VPT address identifies the vPE, the model keeps the vPEID there too). Delivery of a virtual ITE: set the VPT bit,
// then present it if the vPE is resident, else raise a doorbell — per vLPI in GICv4.0 (VMAPTI's doorbell pINTID,
// if the host enabled that doorbell), per vPE in GICv4.1 (requested by VPENDBASER.DB when the vPE was made
// non-resident). The register writes follow K:its-drv its_vpe_schedule / its_vpe_deschedule /
// its_vpe_4_1_schedule / its_vpe_4_1_deschedule and its_clear_vpend_valid bit for bit (I-09, I-15).

import { ARM_HPPVLPI, ARM_HPPVLPI_GRP, ARM_HPPVLPI_PRIO, INTID_SPURIOUS } from './cpuif-block.ts';
import { type ItsTables, lpiPropEnabled, lpiPropPriority, vintidConfig, vptHighestPending, vptSet } from './its.ts';
import { cpuifUpdate } from './vcpu-if.ts';

export const VPENDBASER_VALID = 0x80000000;
export const VPENDBASER_IDAI_DB = 1 << 30;
export const VPENDBASER_PENDINGLAST = 1 << 29;
export const VPENDBASER_DIRTY = 1 << 28;
/** GICv4.1 GICR_VPENDBASER.VGrp0En / VGrp1En (bits 59 / 58): the vPE's virtual group enables. */
export const VPENDBASER_4_1_VGRP0EN = 1 << 27;
export const VPENDBASER_4_1_VGRP1EN = 1 << 26;

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
  /** GICv4.0 its_vpe.idai: IDAI read back at the last deschedule, written again at the next schedule. */
  readonly idai: Uint8Array;

  constructor(
    readonly nRd: number,
    readonly maxVpes: number,
    readonly v41: boolean,
  ) {
    this.vpendbaser = new Uint32Array(2 * nRd);
    this.dbArmed = new Uint8Array(maxVpes);
    this.dbPending = new Uint8Array(maxVpes);
    this.idai = new Uint8Array(maxVpes);
  }
}

export const rdIsValid = (r: Gicv4Rds, rd: number): boolean => (r.vpendbaser[2 * rd + 1] & VPENDBASER_VALID) !== 0;
export const rdIsDirty = (r: Gicv4Rds, rd: number): boolean => (r.vpendbaser[2 * rd + 1] & VPENDBASER_DIRTY) !== 0;
export const rdResidentVpe = (r: Gicv4Rds, rd: number): number =>
  rdIsValid(r, rd) ? r.vpendbaser[2 * rd] & 0xffff : -1;

/**
 * Makes vPE resident on rd (VPENDBASER.Valid = 1) with the value Linux writes: GICv4.1 its_vpe_4_1_schedule writes
 * Valid | VGrp0En | VGrp1En | vPEID (PendingLast 0, DB 0; KVM's vgic_v4_load passes g0en = false, g1en = the
 * distributor enable); GICv4.0 its_vpe_schedule writes the VPT address | PendingLast ("may have pending vLPIs")
 * | IDAI from the last deschedule | Valid. The RD starts parsing the VPT: Dirty reads 1 until rdParseVpt
 * (K:its-drv its_wait_vpt_parse_complete polls for it, I-11).
 */
export function rdSchedule(r: Gicv4Rds, rd: number, vpe: number, g0en = false, g1en = true): void {
  let hi = VPENDBASER_VALID | VPENDBASER_DIRTY;
  if (r.v41) hi |= (g0en ? VPENDBASER_4_1_VGRP0EN : 0) | (g1en ? VPENDBASER_4_1_VGRP1EN : 0);
  else hi |= VPENDBASER_PENDINGLAST | (r.idai[vpe] !== 0 ? VPENDBASER_IDAI_DB : 0);
  r.vpendbaser[2 * rd] = vpe & 0xffff;
  r.vpendbaser[2 * rd + 1] = hi >>> 0;
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
 * The RD's side of a VPENDBASER write that takes Valid from 1 to 0 (`hi` = the value written): it cleans the VPT
 * (the model's clean completes at once, so Dirty reads 0 afterwards) and reports PendingLast. GICv4.0: PendingLast
 * is set by the implementation — any pending and enabled vINTID — whatever was written. GICv4.1: PendingLast
 * written 1 ("we'll be back") makes the RD skip the computation and DB is treated as 0; the architecture leaves
 * the read-back open and the model keeps the 1 written. PendingLast written 0 reads back whether anything is
 * pending, and DB is also treated as 0 if something is. The doorbell is owed only for what arrives after this.
 */
function rdValidCleared(r: Gicv4Rds, its: ItsTables, vpe: number, hi: number): number {
  if (r.v41 && (hi & VPENDBASER_PENDINGLAST) !== 0) {
    r.dbArmed[vpe] = 0;
    return hi;
  }
  const pl = vpeHasPending(its, vpe);
  if (r.v41) r.dbArmed[vpe] = !pl && (hi & VPENDBASER_IDAI_DB) !== 0 ? 1 : 0;
  return (pl ? hi | VPENDBASER_PENDINGLAST : hi & ~VPENDBASER_PENDINGLAST) >>> 0;
}

/**
 * K:its-drv its_clear_vpend_valid(vlpi_base, clr, set): wait for Dirty = 0 (read_vpend_dirty_clear: the RD is done
 * with the initial VPT parse — in the model that parse completes on the poll), write the value read with Valid
 * cleared, `clr` cleared and `set` set — so every other field (vPEID, VGrp0En/VGrp1En, IDAI, DB) keeps what was
 * read — then poll Dirty again and return what reads back. On a poll timeout Linux ORs PendingLast into the
 * result; the model's RD never times out, so that branch cannot occur. Returns the hi word read back.
 */
export function itsClearVpendValid(r: Gicv4Rds, its: ItsTables, rd: number, clr: number, set: number): number {
  const vpe = rdResidentVpe(r, rd);
  const hi = ((r.vpendbaser[2 * rd + 1] & ~(VPENDBASER_DIRTY | VPENDBASER_VALID | clr)) | set) >>> 0;
  const val = vpe >= 0 ? rdValidCleared(r, its, vpe, hi) : hi;
  r.vpendbaser[2 * rd + 1] = val;
  return val;
}

/**
 * Makes the resident vPE non-resident and returns the new its_vpe.pending_last (0/1):
 *   - GICv4.1 blocking (`requestDb`, K:its-drv its_vpe_4_1_deschedule with info->req_db): clear PendingLast, set
 *     DB; pending_last = the PendingLast read back (I-09). A 0 read back guarantees a doorbell for the next vLPI.
 *   - GICv4.1 not blocking: set PendingLast, DB left as read (0 since its_vpe_4_1_schedule); pending_last = 1
 *     without reading anything back ("we'll be back"); no doorbell (I-15).
 *   - GICv4.0 (its_vpe_deschedule; the doorbell is enabled separately): clear Valid only; idai and pending_last
 *     from IDAI and PendingLast read back.
 * The vCPU interface stops seeing vLPIs.
 */
export function rdDeschedule(r: Gicv4Rds, its: ItsTables, rd: number, requestDb: boolean, g: Uint32Array): number {
  const vpe = rdResidentVpe(r, rd);
  if (vpe < 0) return 0;
  let pendingLast: number;
  if (r.v41 && requestDb) {
    const val = itsClearVpendValid(r, its, rd, VPENDBASER_PENDINGLAST, VPENDBASER_IDAI_DB);
    pendingLast = (val & VPENDBASER_PENDINGLAST) !== 0 ? 1 : 0;
  } else if (r.v41) {
    itsClearVpendValid(r, its, rd, 0, VPENDBASER_PENDINGLAST);
    pendingLast = 1;
  } else {
    const val = itsClearVpendValid(r, its, rd, 0, 0);
    r.idai[vpe] = (val & VPENDBASER_IDAI_DB) !== 0 ? 1 : 0;
    pendingLast = (val & VPENDBASER_PENDINGLAST) !== 0 ? 1 : 0;
  }
  g[ARM_HPPVLPI] = INTID_SPURIOUS;
  g[ARM_HPPVLPI_PRIO] = 0xff;
  cpuifUpdate(g);
  return pendingLast;
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
