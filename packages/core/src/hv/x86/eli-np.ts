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

export function eliHandleNp(errorCode: number): NpDisposition {
  if (npIsHostInterrupt(errorCode)) return { action: NP_HOST_INTERRUPT, vector: npVector(errorCode), errorCode };
  if ((errorCode & (ERR_IDT | ERR_EXT)) === ERR_IDT)
    return { action: NP_GUEST_IDT_VECTOR, vector: npVector(errorCode), errorCode };
  return { action: NP_REFLECT, vector: -1, errorCode };
}
