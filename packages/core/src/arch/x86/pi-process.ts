// Processor posted-interrupt processing (semantics §A.3 "Processor posted-interrupt processing"; SDM:APICV):
// on the notification vector in non-root mode the CPU clears ON, moves PIR into VIRR (read-and-clear) and raises
// RVI to the highest vector moved, then evaluates pending virtual interrupts. The physical EOI that dismisses NV
// is the caller's (it belongs to the physical APIC, not to this vCPU's state).

import { getRvi, setRvi } from './apicv.ts';
import { VECTOR_WORDS, vecHighest } from './bitmap.ts';
import type { LapicRegs } from './lapic.ts';
import { piHarvest } from './pi-desc.ts';

/** Returns the highest vector moved from PIR to VIRR, or -1 when PIR was empty. `scratch` is 8 words. */
export function piProcess(pid: Uint32Array, a: LapicRegs, scratch: Uint32Array): number {
  if (!piHarvest(pid, scratch)) return -1;
  for (let w = 0; w < VECTOR_WORDS; w++) a.IRR[w] |= scratch[w];
  const hi = vecHighest(scratch);
  if (hi > getRvi(a)) setRvi(a, hi);
  return hi;
}
