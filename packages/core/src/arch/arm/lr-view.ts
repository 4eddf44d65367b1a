// Format-independent accessors over the LRs stored in the ARM area (cpuif-block.ts): LR n occupies words
// [2n, 2n + 1]. GICv2 keeps the whole GICH_LR in the first word; GICv3 keeps ICH_LR lo/hi. The virtual CPU
// interface evaluators (vcpu-if.ts) and the vgic backends read LRs only through these, so one implementation
// of the Q:cpuif pseudocode serves both generations.

import { ARM_FMT, ARM_LR, LR_FMT_V2 } from './cpuif-block.ts';
import { type LrFields, lrFields } from './lr-fields.ts';
import {
  decodeGichLr,
  GICH_LR_EOI,
  GICH_LR_HW,
  GICH_LR_STATE,
  GICH_LR_STATE_SHIFT,
  GICH_LR_VIRTUALID,
  gichLrPack,
  gichLrPriority,
} from './lr-v2.ts';
import { decodeIchLr, ICH_LR_HI_EOI, ICH_LR_HI_HW, ICH_LR_HI_NMI, ICH_LR_HI_PINTID, ichLrPackHi } from './lr-v3.ts';

const isV2 = (g: Uint32Array): boolean => g[ARM_FMT] === LR_FMT_V2;

export function lrState(g: Uint32Array, n: number): number {
  return isV2(g) ? (g[ARM_LR + 2 * n] >>> GICH_LR_STATE_SHIFT) & 3 : g[ARM_LR + 2 * n + 1] >>> 30;
}

export function lrSetState(g: Uint32Array, n: number, state: number): void {
  const w = ARM_LR + 2 * n;
  if (isV2(g)) g[w] = ((g[w] & ~GICH_LR_STATE) | ((state & 3) << GICH_LR_STATE_SHIFT)) >>> 0;
  else g[w + 1] = ((g[w + 1] & 0x3fffffff) | ((state & 3) << 30)) >>> 0;
}

export function lrVintid(g: Uint32Array, n: number): number {
  const lo = g[ARM_LR + 2 * n];
  return isV2(g) ? lo & GICH_LR_VIRTUALID : lo >>> 0;
}

export function lrHw(g: Uint32Array, n: number): boolean {
  return isV2(g) ? (g[ARM_LR + 2 * n] & GICH_LR_HW) !== 0 : (g[ARM_LR + 2 * n + 1] & ICH_LR_HI_HW) !== 0;
}

/** EOI maintenance request; always false for HW = 1 (the bit belongs to pINTID there). */
export function lrEoi(g: Uint32Array, n: number): boolean {
  if (lrHw(g, n)) return false;
  return isV2(g) ? (g[ARM_LR + 2 * n] & GICH_LR_EOI) !== 0 : (g[ARM_LR + 2 * n + 1] & ICH_LR_HI_EOI) !== 0;
}

/** Physical INTID of an HW LR (GICv2 PhysicalID [19:10], GICv3 pINTID [44:32]). */
export function lrPintid(g: Uint32Array, n: number): number {
  return isV2(g) ? (g[ARM_LR + 2 * n] >>> 10) & 0x3ff : g[ARM_LR + 2 * n + 1] & ICH_LR_HI_PINTID;
}

/** GICv2 SGI source CPU (HW = 0); 0 on GICv3 LRs (GICv3-model guests have no SGI source). */
export function lrCpuid(g: Uint32Array, n: number): number {
  if (!isV2(g) || lrHw(g, n)) return 0;
  return (g[ARM_LR + 2 * n] >>> 10) & 7;
}

export function lrGroup(g: Uint32Array, n: number): number {
  return isV2(g) ? (g[ARM_LR + 2 * n] >>> 30) & 1 : (g[ARM_LR + 2 * n + 1] >>> 28) & 1;
}

/** 8-bit priority as the virtual CPU interface sees it (GICv2: five bits widened). */
export function lrPriority(g: Uint32Array, n: number): number {
  return isV2(g) ? gichLrPriority(g[ARM_LR + 2 * n]) : (g[ARM_LR + 2 * n + 1] >>> 16) & 0xff;
}

export function lrNmi(g: Uint32Array, n: number): boolean {
  return !isV2(g) && (g[ARM_LR + 2 * n + 1] & ICH_LR_HI_NMI) !== 0;
}

/** Writes LR n from positional fields (hot path). `physOrCpuid` = pINTID if hw, else the GICv2 SGI CPUID. */
export function lrWrite(
  g: Uint32Array,
  n: number,
  vintid: number,
  state: number,
  priority: number,
  group: number,
  hw: boolean,
  physOrCpuid: number,
  eoi: boolean,
): void {
  const w = ARM_LR + 2 * n;
  if (isV2(g)) {
    g[w] = gichLrPack(vintid, state, priority, group, hw, physOrCpuid, eoi);
    g[w + 1] = 0;
  } else {
    g[w] = vintid >>> 0;
    g[w + 1] = ichLrPackHi(state, priority, group, hw, hw ? physOrCpuid : 0, eoi, false);
  }
}

export function lrClear(g: Uint32Array, n: number): void {
  g[ARM_LR + 2 * n] = 0;
  g[ARM_LR + 2 * n + 1] = 0;
}

/** Decoded view of LR n (tests, snapshots; allocates). */
export function lrDecode(g: Uint32Array, n: number): LrFields {
  const lo = g[ARM_LR + 2 * n];
  return isV2(g) ? decodeGichLr(lo) : decodeIchLr(lo, g[ARM_LR + 2 * n + 1]);
}

/** Writes LR n from a field record (tests, setup). */
export function lrWriteFields(g: Uint32Array, n: number, f: Partial<LrFields>): void {
  const x = lrFields(f);
  lrWrite(g, n, x.vintid, x.state, x.priority, x.group, x.hw, x.hw ? x.pintid : x.cpuid, x.eoi);
  if (x.nmi && !isV2(g)) g[ARM_LR + 2 * n + 1] |= ICH_LR_HI_NMI;
}
