// Which guest WRMSRs to x2APIC registers the CPU virtualizes instead of exiting (semantics §A.2.1 "TPR / EOI /
// self-IPI virtualization"; SDM:APICV "Virtualizing MSR-Based APIC Accesses"). Assumes the MSR bitmap does not
// intercept these three MSRs, which is how KVM configures APICv. Everything else takes the WRMSR exit.

import { MSR_X2APIC_EOI, MSR_X2APIC_SELF_IPI, MSR_X2APIC_TPR } from './x2apic-msr.ts';

export interface ApicvMsrControls {
  virtualizeX2apicMode: boolean;
  virtualInterruptDelivery: boolean;
}

export const X2APIC_WRITE_EXIT = 0;
export const X2APIC_WRITE_TPR_VIRTUALIZED = 1;
export const X2APIC_WRITE_EOI_VIRTUALIZED = 2;
export const X2APIC_WRITE_SELF_IPI_VIRTUALIZED = 3;
/** The virtualized form with a reserved bit set raises #GP in the guest (no exit). */
export const X2APIC_WRITE_GP = 4;

export function x2apicWriteDisposition(msr: number, value: bigint, ctl: ApicvMsrControls): number {
  if (!ctl.virtualizeX2apicMode) return X2APIC_WRITE_EXIT;
  if (msr === MSR_X2APIC_TPR) return (value & ~0xffn) === 0n ? X2APIC_WRITE_TPR_VIRTUALIZED : X2APIC_WRITE_GP;
  if (!ctl.virtualInterruptDelivery) return X2APIC_WRITE_EXIT;
  if (msr === MSR_X2APIC_EOI) return value === 0n ? X2APIC_WRITE_EOI_VIRTUALIZED : X2APIC_WRITE_GP;
  if (msr === MSR_X2APIC_SELF_IPI) return (value & ~0xffn) === 0n ? X2APIC_WRITE_SELF_IPI_VIRTUALIZED : X2APIC_WRITE_GP;
  return X2APIC_WRITE_EXIT;
}
