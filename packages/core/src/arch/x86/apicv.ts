// APICv virtual-interrupt state machine (semantics §A.2.1; SDM:APICV). The virtual-APIC page's VIRR/VISR/VTPR/VPPR
// are the vCPU's LAPIC views; RVI/SVI are the guest-interrupt-status field (RVI bits 7:0, SVI bits 15:8).

import { vecClear, vecHighest, vecSet, vecTest } from './bitmap.ts';
import { LAPIC_PPR, LAPIC_TPR, type LapicRegs, priorityClass } from './lapic.ts';

export const LAPIC_GIS = 3; // guest interrupt status, in LapicRegs.regs

export interface ApicvRegs extends LapicRegs {
  /** EOI-exit bitmap 0..3 (4 × 64 bits) as 8 × u32. */
  EOI_EXIT: Uint32Array;
}

export const getRvi = (a: LapicRegs): number => a.regs[LAPIC_GIS] & 0xff;
export const getSvi = (a: LapicRegs): number => (a.regs[LAPIC_GIS] >>> 8) & 0xff;
export function setRvi(a: LapicRegs, rvi: number): void {
  a.regs[LAPIC_GIS] = (a.regs[LAPIC_GIS] & 0xff00) | (rvi & 0xff);
}
export function setSvi(a: LapicRegs, svi: number): void {
  a.regs[LAPIC_GIS] = (a.regs[LAPIC_GIS] & 0x00ff) | ((svi & 0xff) << 8);
}

/** PPR virtualization: VPPR = VTPR if VTPR[7:4] ≥ SVI[7:4], else SVI & 0xF0. */
export function pprVirtualize(a: LapicRegs): number {
  const vtpr = a.regs[LAPIC_TPR];
  const svi = getSvi(a);
  const vppr = priorityClass(vtpr) >= priorityClass(svi) ? vtpr & 0xff : svi & 0xf0;
  a.regs[LAPIC_PPR] = vppr;
  return vppr;
}

/** Evaluate pending virtual interrupts: recognized iff RVI[7:4] > VPPR[7:4] (delivery also needs IF = 1). */
export function vidRecognized(a: LapicRegs): boolean {
  return priorityClass(getRvi(a)) > priorityClass(a.regs[LAPIC_PPR]);
}

/** Recompute RVI from VIRR after the hypervisor changed VIRR (vmx_set_rvi with max_irr). */
export function vidSyncRvi(a: LapicRegs): void {
  const hi = vecHighest(a.IRR);
  setRvi(a, Math.max(hi, 0));
}

/**
 * Virtual-interrupt delivery of V = RVI: VISR[V] = 1, SVI = V, VPPR = V & 0xF0, VIRR[V] = 0,
 * RVI = highest remaining VIRR bit (0 if none). Returns V.
 */
export function vidDeliver(a: LapicRegs): number {
  const v = getRvi(a);
  vecSet(a.ISR, v);
  setSvi(a, v);
  a.regs[LAPIC_PPR] = v & 0xf0;
  vecClear(a.IRR, v);
  const hi = vecHighest(a.IRR);
  setRvi(a, Math.max(hi, 0));
  return v;
}

/**
 * EOI virtualization: V = SVI; VISR[V] = 0; SVI = highest remaining VISR (0 if none); PPR virtualization.
 * Returns V; the caller checks EOI_EXIT[V] for a trap-like EXIT:EOI_INDUCED (P-19).
 */
export function vidEoi(a: LapicRegs): number {
  const v = getSvi(a);
  vecClear(a.ISR, v);
  const hi = vecHighest(a.ISR);
  setSvi(a, Math.max(hi, 0));
  pprVirtualize(a);
  return v;
}

export function eoiExitRequired(a: ApicvRegs, v: number): boolean {
  return vecTest(a.EOI_EXIT, v);
}

/** Self-IPI virtualization (x2APIC MSR 0x83F with VID): VIRR[v] = 1, RVI = max(RVI, v). */
export function vidSelfIpi(a: LapicRegs, v: number): void {
  vecSet(a.IRR, v);
  if (v > getRvi(a)) setRvi(a, v);
}

/** TPR virtualization with VID: write VTPR, then PPR virtualization (evaluation follows). */
export function vidWriteTpr(a: LapicRegs, tpr: number): void {
  a.regs[LAPIC_TPR] = tpr & 0xff;
  pprVirtualize(a);
}
