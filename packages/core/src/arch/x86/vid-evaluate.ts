// "Evaluate pending virtual interrupts" followed by virtual-interrupt delivery (semantics §A.2.1; SDM:APICV).
// Recognition needs interrupt-window exiting = 0 and RVI[7:4] > VPPR[7:4]; delivery additionally needs
// RFLAGS.IF = 1 and no blocking by STI / MOV SS. A delivered virtual interrupt also ends the HLT activity
// state (P-05), so a halted guest wakes without a VM exit.

import { vidDeliver, vidRecognized } from './apicv.ts';
import type { LapicRegs } from './lapic.ts';

/** VMCS guest activity state. */
export const ACTIVITY_ACTIVE = 0;
export const ACTIVITY_HLT = 1;

export interface VidGuestState {
  /** RFLAGS.IF */
  IF: boolean;
  /** Guest interruptibility: blocking by STI or by MOV SS. */
  shadow: boolean;
  interruptWindowExiting: boolean;
  activity: number;
}

/** Recognized and deliverable now? */
export function vidCanDeliver(a: LapicRegs, g: VidGuestState): boolean {
  return !g.interruptWindowExiting && vidRecognized(a) && g.IF && !g.shadow;
}

/** Evaluate and, if allowed, deliver RVI through the guest IDT. Returns the vector delivered, or -1. */
export function vidEvaluate(a: LapicRegs, g: VidGuestState): number {
  if (!vidCanDeliver(a, g)) return -1;
  g.activity = ACTIVITY_ACTIVE;
  return vidDeliver(a);
}
