// The software-vLAPIC delivery path shared by x86-emul, x86-vmx and ELI's injection mode (semantics §B.1/§B.2):
// accept into vIRR, and kvm_check_and_inject_events at entry — inject the highest deliverable vector if the
// guest can take it (IF = 1), else arm interrupt-window exiting.

import { ACCEPT_COALESCED, ACCEPT_DISCARDED, acceptIrq, ackIrq, pendingDeliverable } from '../../arch/x86/lapic.ts';
import type { Sim } from '../../sim/engine.ts';
import { PH_HALT, PH_WORK, type Vcpu } from '../../sim/vcpu.ts';

/** Accept an edge interrupt into the vCPU's vIRR, tracking coalescing and the raise time for latency. */
export function vlapicAccept(sim: Sim, vc: Vcpu, vector: number, raisedAt: number, flag: number): void {
  const r = acceptIrq(vc.lapic, vector, false);
  if (r === ACCEPT_COALESCED) sim.countCoalesced(vc, vector);
  else if (r !== ACCEPT_DISCARDED) {
    vc.ledger.accept(vector, raisedAt, flag);
  }
}

/** The guest can take an injected interrupt at this entry: IF = 1 (it was working or halted). */
export const entryInterruptible = (vc: Vcpu): boolean => vc.phase === PH_WORK || vc.phase === PH_HALT;

/**
 * kvm_check_and_inject_events for a maskable interrupt: ack (IRR → ISR) and inject, or arm the interrupt window.
 * Returns root cycles spent (injectEvent) — 0 when nothing was injected.
 */
export function vlapicInjectAtEntry(sim: Sim, vc: Vcpu): number {
  const v = pendingDeliverable(vc.lapic);
  if (v < 0) {
    vc.windowArmed = false;
    return 0;
  }
  if (!entryInterruptible(vc)) {
    vc.windowArmed = true;
    return 0;
  }
  ackIrq(vc.lapic, v);
  vc.windowArmed = false;
  vc.inject = v;
  vc.injectRaised = vc.ledger.acceptedAt[v];
  vc.injectFlag = vc.ledger.acceptedRunning[v];
  vc.handlerPhysical = false;
  return sim.c.injectEvent;
}

/** Exit-cause code for an interrupt kind (KIND_DEVICE → CAUSE_DEVICE, KIND_IPI → CAUSE_IPI, KIND_TIMER → …). */
export const causeOfVector = (vc: Vcpu, vector: number): number => {
  const k = vc.kinds[vector];
  return k === 0 ? 0 : k - 1;
};

/** The in-service handler is for a device interrupt that arrived while its target was running. */
export const handlerIsRunningDevice = (vc: Vcpu): boolean => vc.handlerFlag !== 0 && vc.kinds[vc.handlerVector] === 1;
