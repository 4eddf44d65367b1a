// NMI blocking and the pending-NMI latch (X-24; SDM "Nonmaskable Interrupt (NMI)": while an NMI handler runs,
// further NMIs are blocked until IRET and at most one is held pending; K:x86.c process_nmi).

export interface NmiState {
  /** Blocking by NMI: set on delivery, cleared by IRET. */
  blocked: boolean;
  /** NMIs waiting to be delivered. */
  pending: number;
}

export const newNmiState = (): NmiState => ({ blocked: false, pending: 0 });

export const NMI_LATCHED = 1;
export const NMI_DROPPED = 0;

/**
 * An NMI arrives. While blocked only one can be latched; when not blocked one can be taken now and one more
 * latched behind it (KVM's limit 2), so the cap is 1 + (blocked ? 0 : 1).
 */
export function nmiRaise(s: NmiState): number {
  const limit = s.blocked ? 1 : 2;
  if (s.pending >= limit) return NMI_DROPPED;
  s.pending++;
  return NMI_LATCHED;
}

/** Instruction boundary / VM entry: deliver a pending NMI unless blocked. Returns whether one was delivered. */
export function nmiTake(s: NmiState): boolean {
  if (s.blocked || s.pending === 0) return false;
  s.pending--;
  s.blocked = true;
  return true;
}

/** IRET from the NMI handler unblocks NMIs. */
export function nmiIret(s: NmiState): void {
  s.blocked = false;
}
