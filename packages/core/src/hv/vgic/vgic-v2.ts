// GICv2 backend (K:vgic-v2.c): LRs are GICH_LR MMIO registers in the GICH frame; the engine charges MMIO costs
// per LR written (flush) and per used LR read (sync: ELRSR lets the hypervisor skip empty ones).

import { ARM_HCR, ARM_LR, ARM_USED_LRS, ARM_VMCR, HCR_LRENPIE, hcrEoiCount } from '../../arch/arm/cpuif-block.ts';
import { decodeGichLr, GICH_LR_EOI, GICH_LR_HW, GICH_LR_VIRTUALID, gichLrPack } from '../../arch/arm/lr-v2.ts';
import { baseHcr } from './vgic-hcr.ts';
import {
  LRD_EOI,
  LRD_HW,
  lrdCpuid,
  lrdPintid,
  lrdState,
  vgicComputeLr,
  vgicFoldLr,
  vgicPopulateSideEffects,
  vgicReplayEoiCount,
} from './vgic-lr.ts';
import type { VgicState } from './vgic-state.ts';

/** K:vgic-v2.c vgic_v2_populate_lr: compute, write GICH_LR<n>, apply the software side effects. */
export function vgicV2PopulateLr(s: VgicState, g: Uint32Array, i: number, n: number): void {
  const d = vgicComputeLr(s, i);
  const hw = (d & LRD_HW) !== 0;
  g[ARM_LR + 2 * n] = gichLrPack(
    s.intid[i],
    lrdState(d),
    s.priority[i],
    s.group[i],
    hw,
    hw ? lrdPintid(d) : lrdCpuid(d),
    (d & LRD_EOI) !== 0,
  );
  g[ARM_LR + 2 * n + 1] = 0;
  vgicPopulateSideEffects(s, i, d);
}

/** K:vgic-v2.c vgic_v2_configure_hcr: GICH_HCR from the ap_list summary (no TDIR on GICv2). */
export function vgicV2ConfigureHcr(s: VgicState, g: Uint32Array, nrLr: number): void {
  g[ARM_HCR] = baseHcr(s, g[ARM_VMCR], nrLr);
}

/**
 * K:vgic-v2.c vgic_v2_fold_lr_state: fold every used LR, then replay EOIcount (captured only when LRENPIE was
 * set, as vgic_v2_save_state does). Returns the number of EOIs replayed.
 */
export function vgicV2FoldLrState(s: VgicState, vcpu: number, g: Uint32Array): number {
  const used = g[ARM_USED_LRS];
  for (let n = 0; n < used; n++) {
    const lr = g[ARM_LR + 2 * n];
    const st = (lr >>> 28) & 3;
    const hw = (lr & GICH_LR_HW) !== 0;
    const eoiMi = st === 0 && !hw && (lr & GICH_LR_EOI) !== 0;
    vgicFoldLr(s, vcpu, lr & GICH_LR_VIRTUALID, hw ? 0 : (lr >>> 10) & 7, st, eoiMi);
  }
  const hcr = g[ARM_HCR];
  return hcr & HCR_LRENPIE ? vgicReplayEoiCount(s, vcpu, hcrEoiCount(hcr)) : 0;
}

/** Decoded GICH_LR<n> (tests). */
export const vgicV2ReadLr = (g: Uint32Array, n: number) => decodeGichLr(g[ARM_LR + 2 * n]);
