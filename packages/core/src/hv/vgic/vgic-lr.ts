// The hardware-independent halves of vgic_vN_compute_lr / populate_lr / fold_lr (K:vgic-v2.c, K:vgic-v3.c;
// semantics §B.5.1 step 3, §B.5.2 steps 2–3). KVM keeps two near-identical copies; here the decision is made
// once and packed into a number that the tiny per-version backends (vgic-v2.ts, vgic-v3.ts) encode.

import { LR_ACTIVE, LR_PENDING } from '../../arch/arm/lr-fields.ts';
import {
  EV_PHYS_DEACTIVATE,
  EV_RESAMPLE,
  irqIsMappedLevel,
  irqIsMultiSgi,
  irqIsPending,
  irqIsSgi,
  irqIsSpi,
  VGIC_MIN_LPI,
  type VgicState,
  vgicEmit,
  vgicIrqSlot,
  vgicSetActiveState,
} from './vgic-state.ts';

// Packed LR decision: [1:0] state, [2] EOI, [3] HW, [6:4] CPUID, [20:8] pINTID.
export const LRD_STATE = 3;
export const LRD_EOI = 1 << 2;
export const LRD_HW = 1 << 3;
export const LRD_CPUID_SHIFT = 4;
export const LRD_PINTID_SHIFT = 8;

export const lrdState = (d: number): number => d & LRD_STATE;
export const lrdCpuid = (d: number): number => (d >>> LRD_CPUID_SHIFT) & 7;
export const lrdPintid = (d: number): number => (d >>> LRD_PINTID_SHIFT) & 0x1fff;

/**
 * What KVM would write in an LR for slot i (K:vgic-v2.c vgic_v2_compute_lr, K:vgic-v3.c vgic_v3_compute_lr).
 * Pure. Pending is withheld for active HW IRQs (the pending state lives in the physical distributor), for
 * active SW level IRQs (resampling needs the EOI maintenance) and for active multi-source GICv2 SGIs; SW level
 * IRQs and multi-source SGIs request EOI maintenance (G-13, G-21).
 * Model decision: a GICv2 SGI active from source A and pending from a different source B is not written
 * Pending+Active (KVM would OR both CPUIDs into one LR); it gets EOI maintenance and B is presented after A's
 * deactivation, keeping one LR per (INTID, CPUID).
 */
export function vgicComputeLr(s: VgicState, i: number): number {
  const intid = s.intid[i];
  const sgiV2 = s.model === 2 && irqIsSgi(intid);
  let state = 0;
  let d = 0;
  let cpuid = 0;
  let allowPending = true;
  if (s.active[i]) {
    state |= LR_ACTIVE;
    if (sgiV2) cpuid = s.activeSource[i];
    if (irqIsMultiSgi(s, i)) {
      allowPending = false;
      d |= LRD_EOI;
    }
  }
  if (s.hw[i] && s.hwintid[i] >= 0) {
    d |= LRD_HW | ((s.hwintid[i] & 0x1fff) << LRD_PINTID_SHIFT);
    if (s.active[i]) allowPending = false;
  } else if (s.cfgLevel[i]) {
    d |= LRD_EOI;
    if (s.active[i]) allowPending = false;
  }
  if (allowPending && irqIsPending(s, i)) {
    if (sgiV2) {
      const src = s.source[i];
      const low = src & -src;
      if (low === 0) return 0; // K: WARN "No SGI source": nothing sensible to present
      const srcCpu = 31 - Math.clz32(low);
      if (s.active[i] && srcCpu !== cpuid) {
        d |= LRD_EOI;
      } else {
        state |= LR_PENDING;
        cpuid = srcCpu;
        if (src & ~low) d |= LRD_EOI;
      }
    } else {
      state |= LR_PENDING;
    }
  }
  if (d & LRD_HW) d &= ~LRD_EOI; // bit 19 / 41 belongs to the pINTID on HW LRs
  return d | state | (cpuid << LRD_CPUID_SHIFT);
}

/**
 * Software side effects of writing decision d for slot i into an LR (K:vgic-v2.c vgic_v2_populate_lr): an edge
 * IRQ's latch moves into the LR; a GICv2 SGI consumes one source and stays latched while others remain; a
 * mapped level IRQ forgets its line level (only rising edges are observed).
 */
export function vgicPopulateSideEffects(s: VgicState, i: number, d: number): void {
  if (d & LR_PENDING) {
    if (!s.cfgLevel[i]) s.pendingLatch[i] = 0;
    if (s.model === 2 && irqIsSgi(s.intid[i])) {
      s.source[i] &= ~(1 << lrdCpuid(d));
      if (s.source[i]) s.pendingLatch[i] = 1;
    }
    if (irqIsMappedLevel(s, i)) s.lineLevel[i] = 0;
  }
  s.onLr[i] = 1;
}

/**
 * Folds one LR's final state back into the IRQ (K:vgic-v2.c vgic_v2_fold_lr, K:vgic-v3.c vgic_v3_fold_lr).
 * `eoiMi` = the LR signals EOI maintenance (State = 00, EOI = 1, HW = 0): for an SPI, the irqfd resampler is
 * notified (EV_RESAMPLE). Returns the slot, or −1 if the INTID is unknown.
 */
export function vgicFoldLr(
  s: VgicState,
  vcpu: number,
  intid: number,
  cpuid: number,
  state: number,
  eoiMi: boolean,
): number {
  const i = vgicIrqSlot(s, vcpu, intid);
  if (i < 0) return -1;
  if (eoiMi && irqIsSpi(intid)) vgicEmit(s, EV_RESAMPLE, intid);
  let st = state;
  if (intid >= VGIC_MIN_LPI) st &= ~LR_ACTIVE; // LPIs have no software active state to preserve
  const deactivated = s.active[i] !== 0 && (st & LR_ACTIVE) === 0;
  vgicSetActiveState(s, i, (st & LR_ACTIVE) !== 0);
  const sgiV2 = s.model === 2 && irqIsSgi(intid);
  if (st & LR_ACTIVE && sgiV2) s.activeSource[i] = cpuid;
  // Edge is the only case where the LR's pending bit is preserved in software.
  if (!s.cfgLevel[i] && st & LR_PENDING) {
    s.pendingLatch[i] = 1;
    if (sgiV2) s.source[i] |= 1 << cpuid;
  }
  // A level IRQ whose LR went invalid was acked and EOIed: drop the soft pending state (resampling, G-13).
  if (s.cfgLevel[i] && st === 0) s.pendingLatch[i] = 0;
  // K:vgic.h vgic_irq_handle_resampling for mapped level IRQs: re-read the physical line; if it dropped,
  // the physical active state is cleared too.
  if (irqIsMappedLevel(s, i) && ((st & LR_PENDING) !== 0 || (deactivated && s.lineLevel[i] !== 0))) {
    s.lineLevel[i] = s.physLine[i];
    if (!s.lineLevel[i] && s.hwintid[i] >= 0) vgicEmit(s, EV_PHYS_DEACTIVATE, s.hwintid[i]);
  }
  s.onLr[i] = 0;
  return i;
}

/**
 * Deactivates slot i as if the guest had done it outside any LR: recompute its LR without the Active bit,
 * physically deactivate an HW one, fold (K:vgic-v3.c vgic_v3_fold_lr_state EOIcount loop, vgic_v3_deactivate).
 */
export function vgicDeactivateAsGuest(s: VgicState, vcpu: number, i: number): void {
  const d = vgicComputeLr(s, i) & ~LR_ACTIVE;
  if (d & LRD_HW) vgicEmit(s, EV_PHYS_DEACTIVATE, lrdPintid(d));
  const st = lrdState(d);
  vgicFoldLr(s, vcpu, s.intid[i], lrdCpuid(d), st, st === 0 && (d & (LRD_EOI | LRD_HW)) === LRD_EOI);
}

/**
 * EOIcount replay (semantics §B.5.2 step 3, G-19): for each EOI the guest did without a matching LR, deactivate
 * the next active IRQ of this vCPU's ap_list after the last LR-resident one. Valid because EOImode 0 deactivates
 * in reverse activation order and the list was priority-sorted at flush. Returns the number replayed.
 */
export function vgicReplayEoiCount(s: VgicState, vcpu: number, eoicount: number): number {
  let left = eoicount;
  const base = vcpu * s.apCap;
  for (let pos = s.lastLrPos[vcpu] + 1; pos < s.apLen[vcpu] && left > 0; pos++) {
    const i = s.ap[base + pos];
    if (!s.active[i] || s.vcpu[i] !== vcpu) continue;
    vgicDeactivateAsGuest(s, vcpu, i);
    left--;
  }
  return eoicount - left;
}
