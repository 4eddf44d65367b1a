// GICv3 backend (K:vgic-v3.c): LRs are ICH_LR<n>_EL2 system registers (cheaper than GICv2 MMIO), and the HCR
// additionally carries TDIR and vSGIEOICount.

import {
  ARM_HCR,
  ARM_LR,
  ARM_USED_LRS,
  ARM_VMCR,
  HCR_LRENPIE,
  HCR_TDIR,
  HCR_VSGIEOICOUNT,
  hcrEoiCount,
} from '../../arch/arm/cpuif-block.ts';
import { decodeIchLr, ICH_LR_HI_EOI, ICH_LR_HI_HW, ichLrPackHi } from '../../arch/arm/lr-v3.ts';
import { baseHcr, irqsActiveOutsideLrs, SUM_SGI } from './vgic-hcr.ts';
import {
  LRD_EOI,
  LRD_HW,
  lrdPintid,
  lrdState,
  vgicComputeLr,
  vgicFoldLr,
  vgicPopulateSideEffects,
  vgicReplayEoiCount,
} from './vgic-lr.ts';
import type { VgicState } from './vgic-state.ts';

/** K:vgic-v3.c vgic_v3_populate_lr. */
export function vgicV3PopulateLr(s: VgicState, g: Uint32Array, i: number, n: number): void {
  const d = vgicComputeLr(s, i);
  const hw = (d & LRD_HW) !== 0;
  g[ARM_LR + 2 * n] = s.intid[i];
  g[ARM_LR + 2 * n + 1] = ichLrPackHi(
    lrdState(d),
    s.priority[i],
    s.group[i],
    hw,
    lrdPintid(d),
    (d & LRD_EOI) !== 0,
    false,
  );
  vgicPopulateSideEffects(s, i, d);
}

/**
 * K:vgic-v3.c vgic_v3_configure_hcr: the common policy plus vSGIEOICount when no SGI is on the ap_list, and
 * TDIR whenever an active IRQ lives outside the LRs, any SPI is active anywhere in the VM (it may be deactivated
 * from another vCPU), or the CPU lacks TDIR support (G-20).
 */
export function vgicV3ConfigureHcr(s: VgicState, g: Uint32Array, nrLr: number): void {
  let hcr = baseHcr(s, g[ARM_VMCR], nrLr);
  if (s.summary[SUM_SGI] === 0) hcr |= HCR_VSGIEOICOUNT;
  if (!s.hasTdir || irqsActiveOutsideLrs(s, nrLr) || s.activeSpis > 0) hcr |= HCR_TDIR;
  g[ARM_HCR] = hcr >>> 0;
}

/** K:vgic-v3.c vgic_v3_fold_lr_state (EOIcount captured only with LRENPIE, see vgic_v3_save_state). */
export function vgicV3FoldLrState(s: VgicState, vcpu: number, g: Uint32Array): number {
  const used = g[ARM_USED_LRS];
  for (let n = 0; n < used; n++) {
    const hi = g[ARM_LR + 2 * n + 1];
    const st = hi >>> 30;
    const hw = (hi & ICH_LR_HI_HW) !== 0;
    const eoiMi = st === 0 && !hw && (hi & ICH_LR_HI_EOI) !== 0;
    vgicFoldLr(s, vcpu, g[ARM_LR + 2 * n], 0, st, eoiMi);
  }
  const hcr = g[ARM_HCR];
  return hcr & HCR_LRENPIE ? vgicReplayEoiCount(s, vcpu, hcrEoiCount(hcr)) : 0;
}

/** Decoded ICH_LR<n>_EL2 (tests). */
export const vgicV3ReadLr = (g: Uint32Array, n: number) => decodeIchLr(g[ARM_LR + 2 * n], g[ARM_LR + 2 * n + 1]);
