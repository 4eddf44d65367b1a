// Interrupt Command Register codec (semantics §A.1.1 "ICR fields"; SDM:APIC "Interrupt Command Register").
// xAPIC: ICR low at 0x300 + ICR2 at 0x310 with the destination in [31:24]; x2APIC: one 64-bit MSR 0x830 with
// the 32-bit destination in [63:32]. Values are handled as lo/hi u32 pairs (JS numbers lose bits above 2^53).

import { DEST_LOGICAL, DEST_PHYSICAL, SHORTHAND_SELF } from './destination.ts';

/** Delivery modes, ICR[10:8] (also MSI data [10:8]). */
export const DM_FIXED = 0;
export const DM_LOWEST_PRIORITY = 1;
export const DM_SMI = 2;
export const DM_NMI = 4;
export const DM_INIT = 5;
export const DM_STARTUP = 6;
export const DM_EXTINT = 7;

export const ICR_DEST_LOGICAL = 1 << 11;
/** Delivery status (send pending). KVM delivers instantly and never stores it: reads are always 0. */
export const ICR_BUSY = 1 << 12;
export const ICR_LEVEL_ASSERT = 1 << 14;
export const ICR_TRIGGER_LEVEL = 1 << 15;
export const ICR_SHORTHAND_SHIFT = 18;

/** x2APIC ICR reserved bits [31:20], [17:16], [13] (K:lapic.c X2APIC_ICR_RESERVED_BITS): set → #GP. */
export const X2APIC_ICR_RESERVED_LO = 0xfff32000;

export interface Icr {
  vector: number;
  deliveryMode: number;
  destMode: number;
  /** ICR[14]: assert (1) / de-assert (0), meaningful for level-triggered messages. */
  assert: boolean;
  levelTriggered: boolean;
  shorthand: number;
  /** MDA: xAPIC 8 bits, x2APIC 32 bits. */
  dest: number;
}

export function decodeIcr(lo: number, hi: number, x2apic: boolean): Icr {
  return {
    vector: lo & 0xff,
    deliveryMode: (lo >>> 8) & 7,
    destMode: lo & ICR_DEST_LOGICAL ? DEST_LOGICAL : DEST_PHYSICAL,
    assert: (lo & ICR_LEVEL_ASSERT) !== 0,
    levelTriggered: (lo & ICR_TRIGGER_LEVEL) !== 0,
    shorthand: (lo >>> ICR_SHORTHAND_SHIFT) & 3,
    dest: x2apic ? hi >>> 0 : (hi >>> 24) & 0xff,
  };
}

/** Returns [lo, hi]: hi is ICR2 (xAPIC, destination in [31:24]) or ICR[63:32] (x2APIC). Busy is never encoded. */
export function encodeIcr(icr: Icr, x2apic: boolean): [number, number] {
  const lo =
    (icr.vector & 0xff) |
    ((icr.deliveryMode & 7) << 8) |
    (icr.destMode === DEST_LOGICAL ? ICR_DEST_LOGICAL : 0) |
    (icr.assert ? ICR_LEVEL_ASSERT : 0) |
    (icr.levelTriggered ? ICR_TRIGGER_LEVEL : 0) |
    ((icr.shorthand & 3) << ICR_SHORTHAND_SHIFT);
  const hi = x2apic ? icr.dest >>> 0 : ((icr.dest & 0xff) << 24) >>> 0;
  return [lo >>> 0, hi];
}

/** Value stored (and read back) after an ICR write: the IPI went out synchronously, so busy is clear. */
export const icrLoAfterWrite = (lo: number): number => (lo & ~ICR_BUSY) >>> 0;

/** x2APIC WRMSR 0x830 with reserved bits set faults (#GP) instead of sending. */
export const x2apicIcrValueValid = (lo: number): boolean => (lo & X2APIC_ICR_RESERVED_LO) === 0;

/**
 * x2APIC SELF IPI (MSR 0x83F): bits [7:0] vector, bits [63:8] reserved → #GP. The equivalent ICR is
 * {fixed, edge, shorthand self}.
 */
export const selfIpiValueValid = (value: bigint): boolean => (value & ~0xffn) === 0n;

export function selfIpiIcr(vector: number): Icr {
  return {
    vector: vector & 0xff,
    deliveryMode: DM_FIXED,
    destMode: DEST_PHYSICAL,
    assert: true,
    levelTriggered: false,
    shorthand: SHORTHAND_SELF,
    dest: 0,
  };
}
