// ICH_LR<n>_EL2 — GICv3 list register, 64 bits, held as a lo/hi pair of u32 (semantics §A.6; GICv3:ICH_LR<n>_EL2;
// K:vgic-v3.c vgic_v3_populate_lr; G5:gicv3cpu ICH_LR_EL2). JS numbers lose bits above 2^53, so the hot path
// never forms the 64-bit value: lo = vINTID[31:0], hi = bits 63:32. A bigint view exists for tests and display.
//   hi[12:0]  pINTID (LR bits 44:32, HW = 1)       hi[9]   EOI (LR bit 41, HW = 0; overlaps pINTID)
//   hi[23:16] Priority (55:48)                     hi[27]  NMI (59, FEAT_GICv3_NMI)
//   hi[28]    Group (60)   hi[29] HW (61)          hi[31:30] State (63:62)

import { type LrFields, lrFields } from './lr-fields.ts';

export const ICH_LR_HI_PINTID = 0x1fff;
export const ICH_LR_HI_EOI = 1 << 9;
export const ICH_LR_HI_PRIORITY_SHIFT = 16;
export const ICH_LR_HI_NMI = 1 << 27;
export const ICH_LR_HI_GROUP = 1 << 28;
export const ICH_LR_HI_HW = 1 << 29;
export const ICH_LR_HI_STATE_SHIFT = 30;
export const ICH_LR_HI_PENDING_BIT = 1 << 30;
export const ICH_LR_HI_ACTIVE_BIT = 0x80000000;

/** Packs the high word of an ICH_LR (the low word is the vINTID itself). Hot path, no allocation. */
export function ichLrPackHi(
  state: number,
  priority: number,
  group: number,
  hw: boolean,
  pintid: number,
  eoi: boolean,
  nmi: boolean,
): number {
  let hi = ((state & 3) << ICH_LR_HI_STATE_SHIFT) | ((priority & 0xff) << ICH_LR_HI_PRIORITY_SHIFT);
  if (group) hi |= ICH_LR_HI_GROUP;
  if (nmi) hi |= ICH_LR_HI_NMI;
  if (hw) hi |= ICH_LR_HI_HW | (pintid & ICH_LR_HI_PINTID);
  else if (eoi) hi |= ICH_LR_HI_EOI;
  return hi >>> 0;
}

export function encodeIchLr(f: Partial<LrFields>): { lo: number; hi: number } {
  const x = lrFields(f);
  return { lo: x.vintid >>> 0, hi: ichLrPackHi(x.state, x.priority, x.group, x.hw, x.pintid, x.eoi, x.nmi) };
}

export const ichLrToBigint = (lo: number, hi: number): bigint => (BigInt(hi >>> 0) << 32n) | BigInt(lo >>> 0);
export const ichLrFromBigint = (v: bigint): { lo: number; hi: number } => ({
  lo: Number(v & 0xffffffffn),
  hi: Number((v >> 32n) & 0xffffffffn),
});

export function encodeIchLrBig(f: Partial<LrFields>): bigint {
  const { lo, hi } = encodeIchLr(f);
  return ichLrToBigint(lo, hi);
}

export const ichLrState = (hi: number): number => (hi >>> ICH_LR_HI_STATE_SHIFT) & 3;
export const ichLrHw = (hi: number): boolean => (hi & ICH_LR_HI_HW) !== 0;
export const ichLrPriority = (hi: number): number => (hi >>> ICH_LR_HI_PRIORITY_SHIFT) & 0xff;

export function decodeIchLr(lo: number, hi: number): LrFields {
  const hw = ichLrHw(hi);
  return {
    vintid: lo >>> 0,
    pintid: hw ? hi & ICH_LR_HI_PINTID : 0,
    cpuid: 0,
    eoi: !hw && (hi & ICH_LR_HI_EOI) !== 0,
    state: ichLrState(hi),
    group: (hi >>> 28) & 1,
    priority: ichLrPriority(hi),
    hw,
    nmi: (hi & ICH_LR_HI_NMI) !== 0,
  };
}

export function decodeIchLrBig(v: bigint): LrFields {
  const { lo, hi } = ichLrFromBigint(v);
  return decodeIchLr(lo, hi);
}

/** ICH_VTR_EL2.ListRegs [4:0] = #LR − 1; KVM masks 4 bits (K:vgic-v3.c vgic_v3_probe: (vtr & 0xf) + 1). */
export const ichVtrNrLr = (vtr: number): number => (vtr & 0xf) + 1;
