// Local APIC priority math and the accept / acknowledge / EOI transitions (semantics §A.1.3).
// The register state is a view into the vCPU's (Shared)ArrayBuffer state block, laid out as
// the architectural page would be for the bitmaps (8 × u32 each).

import { vecClear, vecHighest, vecSet, vecTestAndSet } from './bitmap.ts';

/** Class (priority class) of a vector or of TPR/PPR: bits [7:4]. */
export const priorityClass = (v: number): number => (v >>> 4) & 0xf;

/** PPR from TPR and the highest in-service vector (K:lapic.c __apic_update_ppr). isrv = 0 when ISR is empty. */
export function computePpr(tpr: number, isrv: number): number {
  return priorityClass(tpr) >= priorityClass(isrv) ? tpr & 0xff : isrv & 0xf0;
}

/** A pending vector is deliverable iff its class beats PPR's class (K:lapic.c apic_has_interrupt_for_ppr). */
export function isDeliverable(vector: number, ppr: number): boolean {
  return (vector & 0xf0) > (ppr & 0xf0);
}

/** CR8 ⇄ TPR (K:lapic.c kvm_lapic_set_tpr / kvm_lapic_get_cr8). */
export const cr8ToTpr = (cr8: number): number => (cr8 & 0xf) << 4;
export const tprToCr8 = (tpr: number): number => (tpr >>> 4) & 0xf;

/** Plain, snapshot-able LAPIC register view. All bitmaps are 8-word views; scalars live in `regs`. */
export interface LapicRegs {
  IRR: Uint32Array;
  ISR: Uint32Array;
  TMR: Uint32Array;
  /** regs[LAPIC_TPR], regs[LAPIC_PPR], regs[LAPIC_SVR] */
  regs: Uint32Array;
}

export const LAPIC_TPR = 0;
export const LAPIC_PPR = 1;
export const LAPIC_SVR = 2;
/** SVR bit 8: APIC software enable. */
export const SVR_APIC_ENABLED = 1 << 8;

export function highestIsr(l: LapicRegs): number {
  const v = vecHighest(l.ISR);
  return Math.max(v, 0);
}

export function updatePpr(l: LapicRegs): number {
  const ppr = computePpr(l.regs[LAPIC_TPR], highestIsr(l));
  l.regs[LAPIC_PPR] = ppr;
  return ppr;
}

export const ACCEPT_DISCARDED = 0;
export const ACCEPT_QUEUED = 1;
export const ACCEPT_COALESCED = 2;

/**
 * Accept a fixed interrupt into IRR (K:lapic.c __apic_accept_irq). TMR is rewritten at accept time.
 * Returns ACCEPT_DISCARDED when the APIC is software-disabled or a level interrupt is deasserted,
 * ACCEPT_COALESCED when IRR[v] was already set (merged, a real hardware behaviour), else ACCEPT_QUEUED.
 */
export function acceptIrq(l: LapicRegs, vector: number, level: boolean, assert = true): number {
  if ((l.regs[LAPIC_SVR] & SVR_APIC_ENABLED) === 0) return ACCEPT_DISCARDED;
  if (level && !assert) return ACCEPT_DISCARDED;
  if (level) vecSet(l.TMR, vector);
  else vecClear(l.TMR, vector);
  return vecTestAndSet(l.IRR, vector) ? ACCEPT_COALESCED : ACCEPT_QUEUED;
}

/** Highest IRR vector that PPR lets through, or -1 (K:lapic.c apic_has_interrupt_for_ppr). */
export function pendingDeliverable(l: LapicRegs): number {
  const v = vecHighest(l.IRR);
  if (v < 0) return -1;
  return isDeliverable(v, l.regs[LAPIC_PPR]) ? v : -1;
}

/** INTA: IRR→ISR, PPR recomputed (K:lapic.c kvm_apic_ack_interrupt). */
export function ackIrq(l: LapicRegs, vector: number): void {
  vecClear(l.IRR, vector);
  vecSet(l.ISR, vector);
  updatePpr(l);
}

/**
 * EOI: clears the *highest* ISR bit (not necessarily the handler's vector), recomputes PPR.
 * Returns the vector retired, or -1 when ISR was empty (X-07: nothing changes).
 */
export function eoi(l: LapicRegs): number {
  const v = vecHighest(l.ISR);
  if (v < 0) return -1;
  vecClear(l.ISR, v);
  updatePpr(l);
  return v;
}

/** Allocates a standalone LAPIC (tests, bare setup). The simulator uses views into its arena instead. */
export function newLapic(): LapicRegs {
  const l: LapicRegs = {
    IRR: new Uint32Array(8),
    ISR: new Uint32Array(8),
    TMR: new Uint32Array(8),
    regs: new Uint32Array(4),
  };
  l.regs[LAPIC_SVR] = SVR_APIC_ENABLED | 0xff;
  return l;
}
