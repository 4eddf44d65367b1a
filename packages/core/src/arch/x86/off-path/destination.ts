// Destination matching for IPIs and MSIs (semantics §A.1.2; K:lapic.c kvm_apic_match_physical_addr,
// kvm_apic_match_logical_addr, kvm_apic_calc_x2apic_ldr, kvm_apic_match_dest, kvm_vector_to_index).

/** ICR / MSI destination mode. */
export const DEST_PHYSICAL = 0;
export const DEST_LOGICAL = 1;

/** ICR destination shorthand, bits [19:18]. */
export const SHORTHAND_NONE = 0;
export const SHORTHAND_SELF = 1;
export const SHORTHAND_ALL_INCLUDING_SELF = 2;
export const SHORTHAND_ALL_EXCLUDING_SELF = 3;

export const XAPIC_BROADCAST = 0xff;
export const X2APIC_BROADCAST = 0xffffffff;

/** DFR model, bits [31:28]: 0xF flat, 0x0 cluster (xAPIC only). */
export const DFR_MODEL_FLAT = 0xf;
export const DFR_MODEL_CLUSTER = 0x0;

/**
 * What an APIC exposes to destination matching. `id` is the APIC ID (xAPIC: the 8-bit value of ID[31:24];
 * x2APIC: 32 bits); `ldr` and `dfr` are register values as read (xAPIC logical ID in LDR[31:24]).
 */
export interface ApicAddressing {
  x2apic: boolean;
  id: number;
  ldr: number;
  dfr: number;
}

/** x2APIC LDR is derived from the ID, never written: cluster = id[31:4] in [31:16], one-hot id[3:0] in [15:0]. */
export const x2apicLdr = (id: number): number => (((id >>> 4) << 16) | (1 << (id & 0xf))) >>> 0;

/** xAPIC LDR register value for a logical ID; DFR value for a model (reserved bits [27:0] read as 1, as in KVM). */
export const xapicLdr = (logicalId: number): number => ((logicalId & 0xff) << 24) >>> 0;
export const xapicDfr = (model: number): number => (((model & 0xf) << 28) | 0x0fffffff) >>> 0;

export function xapicAddressing(id: number, logicalId: number, model = DFR_MODEL_FLAT): ApicAddressing {
  return { x2apic: false, id: id & 0xff, ldr: xapicLdr(logicalId), dfr: xapicDfr(model) };
}

export function x2apicAddressing(id: number): ApicAddressing {
  return { x2apic: true, id: id >>> 0, ldr: x2apicLdr(id), dfr: 0xffffffff };
}

export const isBroadcastMda = (a: ApicAddressing, mda: number): boolean =>
  a.x2apic ? mda >>> 0 === X2APIC_BROADCAST : (mda & 0xff) === XAPIC_BROADCAST;

/** Physical: MDA equals the APIC ID, or is the broadcast address. */
export function matchPhysical(a: ApicAddressing, mda: number): boolean {
  if (isBroadcastMda(a, mda)) return true;
  return a.x2apic ? mda >>> 0 === a.id >>> 0 : (mda & 0xff) === (a.id & 0xff);
}

/** Logical: x2APIC cluster/bitmap; xAPIC flat (bitmap AND) or cluster (high nibble equal, low nibbles AND). */
export function matchLogical(a: ApicAddressing, mda: number): boolean {
  if (isBroadcastMda(a, mda)) return true;
  if (a.x2apic) return a.ldr >>> 16 === mda >>> 16 && (a.ldr & mda & 0xffff) !== 0;
  const logicalId = a.ldr >>> 24;
  const m = mda & 0xff;
  switch (a.dfr >>> 28) {
    case DFR_MODEL_FLAT:
      return (logicalId & m) !== 0;
    case DFR_MODEL_CLUSTER:
      return logicalId >>> 4 === m >>> 4 && (logicalId & m & 0xf) !== 0;
    default:
      return false; // KVM: an unknown DFR model matches nothing
  }
}

/** kvm_apic_match_dest: shorthand first, then physical or logical addressing. */
export function matchDest(
  target: ApicAddressing,
  isSource: boolean,
  shorthand: number,
  destMode: number,
  mda: number,
): boolean {
  switch (shorthand) {
    case SHORTHAND_SELF:
      return isSource;
    case SHORTHAND_ALL_INCLUDING_SELF:
      return true;
    case SHORTHAND_ALL_EXCLUDING_SELF:
      return !isSource;
    default:
      return destMode === DEST_PHYSICAL ? matchPhysical(target, mda) : matchLogical(target, mda);
  }
}

/** Indices of `apics` that a message from `source` (-1 for a device) addresses. */
export function destinationSet(
  apics: readonly ApicAddressing[],
  source: number,
  shorthand: number,
  destMode: number,
  mda: number,
): number[] {
  const out: number[] = [];
  for (let i = 0; i < apics.length; i++) if (matchDest(apics[i], i === source, shorthand, destMode, mda)) out.push(i);
  return out;
}

/** Lowest-priority delivery by vector hashing (KVM default): the (vector mod n)-th candidate. */
export function vectorHashTarget(vector: number, candidates: readonly number[]): number {
  return candidates.length === 0 ? -1 : candidates[vector % candidates.length];
}
