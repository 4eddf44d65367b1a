// The software-vLAPIC delivery path shared by x86-emul, x86-vmx and ELI's injection mode (semantics §B.1/§B.2):
// accept into vIRR (arch lapic acceptIrq), and at each VM entry KVM's kvm_check_and_inject_events (hv/x86/inject.ts,
// the evaluator the V- rule tests call): one event per entry — re-injection, then NMI, then the highest
// deliverable maskable interrupt if the guest can take it (IF = 1, no STI/MOV-SS shadow) — and interrupt-window
// exiting armed while a maskable interrupt stays pending.

import { intrInfoValid, intrInfoVector } from '../../arch/x86/intr-info.ts';
import { ACCEPT_COALESCED, ACCEPT_DISCARDED, acceptIrq } from '../../arch/x86/lapic.ts';
import { newNmiState } from '../../arch/x86/nmi.ts';
import { PH_HALT, PH_WORK } from '../../model/vocabulary.ts';
import type { SchemeHost, SchemeVcpu } from '../scheme.ts';
import {
  checkAndInjectEvents,
  type EntryEventState,
  type EntryInjection,
  type GuestInterruptibility,
} from './inject.ts';

/** Accept an edge interrupt into the vCPU's vIRR, tracking coalescing and the raise time for latency. */
export function vlapicAccept(sim: SchemeHost, vc: SchemeVcpu, vector: number, raisedAt: number, flag: number): void {
  const r = acceptIrq(vc.lapic, vector, false);
  if (r === ACCEPT_COALESCED) sim.countCoalesced(vc, vector);
  else if (r !== ACCEPT_DISCARDED) vc.ledger.accept(vector, raisedAt, flag);
}

/**
 * RFLAGS.IF of the guest at this entry: 1 when it was doing work outside an interrupts-off section, or halted
 * (HLT is executed with IF = 1); 0 inside a handler (interrupt gate) or a CLI section.
 */
export const entryInterruptible = (vc: SchemeVcpu): boolean =>
  (vc.phase === PH_WORK && !vc.irqsOff) || vc.phase === PH_HALT;

/** Per-vCPU entry-injection state (what KVM keeps in vcpu->arch: re-injection, NMI latch), built once. */
export class VlapicEntryState {
  readonly ev: EntryEventState[];
  /** Interrupt-window exiting armed at the last entry (a maskable interrupt stayed pending), per vCPU. */
  readonly windowArmed: Uint8Array;
  /**
   * The current handler was delivered through the shadow IDT (ELI's physical ISR), not injected: cleared by every
   * injection, set by ELI's direct delivery.
   */
  readonly handlerPhysical: Uint8Array;
  private readonly g: GuestInterruptibility = { IF: false, shadow: false };
  private readonly out: EntryInjection = { intrInfo: 0, irqWindow: false, nmiWindow: false };

  constructor(vcpus: number) {
    this.ev = Array.from({ length: vcpus }, () => ({ reinject: 0, nmi: newNmiState() }));
    this.windowArmed = new Uint8Array(vcpus);
    this.handlerPhysical = new Uint8Array(vcpus);
  }

  /**
   * kvm_check_and_inject_events for vc at this entry: injects (IRR → ISR, SchemeHost.injectAtEntry) or arms the
   * interrupt window. Returns root cycles spent (injectEvent when something was injected).
   */
  injectEvents(sim: SchemeHost, vc: SchemeVcpu): number {
    const g = this.g;
    g.IF = entryInterruptible(vc);
    g.shadow = vc.stiShadow;
    const r = checkAndInjectEvents(vc.lapic, this.ev[vc.index], g, this.out);
    this.windowArmed[vc.index] = r.irqWindow ? 1 : 0;
    if (!intrInfoValid(r.intrInfo)) return 0;
    const v = intrInfoVector(r.intrInfo);
    sim.injectAtEntry(vc, v, vc.ledger.acceptedAt(v), vc.ledger.acceptedRunning(v));
    this.handlerPhysical[vc.index] = 0;
    return sim.c.injectEvent;
  }
}

/**
 * Exit-cause code for an interrupt kind (KIND_DEVICE → CAUSE_DEVICE, KIND_IPI → CAUSE_IPI, KIND_TIMER → …; the
 * rescheduling and call-function IPIs of DESIGN §16 → CAUSE_IPI).
 */
export const causeOfVector = (vc: SchemeVcpu, vector: number): number => {
  const k = vc.kinds[vector];
  return k === 0 ? 0 : k >= 4 ? 1 : k - 1;
};

/** The in-service handler is for a device interrupt that arrived while its target was running. */
export const handlerIsRunningDevice = (vc: SchemeVcpu): boolean =>
  vc.handlerFlag !== 0 && vc.kinds[vc.handlerVector] === 1;
