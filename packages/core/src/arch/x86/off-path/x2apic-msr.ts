// x2APIC MSR access rules (semantics §A.1.1 register table; SDM:APIC "x2APIC Register Address Space";
// K:lapic.c kvm_x2apic_msr_write / kvm_lapic_msr_write / kvm_lapic_reg_write). Register at xAPIC offset o is
// MSR 0x800 + (o >> 4). These predicates say whether an access raises #GP instead of taking effect.

import { x2apicIcrValueValid } from './icr.ts';

export const X2APIC_MSR_BASE = 0x800;
export const x2apicMsr = (offset: number): number => X2APIC_MSR_BASE + (offset >>> 4);

export const MSR_X2APIC_ID = 0x802;
export const MSR_X2APIC_LVR = 0x803;
export const MSR_X2APIC_TPR = 0x808;
export const MSR_X2APIC_PPR = 0x80a;
export const MSR_X2APIC_EOI = 0x80b;
export const MSR_X2APIC_LDR = 0x80d;
export const MSR_X2APIC_SVR = 0x80f;
export const MSR_X2APIC_ISR0 = 0x810;
export const MSR_X2APIC_TMR0 = 0x818;
export const MSR_X2APIC_IRR0 = 0x820;
export const MSR_X2APIC_ESR = 0x828;
export const MSR_X2APIC_LVT_CMCI = 0x82f;
export const MSR_X2APIC_ICR = 0x830;
export const MSR_X2APIC_LVT_TIMER = 0x832;
export const MSR_X2APIC_LVT_ERROR = 0x837;
export const MSR_X2APIC_TIMER_ICR = 0x838;
export const MSR_X2APIC_TIMER_CCR = 0x839;
export const MSR_X2APIC_TIMER_DCR = 0x83e;
export const MSR_X2APIC_SELF_IPI = 0x83f;

/** Registers that exist in x2APIC mode but are read-only (ID and LDR are derived, not programmable; X-21). */
function isReadOnly(msr: number): boolean {
  return (
    msr === MSR_X2APIC_ID ||
    msr === MSR_X2APIC_LVR ||
    msr === MSR_X2APIC_PPR ||
    msr === MSR_X2APIC_LDR ||
    msr === MSR_X2APIC_TIMER_CCR ||
    (msr >= MSR_X2APIC_ISR0 && msr <= MSR_X2APIC_IRR0 + 7)
  );
}

/** Registers that exist and accept writes. APR, RRD, DFR and ICR2 have no x2APIC MSR at all. */
function isWritable(msr: number): boolean {
  return (
    msr === MSR_X2APIC_TPR ||
    msr === MSR_X2APIC_EOI ||
    msr === MSR_X2APIC_SVR ||
    msr === MSR_X2APIC_ESR ||
    msr === MSR_X2APIC_LVT_CMCI ||
    msr === MSR_X2APIC_ICR ||
    (msr >= MSR_X2APIC_LVT_TIMER && msr <= MSR_X2APIC_LVT_ERROR) ||
    msr === MSR_X2APIC_TIMER_ICR ||
    msr === MSR_X2APIC_TIMER_DCR ||
    msr === MSR_X2APIC_SELF_IPI
  );
}

/** WRMSR in x2APIC mode faults (#GP): read-only or absent register, or a reserved bit set in the value. */
export function x2apicWriteFaults(msr: number, value: bigint): boolean {
  if (!isWritable(msr)) return true;
  if (msr === MSR_X2APIC_ICR) return !x2apicIcrValueValid(Number(value & 0xffffffffn));
  // Bits 63:32 are reserved in every register but the 64-bit ICR.
  if (value >> 32n !== 0n) return true;
  switch (msr) {
    case MSR_X2APIC_EOI: // SDM: a non-zero EOI value is #GP(0) in x2APIC mode
    case MSR_X2APIC_ESR: // ESR is cleared by writing 0; any other value is reserved
      return value !== 0n;
    case MSR_X2APIC_SELF_IPI: // bits 63:8 reserved
      return (value & ~0xffn) !== 0n;
    default:
      return false;
  }
}

/** RDMSR in x2APIC mode faults (#GP): write-only EOI / SELF IPI, or a register with no x2APIC MSR. */
export function x2apicReadFaults(msr: number): boolean {
  if (msr === MSR_X2APIC_EOI || msr === MSR_X2APIC_SELF_IPI) return true;
  return !isReadOnly(msr) && !isWritable(msr);
}
