// ELI direct-mode architectural pieces (semantics §A.4, §B.4): the shadow IDT, whose present entries are the
// assigned physical vectors (copies of the guest's gates), and the #NP error code by which a non-assigned
// physical interrupt announces itself to the hypervisor.

import { vecSet, vecTest } from './bitmap.ts';

/** Error-code bits (SDM "Interrupt and Exception Handling"): EXT = external event, IDT = index refers to the IDT. */
export const ERR_EXT = 1 << 0;
export const ERR_IDT = 1 << 1;

/** #NP error code for a not-present IDT entry hit by external vector h: (h << 3) | IDT | EXT. */
export const npErrorCode = (vector: number): number => ((vector & 0xff) << 3) | ERR_IDT | ERR_EXT;

/** Decoded #NP: a host interrupt (IDT=1, EXT=1) to handle in the host, or a genuine guest #NP to reflect (E-04). */
export function npIsHostInterrupt(errorCode: number): boolean {
  return (errorCode & (ERR_EXT | ERR_IDT)) === (ERR_EXT | ERR_IDT);
}
export const npVector = (errorCode: number): number => (errorCode >>> 3) & 0xff;

/**
 * Shadow IDT: presence bitmap over physical vectors plus the guest vector each present entry maps to.
 * Only assigned physical vectors are present; every other entry has P = 0.
 */
export interface ShadowIdt {
  present: Uint32Array; // 8 words
  guestVector: Uint8Array; // 256 entries
}

export function newShadowIdt(): ShadowIdt {
  return { present: new Uint32Array(8), guestVector: new Uint8Array(256) };
}

export function shadowIdtAssign(idt: ShadowIdt, physical: number, guest: number): void {
  vecSet(idt.present, physical);
  idt.guestVector[physical] = guest;
}

/** Vectoring a physical interrupt through the shadow IDT: the guest vector, or -1 meaning #NP. */
export function shadowIdtVector(idt: ShadowIdt, physical: number): number {
  return vecTest(idt.present, physical) ? idt.guestVector[physical] : -1;
}
