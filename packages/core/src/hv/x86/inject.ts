// KVM's per-entry event injection for the software-vLAPIC schemes (semantics §A.1.5, §B.1 steps 4–5, §B.2 step 6;
// K:x86.c kvm_check_and_inject_events, update_cr8_intercept; K:vmx.c __vmx_complete_interrupts,
// vmx_update_cr8_intercept). One event per VM entry, in order: re-inject what an exit interrupted, then an NMI,
// then the highest deliverable maskable interrupt; whatever could not go in arms the matching window exit.

import {
  encodeIntrInfo,
  INTR_TYPE_EXT_INTR,
  INTR_TYPE_NMI,
  intrInfoType,
  intrInfoValid,
} from '../../arch/x86/intr-info.ts';
import { ackIrq, type LapicRegs, pendingDeliverable } from '../../arch/x86/lapic.ts';
import { type NmiState, nmiTake } from '../../arch/x86/nmi.ts';

export interface EntryEventState {
  /** Event to re-inject (from IDT-vectoring info at the last exit), or 0. */
  reinject: number;
  nmi: NmiState;
}

export interface GuestInterruptibility {
  /** RFLAGS.IF */
  IF: boolean;
  /** Blocking by STI or MOV SS. */
  shadow: boolean;
}

export interface EntryInjection {
  /** VM-entry interruption-information for this entry (valid bit set), or 0 when nothing is injected. */
  intrInfo: number;
  /** Interrupt-window exiting: a maskable interrupt is pending but could not go in now. */
  irqWindow: boolean;
  /** NMI-window exiting: an NMI is pending but blocked or displaced by another event. */
  nmiWindow: boolean;
}

/**
 * kvm_check_and_inject_events + vmx_inject_{irq,nmi}. `out` receives the result (the schemes pass one object per
 * vCPU, so an entry allocates nothing). Re-injection does not touch the APIC again (the vector
 * was acknowledged when first injected, V-04); a fresh maskable interrupt is acknowledged (IRR → ISR) here.
 */
export function checkAndInjectEvents(
  l: LapicRegs,
  ev: EntryEventState,
  g: GuestInterruptibility,
  out: EntryInjection = { intrInfo: 0, irqWindow: false, nmiWindow: false },
): EntryInjection {
  let intrInfo = 0;
  if (intrInfoValid(ev.reinject)) {
    intrInfo = ev.reinject;
    ev.reinject = 0;
  } else if (!g.shadow && nmiTake(ev.nmi)) {
    intrInfo = encodeIntrInfo(0x02, INTR_TYPE_NMI);
  } else if (g.IF && !g.shadow) {
    const v = pendingDeliverable(l);
    if (v >= 0) {
      ackIrq(l, v);
      intrInfo = encodeIntrInfo(v, INTR_TYPE_EXT_INTR);
    }
  }
  out.intrInfo = intrInfo;
  out.irqWindow = pendingDeliverable(l) >= 0;
  out.nmiWindow = ev.nmi.pending > 0;
  return out;
}

/**
 * __vmx_complete_interrupts: an exit that hit while an event was being delivered leaves it in IDT-vectoring
 * info; KVM queues the same event for re-injection. NMI and external interrupts are re-injected as-is.
 */
export function completeInterrupts(ev: EntryEventState, idtVectoringInfo: number): void {
  if (!intrInfoValid(idtVectoringInfo)) return;
  const t = intrInfoType(idtVectoringInfo);
  if (t === INTR_TYPE_NMI) ev.nmi.blocked = false; // the NMI never reached its handler: NMIs are unblocked again
  ev.reinject = idtVectoringInfo >>> 0;
}

/**
 * TPR threshold for TPR shadow without VID (vmx_update_cr8_intercept called with tpr = CR8 and irr = max IRR
 * class): 0 when nothing is pending or TPR does not block it; otherwise the class of the highest pending vector,
 * so lowering CR8 below it exits with TPR_BELOW_THRESHOLD (V-06).
 */
export function tprThreshold(cr8: number, maxIrr: number): number {
  if (maxIrr < 0) return 0;
  const irrClass = maxIrr >>> 4;
  return cr8 < irrClass ? 0 : irrClass;
}
