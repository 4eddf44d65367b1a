// Shared setup for the arch-level x86 rule tests: LAPIC states built from register values, and a handler loop
// that takes every deliverable interrupt the way a guest would (INTA, handler, EOI).

import { vecFrom } from '../../src/arch/x86/bitmap.ts';
import {
  ackIrq,
  LAPIC_TPR,
  type LapicRegs,
  newLapic,
  pendingDeliverable,
  updatePpr,
} from '../../src/arch/x86/lapic.ts';
import { type EoiResult, lapicEoi } from '../../src/arch/x86/off-path/eoi-broadcast.ts';
import type { Ioapic } from '../../src/arch/x86/off-path/ioapic.ts';

export interface LapicInit {
  tpr?: number;
  irr?: readonly number[];
  isr?: readonly number[];
  tmr?: readonly number[];
}

export function lapicWith(init: LapicInit = {}): LapicRegs {
  const l = newLapic();
  l.regs[LAPIC_TPR] = init.tpr ?? 0;
  l.IRR.set(vecFrom(init.irr ?? []));
  l.ISR.set(vecFrom(init.isr ?? []));
  l.TMR.set(vecFrom(init.tmr ?? []));
  updatePpr(l);
  return l;
}

/** Copy of every register of a LAPIC, for "nothing changed" assertions. */
export const snapshot = (l: LapicRegs): number[][] => [[...l.IRR], [...l.ISR], [...l.TMR], [...l.regs]];

export const hex = (v: number): string => `0x${v.toString(16)}`;

/**
 * Runs handlers until nothing is deliverable: acknowledge the highest deliverable vector, call `body` (the
 * handler), EOI. Returns the vectors handled in order; `onEoi` sees each EOI result (IOAPIC re-sends).
 */
export function drainHandlers(
  l: LapicRegs,
  body: (v: number) => void = () => {},
  io: Ioapic | null = null,
  onEoi: (r: EoiResult) => void = () => {},
  limit = 64,
): number[] {
  const ran: number[] = [];
  for (let v = pendingDeliverable(l); v >= 0 && ran.length < limit; v = pendingDeliverable(l)) {
    ackIrq(l, v);
    ran.push(v);
    body(v);
    onEoi(lapicEoi(l, io));
  }
  return ran;
}
