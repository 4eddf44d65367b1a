// The virtual CPU interface as pure evaluators over the ARM area (semantics §A.5/§A.6, §B.5 steps 5–7,
// §B.6 "EOImode split", §B.7 step 3). Structure and names follow QEMU hw/intc/arm_gicv3_cpuif.c (the reading
// of the GICv3 pseudocode VirtualReadIAR / VirtualWriteEOIR / VirtualWriteDIR / CanSignalVirtualInt); the same
// code serves GICv2's GICV_* view because both generations share the LR state machine and the HCR/MISR/VMCR bit
// positions (GICv2 differences: 5-bit priorities, CPUID in IAR/EOIR for SGIs, one APR).
// Every mutating function ends with cpuifUpdate(), which derives MISR/EISR/ELRSR and the vIRQ/vFIQ/maintenance
// lines from state (the gem5 updateIntState / QEMU gicv3_cpuif_virt_update discipline).

import {
  ARM_AP0R,
  ARM_AP1R,
  ARM_EISR,
  ARM_ELRSR,
  ARM_FMT,
  ARM_HCR,
  ARM_HPPVLPI,
  ARM_HPPVLPI_GRP,
  ARM_HPPVLPI_PRIO,
  ARM_IAR_SRC,
  ARM_LINES,
  ARM_LR,
  ARM_MISR,
  ARM_VMCR,
  cpuifNrLr,
  cpuifPreBits,
  cpuifPriBits,
  HCR_EN,
  HCR_EOICOUNT_MASK,
  HCR_EOICOUNT_SHIFT,
  HCR_LRENPIE,
  HCR_NPIE,
  HCR_TDIR,
  HCR_UIE,
  HCR_VGRP0DIE,
  HCR_VGRP0EIE,
  HCR_VGRP1DIE,
  HCR_VGRP1EIE,
  HCR_VSGIEOICOUNT,
  IAR_SRC_NONE,
  IAR_SRC_VLPI,
  INTID_LPI_MIN,
  INTID_SPURIOUS,
  LINE_MAINT,
  LINE_VFIQ,
  LINE_VIRQ,
  LR_FMT_V2,
  MISR_EOI,
  MISR_LRENP,
  MISR_NP,
  MISR_U,
  MISR_VGRP0D,
  MISR_VGRP0E,
  MISR_VGRP1D,
  MISR_VGRP1E,
  VMCR_BPR0_SHIFT,
  VMCR_BPR1_SHIFT,
  VMCR_CBPR,
  VMCR_ENG0,
  VMCR_ENG1,
  vmcrEoiMode,
  vmcrPmr,
} from './cpuif-block.ts';
import { LR_ACTIVE, LR_PENDING } from './lr-fields.ts';
import { GICH_LR_EOI, GICH_LR_HW, GICH_LR_STATE_SHIFT, gichLrPriority } from './lr-v2.ts';
import { ICH_LR_HI_EOI, ICH_LR_HI_HW } from './lr-v3.ts';
import { lrCpuid, lrEoi, lrGroup, lrHw, lrPintid, lrPriority, lrSetState, lrState, lrVintid } from './lr-view.ts';

/** hppviIndex result meaning "the redistributor's vLPI beats every LR" (Q:cpuif HPPVI_INDEX_VLPI). */
export const HPPVI_INDEX_VLPI = IAR_SRC_VLPI;
/** icvEoir / icvDir result when no physical interrupt has to be deactivated. */
export const NO_PHYS_DEACTIVATE = -1;

const isV2 = (g: Uint32Array): boolean => g[ARM_FMT] === LR_FMT_V2;

/** Priority as implemented: unimplemented low bits read as zero (ICH_VTR_EL2.PRIbits; GICv2: 5 bits). */
function implPrio(g: Uint32Array, prio: number): number {
  return prio & (0xff << (8 - cpuifPriBits(g))) & 0xff;
}

/** Number of APRs per group: 1, 2 or 4 for 5, 6, 7 preemption bits (Q:cpuif ich_num_aprs). */
export const ichNumAprs = (g: Uint32Array): number => 1 << (cpuifPreBits(g) - 5);

/** Smallest legal binary point for group 0 (Q:cpuif icv_min_vbpr). */
export const icvMinVbpr = (g: Uint32Array): number => 7 - cpuifPreBits(g);

/** Effective binary point of a group (clamped to the minimum; VCBPR makes group 1 use BPR0). */
export function readVbpr(g: Uint32Array, grp: number): number {
  const vmcr = g[ARM_VMCR];
  const min = icvMinVbpr(g);
  if (grp === 0) return Math.max((vmcr >>> VMCR_BPR0_SHIFT) & 7, min);
  if (vmcr & VMCR_CBPR) return Math.min(Math.max((vmcr >>> VMCR_BPR0_SHIFT) & 7, min) + 1, 7);
  return Math.max((vmcr >>> VMCR_BPR1_SHIFT) & 7, min + 1);
}

/**
 * Group-priority mask (Q:cpuif icv_gprio_mask): group 0 uses VBPR0, mask = ~0 << (VBPR0 + 1); group 1 uses
 * VBPR1 − 1 (or VBPR0 with VCBPR). Only these bits decide preemption; the rest is subpriority.
 */
export function icvGprioMask(g: Uint32Array, grp: number): number {
  let bpr: number;
  if (grp === 1 && g[ARM_VMCR] & VMCR_CBPR) bpr = readVbpr(g, 0);
  else {
    bpr = readVbpr(g, grp);
    if (grp === 1) bpr--;
  }
  return (0xff << (bpr + 1)) & 0xff;
}

/**
 * Running priority from the active-priority registers (Q:cpuif ich_highest_active_virt_prio): the lowest set
 * bit of AP0R|AP1R, scaled back to a priority; 0xff when no priority is active (idle).
 */
export function ichHighestActiveVirtPrio(g: Uint32Array): number {
  const n = ichNumAprs(g);
  const shift = icvMinVbpr(g) + 1;
  for (let i = 0; i < n; i++) {
    const apr = (g[ARM_AP0R + i] | g[ARM_AP1R + i]) >>> 0;
    if (apr === 0) continue;
    return ((i * 32 + 31 - Math.clz32(apr & -apr)) << shift) & 0xff;
  }
  return 0xff;
}

/** GICH_APR as the GICv2 hypervisor reads it (one register for both groups). */
export const gichApr = (g: Uint32Array): number => (g[ARM_AP0R] | g[ARM_AP1R]) >>> 0;

function groupEnabled(g: Uint32Array, grp: number): boolean {
  return (g[ARM_VMCR] & (grp ? VMCR_ENG1 : VMCR_ENG0)) !== 0;
}

/**
 * Highest-priority pending virtual interrupt (Q:cpuif hppvi_index): the LR in exactly the Pending state (not
 * Pending+Active) with the lowest priority value whose group is enabled; ties go to the lowest LR index
 * (IMPLEMENTATION DEFINED; QEMU and gem5 choice, semantics appendix). An LR at priority 0xff is never reported.
 * The redistributor's vLPI wins only if strictly better than every pending LR (semantics §B.7 step 3).
 * Returns the LR index, HPPVI_INDEX_VLPI, or −1.
 */
export function hppviIndex(g: Uint32Array): number {
  if ((g[ARM_VMCR] & (VMCR_ENG0 | VMCR_ENG1)) === 0) return -1;
  const nr = cpuifNrLr(g);
  let idx = -1;
  let prio = 0xff;
  for (let n = 0; n < nr; n++) {
    if (lrState(g, n) !== LR_PENDING) continue;
    if (!groupEnabled(g, lrGroup(g, n))) continue;
    const p = implPrio(g, lrPriority(g, n));
    if (p < prio) {
      prio = p;
      idx = n;
    }
  }
  if (g[ARM_HPPVLPI] !== INTID_SPURIOUS && g[ARM_HPPVLPI_PRIO] < prio && groupEnabled(g, g[ARM_HPPVLPI_GRP])) {
    idx = HPPVI_INDEX_VLPI;
  }
  return idx;
}

/** Common part of CanSignalVirtualInt: interface enabled, below the priority mask, beats the running priority. */
function canPreempt(g: Uint32Array, prio: number, grp: number): boolean {
  if ((g[ARM_HCR] & HCR_EN) === 0) return false; // G-28
  if (prio >= vmcrPmr(g)) return false;
  const rprio = ichHighestActiveVirtPrio(g);
  if (rprio === 0xff) return true;
  const mask = icvGprioMask(g, grp);
  // Only the group priority preempts; subpriority bits are ignored (G-04).
  return (prio & mask) < (rprio & mask);
}

/** Q:cpuif icv_hppi_can_preempt for LR n (already known to be the Pending candidate). */
export function icvHppiCanPreempt(g: Uint32Array, n: number): boolean {
  return canPreempt(g, implPrio(g, lrPriority(g, n)), lrGroup(g, n));
}

/** Q:cpuif icv_hppvlpi_can_preempt. */
export function icvHppvlpiCanPreempt(g: Uint32Array): boolean {
  if (g[ARM_HPPVLPI] === INTID_SPURIOUS) return false;
  return canPreempt(g, g[ARM_HPPVLPI_PRIO], g[ARM_HPPVLPI_GRP]);
}

/** ICH_EISR: LR n has State = 00, HW = 0 and EOI = 1 (Q:cpuif eoi_maintenance_interrupt_state). */
export function ichEisr(g: Uint32Array): number {
  const nr = cpuifNrLr(g);
  let v = 0;
  for (let n = 0; n < nr; n++) if (lrState(g, n) === 0 && lrEoi(g, n)) v |= 1 << n;
  return v >>> 0;
}

/** ICH_ELRSR: LR n is empty — State = 00 and no EOI maintenance owed (HW = 1 or EOI = 0). */
export function ichElrsr(g: Uint32Array): number {
  const nr = cpuifNrLr(g);
  let v = 0;
  for (let n = 0; n < nr; n++) if (lrState(g, n) === 0 && !lrEoi(g, n)) v |= 1 << n;
  return v >>> 0;
}

/**
 * ICH_MISR / GICH_MISR (Q:cpuif maintenance_interrupt_state; G5:vgic getMISR). U counts valid LRs (< 2); NP
 * looks for an LR in exactly the Pending state (semantics appendix: QEMU/architecture reading, P+A does not
 * count); LRENP needs a non-zero EOIcount; the VGrp bits report the current group enables.
 */
export function maintenanceInterruptState(g: Uint32Array): number {
  const hcr = g[ARM_HCR];
  const vmcr = g[ARM_VMCR];
  const nr = cpuifNrLr(g);
  let valid = 0;
  let seenPending = false;
  let eoi = false;
  for (let n = 0; n < nr; n++) {
    const st = lrState(g, n);
    if (st !== 0) valid++;
    if (st === LR_PENDING) seenPending = true;
    if (st === 0 && lrEoi(g, n)) eoi = true;
  }
  let misr = 0;
  if (eoi) misr |= MISR_EOI;
  if (valid < 2 && hcr & HCR_UIE) misr |= MISR_U;
  if (hcr & HCR_LRENPIE && hcr & HCR_EOICOUNT_MASK) misr |= MISR_LRENP;
  if (!seenPending && hcr & HCR_NPIE) misr |= MISR_NP;
  if (hcr & HCR_VGRP0EIE && vmcr & VMCR_ENG0) misr |= MISR_VGRP0E;
  if (hcr & HCR_VGRP0DIE && !(vmcr & VMCR_ENG0)) misr |= MISR_VGRP0D;
  if (hcr & HCR_VGRP1EIE && vmcr & VMCR_ENG1) misr |= MISR_VGRP1E;
  if (hcr & HCR_VGRP1DIE && !(vmcr & VMCR_ENG1)) misr |= MISR_VGRP1D;
  return misr >>> 0;
}

/**
 * The one recompute after every state change (Q:cpuif gicv3_cpuif_virt_update): writes MISR, EISR, ELRSR and
 * the output lines. The maintenance interrupt is a level: HCR.En and MISR ≠ 0. Returns the lines.
 *
 * One pass over the list registers (DESIGN §19.3) computes what maintenanceInterruptState, ichEisr, ichElrsr and
 * hppviIndex each compute with a scan of their own (those stay the readable reference; the rule tests compare
 * them with this pass): per LR its state, EOI bit (HW = 0 only), group and priority are read once.
 */
export function cpuifUpdate(g: Uint32Array): number {
  const hcr = g[ARM_HCR];
  const vmcr = g[ARM_VMCR];
  const v2 = isV2(g);
  const nr = cpuifNrLr(g);
  const en0 = (vmcr & VMCR_ENG0) !== 0;
  const en1 = (vmcr & VMCR_ENG1) !== 0;
  const prioMask = (0xff << (8 - cpuifPriBits(g))) & 0xff;
  let valid = 0;
  let seenPending = false;
  let eisr = 0;
  let elrsr = 0;
  let idx = -1;
  let prio = 0xff;
  let idxGrp = 0;
  for (let n = 0; n < nr; n++) {
    const lo = g[ARM_LR + 2 * n];
    const hi = g[ARM_LR + 2 * n + 1];
    let st: number;
    let eoi: boolean;
    let grp: number;
    if (v2) {
      st = (lo >>> GICH_LR_STATE_SHIFT) & 3;
      eoi = (lo & GICH_LR_HW) === 0 && (lo & GICH_LR_EOI) !== 0;
      grp = (lo >>> 30) & 1;
    } else {
      st = hi >>> 30;
      eoi = (hi & ICH_LR_HI_HW) === 0 && (hi & ICH_LR_HI_EOI) !== 0;
      grp = (hi >>> 28) & 1;
    }
    if (st !== 0) valid++;
    else if (eoi) eisr |= 1 << n;
    else elrsr |= 1 << n;
    if (st !== LR_PENDING) continue;
    seenPending = true;
    if (!(grp ? en1 : en0)) continue;
    const p = (v2 ? gichLrPriority(lo) : (hi >>> 16) & 0xff) & prioMask;
    if (p < prio) {
      prio = p;
      idx = n;
      idxGrp = grp;
    }
  }
  let misr = 0;
  if (eisr !== 0) misr |= MISR_EOI;
  if (valid < 2 && hcr & HCR_UIE) misr |= MISR_U;
  if (hcr & HCR_LRENPIE && hcr & HCR_EOICOUNT_MASK) misr |= MISR_LRENP;
  if (!seenPending && hcr & HCR_NPIE) misr |= MISR_NP;
  if (hcr & HCR_VGRP0EIE && en0) misr |= MISR_VGRP0E;
  if (hcr & HCR_VGRP0DIE && !en0) misr |= MISR_VGRP0D;
  if (hcr & HCR_VGRP1EIE && en1) misr |= MISR_VGRP1E;
  if (hcr & HCR_VGRP1DIE && !en1) misr |= MISR_VGRP1D;
  misr >>>= 0;
  g[ARM_MISR] = misr;
  g[ARM_EISR] = eisr >>> 0;
  g[ARM_ELRSR] = elrsr >>> 0;
  let lines = 0;
  // hppviIndex: no candidate at all when both groups are disabled; the vLPI wins only if strictly better.
  if (!en0 && !en1) idx = -1;
  else if (g[ARM_HPPVLPI] !== INTID_SPURIOUS && g[ARM_HPPVLPI_PRIO] < prio && groupEnabled(g, g[ARM_HPPVLPI_GRP]))
    idx = HPPVI_INDEX_VLPI;
  if (idx === HPPVI_INDEX_VLPI) {
    if (icvHppvlpiCanPreempt(g)) lines |= g[ARM_HPPVLPI_GRP] ? LINE_VIRQ : LINE_VFIQ;
  } else if (idx >= 0 && canPreempt(g, prio, idxGrp)) {
    lines |= idxGrp ? LINE_VIRQ : LINE_VFIQ;
  }
  if (hcr & HCR_EN && misr !== 0) lines |= LINE_MAINT;
  g[ARM_LINES] = lines;
  return lines;
}

export const cpuifVirqPending = (g: Uint32Array): boolean => (g[ARM_LINES] & (LINE_VIRQ | LINE_VFIQ)) !== 0;
export const cpuifMaintenance = (g: Uint32Array): boolean => (g[ARM_LINES] & LINE_MAINT) !== 0;

function setAprBit(g: Uint32Array, grp: number, gprio: number): void {
  const bit = gprio >>> (8 - cpuifPreBits(g));
  const base = grp ? ARM_AP1R : ARM_AP0R;
  g[base + (bit >>> 5)] = (g[base + (bit >>> 5)] | (1 << (bit & 31))) >>> 0;
}

/**
 * ICV_IAR0/1_EL1 / GICV_IAR read (Q:cpuif icv_iar_read; GICv3:VirtualReadIAR): the signalled candidate of
 * group `grp` goes Pending → Active and its group priority's APR bit is set; a vLPI has no active state, only
 * the APR bit (the caller clears its VPT bit: ARM_IAR_SRC = IAR_SRC_VLPI). Returns the INTID (GICv2 SGIs:
 * | CPUID << 10), or 1023 when nothing of that group can be signalled.
 */
export function icvIar(g: Uint32Array, grp: number): number {
  let intid = INTID_SPURIOUS;
  g[ARM_IAR_SRC] = IAR_SRC_NONE;
  const idx = hppviIndex(g);
  if (idx === HPPVI_INDEX_VLPI) {
    if (g[ARM_HPPVLPI_GRP] === grp && icvHppvlpiCanPreempt(g)) {
      intid = g[ARM_HPPVLPI];
      setAprBit(g, grp, g[ARM_HPPVLPI_PRIO] & icvGprioMask(g, grp));
      g[ARM_IAR_SRC] = IAR_SRC_VLPI;
      // The RD must now retire this vLPI from the VPT and present the next one (its.ts vptAck).
      g[ARM_HPPVLPI] = INTID_SPURIOUS;
      g[ARM_HPPVLPI_PRIO] = 0xff;
    }
  } else if (idx >= 0 && lrGroup(g, idx) === grp && icvHppiCanPreempt(g, idx)) {
    intid = lrVintid(g, idx);
    if (intid >= 1020 && intid <= 1023) {
      // Special INTIDs go Pending → Invalid and the bogus ID is returned, as the pseudocode says.
      lrSetState(g, idx, 0);
    } else {
      lrSetState(g, idx, LR_ACTIVE);
      setAprBit(g, grp, implPrio(g, lrPriority(g, idx)) & icvGprioMask(g, grp));
      if (isV2(g) && intid < 16) intid |= lrCpuid(g, idx) << 10;
    }
    g[ARM_IAR_SRC] = idx;
  }
  cpuifUpdate(g);
  return intid;
}

/**
 * Priority drop (Q:cpuif icv_drop_prio): clears the lowest set APR bit, favouring group 0 at equal priority.
 * Returns the dropped group priority, or 0xff when no bit was set.
 */
export function icvDropPrio(g: Uint32Array): number {
  const n = ichNumAprs(g);
  const shift = icvMinVbpr(g) + 1;
  for (let i = 0; i < n; i++) {
    const a0 = g[ARM_AP0R + i];
    const a1 = g[ARM_AP1R + i];
    if (a0 === 0 && a1 === 0) continue;
    const c0 = a0 === 0 ? 32 : 31 - Math.clz32(a0 & -a0);
    const c1 = a1 === 0 ? 32 : 31 - Math.clz32(a1 & -a1);
    if (c0 <= c1) {
      g[ARM_AP0R + i] = (a0 & (a0 - 1)) >>> 0;
      return ((c0 + i * 32) << shift) & 0xff;
    }
    g[ARM_AP1R + i] = (a1 & (a1 - 1)) >>> 0;
    return ((c1 + i * 32) << shift) & 0xff;
  }
  return 0xff;
}

/** LR holding the given active interrupt (Q:cpuif icv_find_active / FindActiveVirtualInterrupt), or −1. */
export function icvFindActive(g: Uint32Array, value: number): number {
  const nr = cpuifNrLr(g);
  const v2 = isV2(g);
  const intid = v2 ? value & 0x3ff : value >>> 0;
  const cpuid = (value >>> 10) & 7;
  for (let n = 0; n < nr; n++) {
    if ((lrState(g, n) & LR_ACTIVE) === 0 || lrVintid(g, n) !== intid) continue;
    // GICv2 SGIs are identified by (INTID, CPUID): one LR per source.
    if (v2 && intid < 16 && !lrHw(g, n) && lrCpuid(g, n) !== cpuid) continue;
    return n;
  }
  return -1;
}

/**
 * Deactivates LR n (Q:cpuif icv_deactivate_irq): Active → Invalid, Pending+Active → Pending. An HW LR
 * deactivates its physical INTID instead of raising EOI maintenance (G-08); the pINTID is returned so the
 * caller can deactivate it in the physical GIC model.
 */
export function icvDeactivateIrq(g: Uint32Array, n: number): number {
  lrSetState(g, n, lrState(g, n) & ~LR_ACTIVE);
  return lrHw(g, n) ? lrPintid(g, n) : NO_PHYS_DEACTIVATE;
}

/**
 * An EOI/DIR without a matching LR counts in EOIcount unless it is for an LPI, a special INTID, or (GICv4.1,
 * ICH_HCR_EL2.vSGIEOICount) an SGI, which then can only be a directly injected vSGI.
 */
function countsInEoiCount(g: Uint32Array, intid: number): boolean {
  if (intid >= INTID_LPI_MIN || (intid >= 1020 && intid <= 1023)) return false;
  return !(intid < 16 && !isV2(g) && g[ARM_HCR] & HCR_VSGIEOICOUNT);
}

/** EOIcount++ (5 bits, wraps like QEMU; KVM never relies on values above 31). */
export function icvIncrementEoiCount(g: Uint32Array): void {
  const hcr = g[ARM_HCR];
  const c = (((hcr >>> HCR_EOICOUNT_SHIFT) & 0x1f) + 1) & 0x1f;
  g[ARM_HCR] = ((hcr & ~HCR_EOICOUNT_MASK) | (c << HCR_EOICOUNT_SHIFT)) >>> 0;
}

/**
 * ICV_EOIR0/1_EL1 / GICV_EOIR write (Q:cpuif icv_eoir_write; GICv3:VirtualWriteEOIR): priority drop first
 * (IMPDEF order QEMU picks); nothing else if no priority was active. A matching active LR of the same group at
 * the dropped group priority is deactivated with EOImode 0 (LR-resident vLPIs always); no matching LR bumps
 * EOIcount with EOImode 0, except for LPIs (GICv3 ICH_HCR_EL2.EOIcount description). Returns the physical INTID to deactivate (HW LR), else −1.
 */
export function icvEoir(g: Uint32Array, grp: number, value: number): number {
  const intid = isV2(g) ? value & 0x3ff : value & 0xffffff;
  let phys = NO_PHYS_DEACTIVATE;
  const dropped = icvDropPrio(g);
  if (dropped !== 0xff) {
    const idx = icvFindActive(g, value);
    if (idx < 0) {
      // EOIcount counts writes that "would have resulted in a deactivation": with EOImode 1 that is the DIR's
      // job, so counting here too would count one interrupt twice.
      if (vmcrEoiMode(g) === 0 && countsInEoiCount(g, intid)) icvIncrementEoiCount(g);
    } else if (
      lrGroup(g, idx) === grp &&
      (implPrio(g, lrPriority(g, idx)) & icvGprioMask(g, grp)) === dropped &&
      (vmcrEoiMode(g) === 0 || intid >= INTID_LPI_MIN)
    ) {
      phys = icvDeactivateIrq(g, idx);
    }
  }
  cpuifUpdate(g);
  return phys;
}

/** ICH_HCR_EL2.TDIR: ICV_DIR_EL1 traps to the hypervisor instead of executing (GICv3 only). */
export const icvDirTraps = (g: Uint32Array): boolean => !isV2(g) && (g[ARM_HCR] & HCR_TDIR) !== 0;

/**
 * ICV_DIR_EL1 / GICV_DIR write (Q:cpuif icv_dir_write; GICv3:VirtualWriteDIR). Only meaningful with EOImode 1;
 * LPIs and special INTIDs are ignored; a matching active LR is deactivated, no match bumps EOIcount. Callers
 * check icvDirTraps first (TDIR: the write traps and KVM emulates it, hv/vgic vgicDeactivateTrapped).
 * Returns the physical INTID to deactivate (HW LR), else −1.
 */
export function icvDir(g: Uint32Array, value: number): number {
  const intid = isV2(g) ? value & 0x3ff : value & 0xffffff;
  let phys = NO_PHYS_DEACTIVATE;
  if (intid < 1020 && vmcrEoiMode(g) === 1) {
    const idx = icvFindActive(g, value);
    if (idx < 0) {
      if (countsInEoiCount(g, intid)) icvIncrementEoiCount(g);
    } else phys = icvDeactivateIrq(g, idx);
  }
  cpuifUpdate(g);
  return phys;
}
