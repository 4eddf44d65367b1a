// LAPIC EOI with the EOI broadcast to the I/O APIC (semantics §A.1.3 "EOI"; K:lapic.c apic_set_eoi,
// kvm_ioapic_send_eoi; K:ioapic.c kvm_ioapic_update_eoi_one). Only a level-triggered vector (TMR[v] = 1) is
// broadcast, and not when SVR asks to suppress the broadcast (directed EOI).

import { vecTest } from '../bitmap.ts';
import { eoi, LAPIC_SVR, type LapicRegs } from '../lapic.ts';
import { type Ioapic, type IoapicMessage, ioapicEoi } from './ioapic.ts';
import { SVR_SUPPRESS_EOI_BROADCAST } from './lvt.ts';

export interface EoiResult {
  /** Vector retired from ISR, or -1 when ISR was empty (nothing changes, X-07). */
  vector: number;
  /** The IOAPIC saw an EOI for the vector. */
  ioapicEoi: boolean;
  /** Level messages the IOAPIC re-sent because their lines are still asserted. */
  resent: IoapicMessage[];
}

export function lapicEoi(l: LapicRegs, io: Ioapic | null): EoiResult {
  const v = eoi(l);
  if (v < 0) return { vector: -1, ioapicEoi: false, resent: [] };
  if (io === null || !vecTest(l.TMR, v) || (l.regs[LAPIC_SVR] & SVR_SUPPRESS_EOI_BROADCAST) !== 0)
    return { vector: v, ioapicEoi: false, resent: [] };
  return { vector: v, ioapicEoi: true, resent: ioapicEoi(io, v) };
}
