// The list-register protocol between real threads (live mode): an injector thread (the hypervisor's vgic, or the
// ITS for a resident vPE) fills ICH_LR<n>_EL2 of a vCPU while the vCPU's own thread acknowledges (ICV_IAR1_EL1:
// Pending → Active) and completes (ICV_EOIR1_EL1 with EOImode 0: Active → Invalid, Pending+Active → Pending).
// Encodings are those of core/src/arch/arm/lr-v3.ts and lr-fields.ts — lo = vINTID, hi[31:30] = State,
// hi[23:16] = Priority, hi[28] = Group — held as a lo/hi pair of 32-bit words at vcpuBase + LR_OFF + 2n. The names
// are repeated here because @ivsim/core does not export its arch/arm modules; test/live-protocols.test.ts checks
// them against the codec.
//
//   inject:  LR already holds vINTID: Pending or Pending+Active → coalesced; Active → compareExchange
//            Active → Pending+Active (a second instance). Otherwise take an Invalid LR: store lo, the time stamp,
//            then Atomics.store(hi) with State = Pending (the publication: the vCPU reads lo only after it).
//            No Invalid LR → the interrupt waits in the injector's overflow list (KVM's ap_list) and is retried.
//   ack:     the lowest LR in exactly Pending (all sources share one priority): compareExchange Pending → Active.
//   EOI:     Atomics.and(hi, ~Active) — atomic against the injector's Active → Pending+Active.
// Only the vCPU moves an LR out of Pending, only the injector moves one out of Invalid, and both may move it out of
// Active, which is why those two transitions are read-modify-write atomics. The broken EOI variant does the
// EOI as a load and a store, losing a concurrent second instance.

import {
  ICH_LR_HI_ACTIVE_BIT as ICH_LR_HI_ACTIVE_BIT_U32,
  ICH_LR_HI_GROUP,
  ICH_LR_HI_PENDING_BIT,
  ICH_LR_HI_PRIORITY_SHIFT,
  ICH_LR_HI_STATE_SHIFT,
  LR_ACTIVE,
  LR_INVALID,
  LR_PENDING,
  LR_PENDING_ACTIVE,
} from '@ivsim/core/internal';
import { spinDelay } from './layout.ts';

// The encodings are the architectural model's (arch/arm lr-fields.ts, lr-v3.ts); the hi word is read through an
// Int32Array here, so the Active bit is compared as the Int32 it reads as.
export {
  ICH_LR_HI_GROUP,
  ICH_LR_HI_PENDING_BIT,
  ICH_LR_HI_PRIORITY_SHIFT,
  ICH_LR_HI_STATE_SHIFT,
  LR_ACTIVE,
  LR_INVALID,
  LR_PENDING,
  LR_PENDING_ACTIVE,
};
export const ICH_LR_HI_ACTIVE_BIT = ICH_LR_HI_ACTIVE_BIT_U32 | 0;

export const EOI_OK = 0;
/** Broken: EOI as load + store, so a concurrent Active → Pending+Active is overwritten (a lost interrupt). */
export const EOI_PLAIN_RMW = 1;

export const INJECT_NEW = 0;
export const INJECT_COALESCED = 1;
export const INJECT_SECOND = 2;
export const INJECT_FULL = 3;

/** hi word of a Group 1, HW = 0 LR in `state` at `priority` (ichLrPackHi with eoi = nmi = false), as an Int32. */
export const lrLiveHi = (state: number, priority: number): number =>
  ((state & 3) << ICH_LR_HI_STATE_SHIFT) | ((priority & 0xff) << ICH_LR_HI_PRIORITY_SHIFT) | ICH_LR_HI_GROUP;

export const lrLiveState = (hi: number): number => (hi >>> ICH_LR_HI_STATE_SHIFT) & 3;

/**
 * Injects `vintid` into the LRs at `lr` (nr of them). The stamp of the new instance is written to
 * `stamps[stampBase + n]` before it is published. Returns INJECT_*.
 */
export function lrLiveInject(
  m: Int32Array,
  lr: number,
  nr: number,
  vintid: number,
  priority: number,
  stamps: Float64Array,
  stampBase: number,
  t: number,
): number {
  for (;;) {
    let free = -1;
    let retry = false;
    for (let n = 0; n < nr; n++) {
      const hi = Atomics.load(m, lr + 2 * n + 1);
      const st = (hi >>> ICH_LR_HI_STATE_SHIFT) & 3;
      if (st === LR_INVALID) {
        if (free < 0) free = n;
        continue;
      }
      if (Atomics.load(m, lr + 2 * n) !== vintid) continue;
      if ((st & LR_PENDING) !== 0) return INJECT_COALESCED;
      // Active: a second instance. The vCPU cannot read the stamp until it sees Pending again.
      stamps[stampBase + n] = t;
      if (Atomics.compareExchange(m, lr + 2 * n + 1, hi, hi | ICH_LR_HI_PENDING_BIT) === hi) return INJECT_SECOND;
      retry = true; // the vCPU completed it meanwhile: look again
      break;
    }
    if (retry) continue;
    if (free < 0) return INJECT_FULL;
    Atomics.store(m, lr + 2 * free, vintid);
    stamps[stampBase + free] = t;
    Atomics.store(m, lr + 2 * free + 1, lrLiveHi(LR_PENDING, priority));
    return INJECT_NEW;
  }
}

/**
 * ICV_IAR1 read: index of the LR acknowledged (now Active), or -1. Its vINTID is m[lr + 2n]; the instance's stamp
 * is copied to out[0] before the Pending → Active exchange (after it, the injector may stamp a second instance).
 */
export function lrLiveAck(
  m: Int32Array,
  lr: number,
  nr: number,
  stamps: Float64Array,
  stampBase: number,
  out: Float64Array,
): number {
  for (let n = 0; n < nr; n++) {
    const hi = Atomics.load(m, lr + 2 * n + 1);
    if (((hi >>> ICH_LR_HI_STATE_SHIFT) & 3) !== LR_PENDING) continue;
    out[0] = stamps[stampBase + n];
    if (Atomics.compareExchange(m, lr + 2 * n + 1, hi, hi ^ (ICH_LR_HI_PENDING_BIT | ICH_LR_HI_ACTIVE_BIT)) === hi)
      return n;
    n--; // only this thread leaves Pending, so this is a torn view by a broken variant: re-read the same LR
  }
  return -1;
}

/** ICV_EOIR1 write (EOImode 0) for LR n: drop Active. */
export function lrLiveEoi(m: Int32Array, lr: number, n: number, variant: number, raceSpins: number): void {
  const i = lr + 2 * n + 1;
  if (variant === EOI_PLAIN_RMW) {
    const hi = Atomics.load(m, i);
    if (raceSpins > 0) spinDelay(raceSpins);
    Atomics.store(m, i, hi & ~ICH_LR_HI_ACTIVE_BIT);
    return;
  }
  Atomics.and(m, i, ~ICH_LR_HI_ACTIVE_BIT);
}

/** True if some LR holds a pending instance of vintid (Pending or Pending+Active). */
export function lrLiveHasPending(m: Int32Array, lr: number, nr: number, vintid: number): boolean {
  for (let n = 0; n < nr; n++) {
    const hi = Atomics.load(m, lr + 2 * n + 1);
    if ((hi & ICH_LR_HI_PENDING_BIT) !== 0 && Atomics.load(m, lr + 2 * n) === vintid) return true;
  }
  return false;
}
