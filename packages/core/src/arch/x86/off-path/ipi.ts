// IPI delivery over the APIC bus: resolve an ICR's destination set, then accept fixed / lowest-priority messages
// into the targets' IRR (semantics §A.1.2; K:lapic.c kvm_irq_delivery_to_apic, kvm_apic_match_dest,
// __apic_accept_irq). NMI/INIT/SIPI/SMI are not vectored through IRR and are left to the caller.

import { ACCEPT_DISCARDED, acceptIrq, type LapicRegs } from '../lapic.ts';
import { type ApicAddressing, destinationSet, vectorHashTarget } from './destination.ts';
import { DM_FIXED, DM_LOWEST_PRIORITY, type Icr } from './icr.ts';

export interface ApicBusNode {
  addr: ApicAddressing;
  lapic: LapicRegs;
}

/** Destination set of an ICR sent by `source`; lowest priority narrows it to one target by vector hashing. */
export function ipiDestinations(nodes: readonly ApicBusNode[], source: number, icr: Icr): number[] {
  const all = destinationSet(
    nodes.map((n) => n.addr),
    source,
    icr.shorthand,
    icr.destMode,
    icr.dest,
  );
  if (icr.deliveryMode !== DM_LOWEST_PRIORITY || all.length <= 1) return all;
  return [vectorHashTarget(icr.vector, all)];
}

/**
 * Sends a fixed or lowest-priority IPI; returns the indices whose APIC accepted it (queued or coalesced).
 * A software-disabled APIC discards it.
 */
export function ipiSendFixed(nodes: readonly ApicBusNode[], source: number, icr: Icr): number[] {
  if (icr.deliveryMode !== DM_FIXED && icr.deliveryMode !== DM_LOWEST_PRIORITY)
    throw new RangeError(`ipiSendFixed: delivery mode ${icr.deliveryMode} is not vectored through IRR`);
  const accepted: number[] = [];
  for (const i of ipiDestinations(nodes, source, icr)) {
    if (acceptIrq(nodes[i].lapic, icr.vector, icr.levelTriggered, icr.assert) !== ACCEPT_DISCARDED) accepted.push(i);
  }
  return accepted;
}
