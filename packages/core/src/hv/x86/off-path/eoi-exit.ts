// EOI-exit bitmap policy and the EOI-induced exit handler under APICv (semantics §B.3 (a) step 4, P-19;
// K:irq.c kvm_scan_ioapic_irq / K:ioapic.c kvm_ioapic_scan_entry; K:vmx.c handle_apic_eoi_induced;
// K:lapic.c kvm_apic_set_eoi_accelerated). KVM asks for an exit on the EOI of every level-triggered vector the
// IOAPIC routes to this vCPU, because the IOAPIC must see that EOI to clear Remote IRR; all other EOIs stay
// exitless.

import { vecClearAll, vecSet } from '../../../arch/x86/bitmap.ts';
import { type ApicAddressing, matchDest, SHORTHAND_NONE } from '../../../arch/x86/off-path/destination.ts';
import { type Ioapic, type IoapicMessage, ioapicEoi } from '../../../arch/x86/off-path/ioapic.ts';

/** Rebuild the EOI-exit bitmap (8 × u32) for one vCPU from the IOAPIC redirection table. */
export function scanIoapicEoiExitBitmap(io: Ioapic, apic: ApicAddressing, eoiExit: Uint32Array): void {
  vecClearAll(eoiExit);
  for (const p of io.pins) {
    if (!p.levelTriggered) continue;
    if (matchDest(apic, false, SHORTHAND_NONE, p.destMode, p.dest)) vecSet(eoiExit, p.vector);
  }
}

/**
 * EXIT:EOI_INDUCED(v) is trap-like: VISR/SVI/VPPR were already updated by EOI virtualization and RIP already
 * points past the EOI write, so the handler only forwards the EOI to the IOAPIC (and KVM then requests EVENT).
 * Returns the level messages the IOAPIC re-sent.
 */
export function handleEoiInduced(io: Ioapic, vector: number): IoapicMessage[] {
  return ioapicEoi(io, vector);
}
