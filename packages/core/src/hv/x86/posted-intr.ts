// KVM's posted-interrupt scheduling hooks (semantics §B.3 (d), (e); K:pi.c, 5.17+ design with
// pi_enable_wakeup_handler). Pure policy over the bit-exact descriptor in arch/x86/pi-desc.ts.

import {
  ndstFor,
  POSTED_INTR_VECTOR,
  POSTED_INTR_WAKEUP_VECTOR,
  piNv,
  piPirIsEmpty,
  piSetNdst,
  piSetNv,
  piSetOn,
  piSetSn,
  piTestOn,
} from '../../arch/x86/pi-desc.ts';

/**
 * vmx_vcpu_pi_load (P-13): NDST ← the new pCPU, SN ← 0, NV ← 0xF2 (leaving the wakeup list is the caller's
 * bookkeeping), then if PIR ≠ ∅ set ON so the next entry's sync harvests it.
 */
export function piLoad(pid: Uint32Array, pcpuApicId: number, x2apic: boolean): void {
  piSetNdst(pid, ndstFor(pcpuApicId, x2apic));
  piSetNv(pid, POSTED_INTR_VECTOR);
  piSetSn(pid, false);
  if (!piPirIsEmpty(pid)) piSetOn(pid, true);
}

export const PUT_PREEMPTED = 0;
export const PUT_BLOCKED_WAKEUP_ARMED = 1;
export const PUT_BLOCKED_SELF_IPI = 2;
export const PUT_BLOCKED_NOT_ARMED = 3;

/**
 * vmx_vcpu_pi_put. Preempted → SN ← 1 (posts set PIR but never notify). Blocking with interrupts enabled →
 * pi_enable_wakeup_handler: NV ← 0xF1 (the caller puts the vCPU on NDST's wakeup list); if ON was already set a
 * self-IPI 0xF1 must be sent so the wakeup is not lost (P-15). Blocking with IF = 0 → nothing armed (P-16).
 */
export function piPut(pid: Uint32Array, blocking: boolean, interruptsBlocked: boolean): number {
  if (!blocking) {
    piSetSn(pid, true);
    return PUT_PREEMPTED;
  }
  if (interruptsBlocked) return PUT_BLOCKED_NOT_ARMED;
  piSetNv(pid, POSTED_INTR_WAKEUP_VECTOR);
  return piTestOn(pid) ? PUT_BLOCKED_SELF_IPI : PUT_BLOCKED_WAKEUP_ARMED;
}

export const piWakeupArmed = (pid: Uint32Array): boolean => piNv(pid) === POSTED_INTR_WAKEUP_VECTOR;
