// Reads of the LAPIC register page by xAPIC offset (semantics §A.1.1), for the registers LapicRegs keeps.
// Bitmap register at base + 0x10 * n is word n of the 8-word bitmap.

import { LAPIC_PPR, LAPIC_SVR, LAPIC_TPR, type LapicRegs } from '../lapic.ts';

export const APIC_OFFSET_ID = 0x20;
export const APIC_OFFSET_LVR = 0x30;
export const APIC_OFFSET_TPR = 0x80;
export const APIC_OFFSET_PPR = 0xa0;
export const APIC_OFFSET_EOI = 0xb0;
export const APIC_OFFSET_LDR = 0xd0;
export const APIC_OFFSET_DFR = 0xe0;
export const APIC_OFFSET_SVR = 0xf0;
export const APIC_OFFSET_ISR = 0x100;
export const APIC_OFFSET_TMR = 0x180;
export const APIC_OFFSET_IRR = 0x200;
export const APIC_OFFSET_ICR = 0x300;
export const APIC_OFFSET_ICR2 = 0x310;

/** LVR as KVM reports it: version 0x14, six LVT entries ([23:16] = #LVT − 1), no directed EOI. */
export const APIC_LVR_VALUE = 0x14 | (5 << 16);

/** Offset → value for the registers modelled here; throws for the others rather than invent a value. */
export function lapicRegRead(l: LapicRegs, offset: number): number {
  const base = offset & ~0x7f;
  const word = (offset >>> 4) & 7;
  if (base === APIC_OFFSET_ISR) return l.ISR[word] >>> 0;
  if (base === APIC_OFFSET_TMR) return l.TMR[word] >>> 0;
  if (base === APIC_OFFSET_IRR) return l.IRR[word] >>> 0;
  switch (offset) {
    case APIC_OFFSET_LVR:
      return APIC_LVR_VALUE;
    case APIC_OFFSET_TPR:
      return l.regs[LAPIC_TPR] & 0xff;
    case APIC_OFFSET_PPR:
      return l.regs[LAPIC_PPR] & 0xff;
    case APIC_OFFSET_SVR:
      return l.regs[LAPIC_SVR] >>> 0;
    default:
      throw new RangeError(`lapicRegRead: offset 0x${offset.toString(16)} is not kept in LapicRegs`);
  }
}
