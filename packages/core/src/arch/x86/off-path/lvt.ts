// Local vector table writes and the SVR software-enable bit (semantics §A.1.1 "LVT entry"; X-11;
// K:lapic.c kvm_lapic_reg_write APIC_SPIV / APIC_LVTx, apic_lvt_mask). While the APIC is software-disabled
// every LVT entry stays masked, so no local interrupt can be generated.

import { LAPIC_SVR, type LapicRegs, SVR_APIC_ENABLED } from '../lapic.ts';

export const LVT_TIMER = 0;
export const LVT_THERMAL = 1;
export const LVT_PERFMON = 2;
export const LVT_LINT0 = 3;
export const LVT_LINT1 = 4;
export const LVT_ERROR = 5;
export const LVT_CMCI = 6;
export const NR_LVT = 7;

/** xAPIC offsets of LVT[i] (CMCI sits below the others). */
export const LVT_OFFSETS: readonly number[] = [0x320, 0x330, 0x340, 0x350, 0x360, 0x370, 0x2f0];

export const LVT_VECTOR_MASK = 0xff;
export const LVT_DELIVERY_MODE_MASK = 0x700;
export const LVT_SEND_PENDING = 1 << 12;
export const LVT_POLARITY = 1 << 13;
export const LVT_REMOTE_IRR = 1 << 14;
export const LVT_LEVEL = 1 << 15;
export const LVT_MASKED = 1 << 16;
/** Timer mode [18:17]: one-shot, periodic, TSC-deadline. */
export const LVT_TIMER_MODE_MASK = 3 << 17;

/** SVR bit 12: suppress EOI broadcast (directed EOI); writable only when LVR advertises it. */
export const SVR_SUPPRESS_EOI_BROADCAST = 1 << 12;

const LVT_MASK = LVT_MASKED | LVT_SEND_PENDING | LVT_VECTOR_MASK;
const LINT_MASK = LVT_MASK | LVT_DELIVERY_MODE_MASK | LVT_POLARITY | LVT_REMOTE_IRR | LVT_LEVEL;

/** Writable bits per LVT entry (K:lapic.c apic_lvt_mask, timer mode added as with TSC-deadline support). */
export const LVT_WRITABLE: readonly number[] = [
  LVT_MASK | LVT_TIMER_MODE_MASK,
  LVT_MASK | LVT_DELIVERY_MODE_MASK,
  LVT_MASK | LVT_DELIVERY_MODE_MASK,
  LINT_MASK,
  LINT_MASK,
  LVT_MASK,
  LVT_MASK | LVT_DELIVERY_MODE_MASK,
];

export const newLvt = (): Uint32Array => new Uint32Array(NR_LVT).fill(LVT_MASKED); // reset: all masked

/** Write LVT[index]: reserved bits dropped, and the mask bit forced while SVR.enable = 0. */
export function lvtWrite(l: LapicRegs, lvt: Uint32Array, index: number, value: number): void {
  let v = value & LVT_WRITABLE[index];
  if ((l.regs[LAPIC_SVR] & SVR_APIC_ENABLED) === 0) v |= LVT_MASKED;
  lvt[index] = v >>> 0;
}

/** Write SVR: [9:0] (plus bit 12 with directed EOI); clearing the enable bit masks every LVT entry. */
export function svrWrite(l: LapicRegs, lvt: Uint32Array, value: number, directedEoi = false): void {
  const writable = 0x3ff | (directedEoi ? SVR_SUPPRESS_EOI_BROADCAST : 0);
  l.regs[LAPIC_SVR] = value & writable;
  if ((value & SVR_APIC_ENABLED) === 0) for (let i = 0; i < lvt.length; i++) lvt[i] |= LVT_MASKED;
}

export const lvtMasked = (lvt: Uint32Array, index: number): boolean => (lvt[index] & LVT_MASKED) !== 0;
