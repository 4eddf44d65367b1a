// Entry/exit bookkeeping: ap_list → LRs before entry, LRs → ap_list after exit (semantics §B.5.1, §B.5.2;
// K:vgic.c kvm_vgic_flush_hwstate / vgic_flush_lr_state / kvm_vgic_sync_hwstate, after the late-2025 LR overflow
// rework). Both return plain counts the engine turns into costs.

import { ARM_HCR, ARM_USED_LRS, cpuifNrLr, LR_FMT_V2, lrFormat } from '../../arch/arm/cpuif-block.ts';
import { lrClear } from '../../arch/arm/lr-view.ts';
import { cpuifUpdate } from '../../arch/arm/vcpu-if.ts';
import { vgicPruneApList, vgicTargetOracle } from './vgic.ts';
import { irqsOutsideLrs, SUM_ACT, SUM_PEND, SUM_SGI } from './vgic-hcr.ts';
import {
  irqIsPending,
  irqIsSgi,
  SYNC_FOLDED,
  SYNC_MIGRATED,
  SYNC_REPLAYED,
  type VgicState,
  vgicBeginCall,
} from './vgic-state.ts';
import { vgicV2ConfigureHcr, vgicV2FoldLrState, vgicV2PopulateLr } from './vgic-v2.ts';
import { vgicV3ConfigureHcr, vgicV3FoldLrState, vgicV3PopulateLr } from './vgic-v3.ts';

/** K:vgic.c summarize_ap_list: count only IRQs whose oracle is this vCPU (others are about to migrate). */
export function vgicSummarizeApList(s: VgicState, vcpu: number): void {
  let pend = 0;
  let act = 0;
  let sgi = 0;
  const base = vcpu * s.apCap;
  for (let k = 0; k < s.apLen[vcpu]; k++) {
    const i = s.ap[base + k];
    if (vgicTargetOracle(s, i) !== vcpu) continue;
    if (s.active[i]) act++;
    else pend++;
    if (irqIsSgi(s.intid[i])) sgi++;
  }
  s.summary[SUM_PEND] = pend;
  s.summary[SUM_ACT] = act;
  s.summary[SUM_SGI] = sgi;
}

/**
 * K:vgic.c vgic_irq_cmp as reworked (semantics §B.5.1 step 2): enabled-pending-not-active first (G-17), then
 * priority ascending, then HW before SW at equal priority (G-18). Negative: a sorts before b.
 */
export function vgicIrqCmp(s: VgicState, a: number, b: number): number {
  const ka = !s.active[a] && s.enabled[a] && irqIsPending(s, a) ? 0 : 1;
  const kb = !s.active[b] && s.enabled[b] && irqIsPending(s, b) ? 0 : 1;
  if (ka !== kb) return ka - kb;
  if (s.priority[a] !== s.priority[b]) return s.priority[a] - s.priority[b];
  return s.hw[b] - s.hw[a];
}

/** Stable in-place insertion sort of a vCPU's ap_list (list_sort is a stable merge sort; lists are short). */
export function vgicSortApList(s: VgicState, vcpu: number): void {
  const base = vcpu * s.apCap;
  const len = s.apLen[vcpu];
  for (let k = 1; k < len; k++) {
    const x = s.ap[base + k];
    let j = k - 1;
    while (j >= 0 && vgicIrqCmp(s, s.ap[base + j], x) > 0) {
      s.ap[base + j + 1] = s.ap[base + j];
      j--;
    }
    s.ap[base + j + 1] = x;
  }
}

/**
 * Before entry (K:vgic.c vgic_flush_lr_state): summarize, sort when the list does not fit, write one LR per IRQ
 * whose oracle is this vCPU until nr_lr are used, zero the rest, set used_lrs and configure the HCR (overflow →
 * UIE/NPIE/LRENPIE so a maintenance interrupt brings the vCPU back to refill). The HCR is written even with an
 * empty ap_list so directly injected vLPIs are signalled (En). Returns the number of LRs written.
 */
export function vgicFlushLrState(s: VgicState, vcpu: number, g: Uint32Array): number {
  vgicBeginCall(s);
  const v2 = lrFormat(g) === LR_FMT_V2;
  const nrLr = cpuifNrLr(g);
  vgicSummarizeApList(s, vcpu);
  if (irqsOutsideLrs(s, nrLr)) vgicSortApList(s, vcpu);
  const base = vcpu * s.apCap;
  let count = 0;
  let lastPos = -1;
  for (let k = 0; k < s.apLen[vcpu] && count < nrLr; k++) {
    const i = s.ap[base + k];
    if (vgicTargetOracle(s, i) !== vcpu) continue;
    if (v2) vgicV2PopulateLr(s, g, i, count);
    else vgicV3PopulateLr(s, g, i, count);
    count++;
    lastPos = k;
  }
  for (let n = count; n < nrLr; n++) lrClear(g, n); // an invalid LR is all-zero in both formats
  g[ARM_USED_LRS] = count;
  s.lastLrPos[vcpu] = lastPos;
  if (v2) vgicV2ConfigureHcr(s, g, nrLr);
  else vgicV3ConfigureHcr(s, g, nrLr);
  cpuifUpdate(g);
  return count;
}

/**
 * After exit (K:vgic.c kvm_vgic_sync_hwstate): fold the used LRs, replay EOIcount (G-19), clear the LRs and the
 * HCR (drops the maintenance line), prune the ap_list (G-23). Returns the number of LRs folded; syncStats holds
 * the detail. Events: EV_PHYS_DEACTIVATE, EV_RESAMPLE, EV_KICK (migrations).
 */
export function kvmVgicSyncHwstate(s: VgicState, vcpu: number, g: Uint32Array): number {
  vgicBeginCall(s);
  const used = g[ARM_USED_LRS];
  const replayed = lrFormat(g) === LR_FMT_V2 ? vgicV2FoldLrState(s, vcpu, g) : vgicV3FoldLrState(s, vcpu, g);
  const nrLr = cpuifNrLr(g);
  for (let n = 0; n < nrLr; n++) lrClear(g, n);
  g[ARM_USED_LRS] = 0;
  g[ARM_HCR] = 0;
  s.lastLrPos[vcpu] = -1;
  s.syncStats[SYNC_FOLDED] = used;
  s.syncStats[SYNC_REPLAYED] = replayed;
  s.syncStats[SYNC_MIGRATED] = vgicPruneApList(s, vcpu);
  cpuifUpdate(g);
  return used;
}

/** Convenience for the engine: true when the vCPU has something a flush would put in an LR. */
export function vgicHasWork(s: VgicState, vcpu: number): boolean {
  const base = vcpu * s.apCap;
  for (let k = 0; k < s.apLen[vcpu]; k++) if (vgicTargetOracle(s, s.ap[base + k]) === vcpu) return true;
  return false;
}
