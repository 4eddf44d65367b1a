// ELI: what the hypervisor does with an EXIT:EXCEPTION(#NP) in direct mode (semantics §B.4 "Non-assigned physical
// interrupt", E-03, E-04). The #NP error code tells a host interrupt that hit a not-present shadow-IDT entry
// (IDT = 1, EXT = 1) apart from a genuine guest #NP (segment not present, IDT = 0), which goes back to the guest.

import { ERR_EXT, ERR_IDT, npIsHostInterrupt, npVector } from '../../arch/x86/eli.ts';

/** Run the host handler for the vector in the error code (the guest never sees it). */
export const NP_HOST_INTERRUPT = 0;
/** Reflect #NP, with the same error code, into the guest. */
export const NP_REFLECT = 1;
/**
 * IDT = 1, EXT = 0: the guest's own INT n / exception vectored through a shadow-IDT entry that is not present
 * (only assigned vectors are). The hypervisor delivers that vector through the guest's IDT. (MODEL)
 */
export const NP_GUEST_IDT_VECTOR = 2;

export interface NpDisposition {
  action: number;
  vector: number;
  errorCode: number;
}

/** The action for an #NP error code (allocation-free; what the x86-eli scheme calls on every #NP exit). */
export function eliNpAction(errorCode: number): number {
  if (npIsHostInterrupt(errorCode)) return NP_HOST_INTERRUPT;
  if ((errorCode & (ERR_IDT | ERR_EXT)) === ERR_IDT) return NP_GUEST_IDT_VECTOR;
  return NP_REFLECT;
}

export function eliHandleNp(errorCode: number): NpDisposition {
  const action = eliNpAction(errorCode);
  return { action, vector: action === NP_REFLECT ? -1 : npVector(errorCode), errorCode };
}
