// Layout of the ARM area of a vCPU's state block (mem/vcpu-block.ts region `arm`: 64 u32 words, 53 used). It holds the
// virtual CPU interface as the hypervisor saves/restores it (KVM's vgic_v2_cpu_if / vgic_v3_cpu_if shadow:
// LRs, HCR, VMCR, APRs, used_lrs) plus the outputs the recompute function derives (MISR, EISR, ELRSR, lines)
// and the redistributor's highest-priority pending vLPI input (GICv4, Q:cpuif hppvlpi). Offsets are words
// relative to the start of the ARM area; the engine passes `arena.u32View(vcpu, arena.layout.arm, ARM_AREA_WORDS)`.

import { gichVtrNrLr } from './lr-v2.ts';
import { ichVtrNrLr } from './lr-v3.ts';

export const ARM_AREA_WORDS = 64;
export const ARM_MAX_LRS = 16;

export const ARM_LR = 0; // 32 words: LR n at [2n] (GICH_LR or ICH_LR lo) and [2n + 1] (ICH_LR hi; 0 for GICv2)
export const ARM_HCR = 32; // GICH_HCR / ICH_HCR_EL2
export const ARM_VMCR = 33; // GICH_VMCR / ICH_VMCR_EL2
export const ARM_VTR = 34; // GICH_VTR / ICH_VTR_EL2 (ListRegs, PREbits, PRIbits)
export const ARM_MISR = 35; // output: maintenance status
export const ARM_EISR = 36; // output: EOI status, one bit per LR
export const ARM_ELRSR = 37; // output: empty LR status, one bit per LR
export const ARM_AP0R = 38; // 4 words: ICH_AP0R<n>_EL2 (GICv2: group-0 bits of GICH_APR)
export const ARM_AP1R = 42; // 4 words: ICH_AP1R<n>_EL2 (GICv2: group-1 bits; GICH_APR = AP0R0 | AP1R0)
export const ARM_FMT = 46; // LR_FMT_V2 | LR_FMT_V3: which hardware generation these words belong to
export const ARM_LINES = 47; // output: LINE_VIRQ | LINE_VFIQ | LINE_MAINT
export const ARM_HPPVLPI = 48; // input: INTID of the RD's best pending vLPI, INTID_SPURIOUS = none
export const ARM_HPPVLPI_PRIO = 49; // input: its priority (0xff = none)
export const ARM_HPPVLPI_GRP = 50; // input: its group
export const ARM_IAR_SRC = 51; // output: what the last ICV_IAR acknowledged: LR index, IAR_SRC_VLPI or IAR_SRC_NONE
export const ARM_USED_LRS = 52; // KVM used_lrs: LRs [0, used) were written by the last flush

export const LR_FMT_V2 = 2;
export const LR_FMT_V3 = 3;

export const LINE_VIRQ = 1;
export const LINE_VFIQ = 2;
export const LINE_MAINT = 4;

export const IAR_SRC_VLPI = 16;
export const IAR_SRC_NONE = 0xff;

export const INTID_SPURIOUS = 1023;
export const INTID_LPI_MIN = 8192;

// HCR bits (identical positions in GICH_HCR and ICH_HCR_EL2, semantics §A.5/§A.6).
export const HCR_EN = 1 << 0;
export const HCR_UIE = 1 << 1;
export const HCR_LRENPIE = 1 << 2;
export const HCR_NPIE = 1 << 3;
export const HCR_VGRP0EIE = 1 << 4;
export const HCR_VGRP0DIE = 1 << 5;
export const HCR_VGRP1EIE = 1 << 6;
export const HCR_VGRP1DIE = 1 << 7;
export const HCR_VSGIEOICOUNT = 1 << 8; // ICH_HCR_EL2 only (GICv4.1)
export const HCR_TC = 1 << 10;
export const HCR_TALL0 = 1 << 11;
export const HCR_TALL1 = 1 << 12;
export const HCR_TDIR = 1 << 14; // ICH_HCR_EL2 only
export const HCR_EOICOUNT_SHIFT = 27;
export const HCR_EOICOUNT_MASK = 0x1f << HCR_EOICOUNT_SHIFT;

// MISR bits (GICH_MISR / ICH_MISR_EL2).
export const MISR_EOI = 1 << 0;
export const MISR_U = 1 << 1;
export const MISR_LRENP = 1 << 2;
export const MISR_NP = 1 << 3;
export const MISR_VGRP0E = 1 << 4;
export const MISR_VGRP0D = 1 << 5;
export const MISR_VGRP1E = 1 << 6;
export const MISR_VGRP1D = 1 << 7;

// VMCR bits: the low fields coincide in GICH_VMCR and ICH_VMCR_EL2; only the priority mask differs
// (GICv2 VMPriMask [31:27], 5 bits; GICv3 VPMR [31:24], 8 bits).
export const VMCR_ENG0 = 1 << 0;
export const VMCR_ENG1 = 1 << 1;
export const VMCR_ACKCTL = 1 << 2;
export const VMCR_FIQEN = 1 << 3;
export const VMCR_CBPR = 1 << 4;
export const VMCR_EOIM = 1 << 9;
export const VMCR_BPR1_SHIFT = 18; // GICv2 VMABP, GICv3 VBPR1
export const VMCR_BPR0_SHIFT = 21; // GICv2 VMBP, GICv3 VBPR0

export const hcrEoiCount = (hcr: number): number => (hcr >>> HCR_EOICOUNT_SHIFT) & 0x1f;

export const lrFormat = (g: Uint32Array): number => g[ARM_FMT];

/** nr_lr from the VTR (G-29). */
export const cpuifNrLr = (g: Uint32Array): number =>
  g[ARM_FMT] === LR_FMT_V2 ? gichVtrNrLr(g[ARM_VTR]) : ichVtrNrLr(g[ARM_VTR]);
/** Implemented preemption bits (VTR.PREbits + 1) and priority bits (VTR.PRIbits + 1). */
export const cpuifPreBits = (g: Uint32Array): number => ((g[ARM_VTR] >>> 26) & 7) + 1;
export const cpuifPriBits = (g: Uint32Array): number => ((g[ARM_VTR] >>> 29) & 7) + 1;

/** 8-bit virtual priority mask, whichever VMCR layout (K:vgic-v2.c vgic_v2_get_vmcr: pmr = VMPriMask << 3). */
export function vmcrPmr(g: Uint32Array): number {
  const vmcr = g[ARM_VMCR];
  return g[ARM_FMT] === LR_FMT_V2 ? ((vmcr >>> 27) & 0x1f) << 3 : (vmcr >>> 24) & 0xff;
}

export function vmcrSetPmr(g: Uint32Array, pmr: number): void {
  if (g[ARM_FMT] === LR_FMT_V2) g[ARM_VMCR] = ((g[ARM_VMCR] & 0x07ffffff) | (((pmr >>> 3) & 0x1f) << 27)) >>> 0;
  else g[ARM_VMCR] = ((g[ARM_VMCR] & 0x00ffffff) | ((pmr & 0xff) << 24)) >>> 0;
}

export const vmcrEoiMode = (g: Uint32Array): number => ((g[ARM_VMCR] & VMCR_EOIM) !== 0 ? 1 : 0);

export function vmcrSetEoiMode(g: Uint32Array, split: boolean): void {
  g[ARM_VMCR] = split ? g[ARM_VMCR] | VMCR_EOIM : g[ARM_VMCR] & ~VMCR_EOIM;
}

export interface CpuifConfig {
  /** Number of list registers, 1..16 (written to VTR.ListRegs as nr − 1). Default 4. */
  nrLr?: number;
  /** Implemented priority bits; GICv2 is fixed at 5. Default 5 (typical Arm cores). */
  priBits?: number;
  /** Implemented preemption bits, 5..7 (≤ priBits). Default 5. */
  preBits?: number;
}

/** Builds the VTR a given configuration reports. */
export function makeVtr(fmt: number, c: CpuifConfig = {}): number {
  const nrLr = c.nrLr ?? 4;
  const max = ARM_MAX_LRS;
  if (!Number.isInteger(nrLr) || nrLr < 1 || nrLr > max) throw new RangeError(`nr_lr must be 1..${max}, got ${nrLr}`);
  const pri = fmt === LR_FMT_V2 ? 5 : (c.priBits ?? 5);
  const pre = fmt === LR_FMT_V2 ? 5 : (c.preBits ?? 5);
  if (pre < 5 || pre > 7 || pre > pri || pri > 8) throw new RangeError(`bad PREbits/PRIbits ${pre}/${pri}`);
  return (((pri - 1) << 29) | ((pre - 1) << 26) | (nrLr - 1)) >>> 0;
}

/**
 * Resets an ARM area to the state of a freshly created vCPU interface: LRs empty, HCR = 0, VMCR with Group 1
 * enabled, priority mask fully open (0xff / 0xf8) and the minimum binary points (Q:cpuif ich_reset / the guest
 * GIC driver's usual setup), no pending vLPI.
 */
export function cpuifReset(g: Uint32Array, fmt: number, c: CpuifConfig = {}): void {
  if (g.length < ARM_AREA_WORDS) throw new RangeError(`ARM area needs ${ARM_AREA_WORDS} words`);
  g.fill(0, 0, ARM_AREA_WORDS);
  g[ARM_FMT] = fmt;
  g[ARM_VTR] = makeVtr(fmt, c);
  const minBpr = 7 - cpuifPreBits(g);
  g[ARM_VMCR] = VMCR_ENG1 | (minBpr << VMCR_BPR0_SHIFT) | ((minBpr + 1) << VMCR_BPR1_SHIFT);
  vmcrSetPmr(g, 0xff);
  g[ARM_HPPVLPI] = INTID_SPURIOUS;
  g[ARM_HPPVLPI_PRIO] = 0xff;
  g[ARM_HPPVLPI_GRP] = 1;
  g[ARM_IAR_SRC] = IAR_SRC_NONE;
}

/** Allocates a standalone ARM area (tests, bare setup); the simulator uses a view into its arena instead. */
export function newCpuifBlock(fmt: number, c: CpuifConfig = {}): Uint32Array {
  const g = new Uint32Array(ARM_AREA_WORDS);
  cpuifReset(g, fmt, c);
  return g;
}
