// GICH_LR<n> — GICv2 virtual interface list register, 32 bits, bit-exact (semantics §A.5; GICv2:GICH_LR;
// K:vgic-v2.c vgic_v2_compute_lr; G5:vgic ListReg). Bits 19:10 are PhysicalID when HW = 1; when HW = 0,
// 12:10 are the SGI source CPUID and bit 19 is EOI — which is why an HW LR can never request EOI maintenance.

import { type LrFields, lrFields } from './lr-fields.ts';

export const GICH_LR_VIRTUALID = 0x3ff;
export const GICH_LR_PHYSID_CPUID_SHIFT = 10;
export const GICH_LR_PHYSID_CPUID = 0x3ff << GICH_LR_PHYSID_CPUID_SHIFT;
export const GICH_LR_CPUID = 0x7 << GICH_LR_PHYSID_CPUID_SHIFT;
export const GICH_LR_EOI = 1 << 19;
export const GICH_LR_PRIORITY_SHIFT = 23;
export const GICH_LR_PRIORITY = 0x1f << GICH_LR_PRIORITY_SHIFT;
export const GICH_LR_STATE_SHIFT = 28;
export const GICH_LR_PENDING_BIT = 1 << 28;
export const GICH_LR_ACTIVE_BIT = 1 << 29;
export const GICH_LR_STATE = 3 << GICH_LR_STATE_SHIFT;
export const GICH_LR_GROUP1 = 1 << 30;
export const GICH_LR_HW = 0x80000000;

/**
 * Packs a GICH_LR from positional fields (hot path, no allocation). `physOrCpuid` is PhysicalID when hw,
 * else the SGI CPUID. Only the top five priority bits are kept (K:vgic-v2.c: "The GICv2 LR only holds five
 * bits of priority").
 */
export function gichLrPack(
  vintid: number,
  state: number,
  priority: number,
  group: number,
  hw: boolean,
  physOrCpuid: number,
  eoi: boolean,
): number {
  let v = (vintid & GICH_LR_VIRTUALID) | ((state & 3) << GICH_LR_STATE_SHIFT);
  v |= ((priority >>> 3) & 0x1f) << GICH_LR_PRIORITY_SHIFT;
  if (group) v |= GICH_LR_GROUP1;
  if (hw) v |= GICH_LR_HW | ((physOrCpuid & 0x3ff) << GICH_LR_PHYSID_CPUID_SHIFT);
  else {
    v |= (physOrCpuid & 0x7) << GICH_LR_PHYSID_CPUID_SHIFT;
    if (eoi) v |= GICH_LR_EOI;
  }
  return v >>> 0;
}

export function encodeGichLr(f: Partial<LrFields>): number {
  const x = lrFields(f);
  return gichLrPack(x.vintid, x.state, x.priority, x.group, x.hw, x.hw ? x.pintid : x.cpuid, x.eoi);
}

export const gichLrState = (lr: number): number => (lr >>> GICH_LR_STATE_SHIFT) & 3;
export const gichLrHw = (lr: number): boolean => (lr & GICH_LR_HW) !== 0;
/** Priority field widened back to 8 bits (low three bits read as zero). */
export const gichLrPriority = (lr: number): number => ((lr >>> GICH_LR_PRIORITY_SHIFT) & 0x1f) << 3;

export function decodeGichLr(lr: number): LrFields {
  const hw = gichLrHw(lr);
  return {
    vintid: lr & GICH_LR_VIRTUALID,
    pintid: hw ? (lr >>> GICH_LR_PHYSID_CPUID_SHIFT) & 0x3ff : 0,
    cpuid: hw ? 0 : (lr >>> GICH_LR_PHYSID_CPUID_SHIFT) & 0x7,
    eoi: !hw && (lr & GICH_LR_EOI) !== 0,
    state: gichLrState(lr),
    group: (lr >>> 30) & 1,
    priority: gichLrPriority(lr),
    hw,
    nmi: false,
  };
}

/** GICH_VTR.ListRegs [5:0] = number of LRs − 1 (K:vgic-v2.c vgic_v2_probe: nr_lr = (VTR & 0x3f) + 1). */
export const gichVtrNrLr = (vtr: number): number => (vtr & 0x3f) + 1;
