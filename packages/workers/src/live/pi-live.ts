// The posted-interrupt descriptor protocol between real threads (live mode). Same layout and names as the model
// (core/src/arch/x86/pi-desc.ts: PIR words 0..7, control word PID_CONTROL with ON, SN and NV), but every access that
// another thread can race with is an Atomics operation on the Int32 view of the shared buffer:
//
//   post (IOMMU / sender, VTd §5.2.3 and KVM __vmx_deliver_posted_interrupt):
//       Atomics.or(PIR[v/32], bit)                         the vector is visible before anything else
//       compareExchange loop on the control word           as KVM's pi_try_set_control: if ON = 0 and SN = 0,
//                                                          set ON and notify NV; ON already set → the
//                                                          outstanding notification covers this post
//   harvest (posted-interrupt processing, SDM 30.6; KVM vmx_sync_pir_to_irr):
//       Atomics.and(control, ~ON)                          clear ON first …
//       Atomics.exchange(PIR[w], 0) for each non-zero word … then read-and-clear the PIR
//   block (KVM pi_enable_wakeup_handler) / wake (vmx_vcpu_pi_load):
//       compareExchange loop setting NV = POSTED_INTR_WAKEUP_VECTOR / POSTED_INTR_VECTOR
//   deschedule (vmx_vcpu_pi_put, preempted) / reload (vmx_vcpu_pi_load):
//       compareExchange loop setting SN                    posts still set PIR bits but notify nobody …
//       compareExchange loop clearing SN, then if PIR ≠ ∅  … so the reload sets ON itself for what came in while
//       set ON (a self-notification)                       SN was set (a post racing with the clear sees SN = 0)
//   service (virtual-interrupt delivery, SDM 30.2): the harvested PIR is the vIRR; highest vector first
//
// The order is what makes it lossless: a post whose PIR bit the harvest missed finds ON clear (the harvest cleared it
// before reading the PIR) and notifies again. The two deliberately broken variants below invert one of the two
// orders; they exist so the tests can show that the checker catches a lost notification. They are selectable only
// through LiveOptions.variant, which the CLI does not expose.

import { PID_CONTROL, PID_ON, PID_SN, POSTED_INTR_VECTOR, POSTED_INTR_WAKEUP_VECTOR } from '@ivsim/core/internal';
import { spinDelay } from './layout.ts';

export const PID_NV_MASK = 0xff << 16;

/** Post variants. */
export const POST_OK = 0;
/** Broken: sets ON (and notifies) before the PIR bit is visible. */
export const POST_ON_BEFORE_PIR = 1;
/** Harvest variants. */
export const HARVEST_OK = 0;
/** Broken: reads and clears the PIR, then clears ON (a post in between is never notified again). */
export const HARVEST_ON_CLEAR_AFTER_PIR = 1;

/** Reload variants. */
export const RELOAD_OK = 0;
/** Broken: clears SN without looking at the PIR (posts made while SN was set are never notified). */
export const RELOAD_NO_PIR_CHECK = 1;

/** trySetOn result: no notification needed (ON was already set, or SN suppresses it). */
export const NO_NOTIFY = -1;

/** True if PIR[vec] is set (a post of this vector would coalesce). */
export function pirTest(m: Int32Array, base: number, vec: number): boolean {
  return (Atomics.load(m, base + (vec >>> 5)) & (1 << (vec & 31))) !== 0;
}

/**
 * ON := 1 if ON = 0 and SN = 0 (compareExchange loop: another thread may change SN or NV, or the harvest clear ON,
 * between the load and the exchange). Returns the NV to notify, or NO_NOTIFY.
 */
export function trySetOn(m: Int32Array, base: number): number {
  const i = base + PID_CONTROL;
  for (;;) {
    const c = Atomics.load(m, i);
    if ((c & (PID_ON | PID_SN)) !== 0) return NO_NOTIFY;
    if (Atomics.compareExchange(m, i, c, c | PID_ON) === c) return (c >>> 16) & 0xff;
  }
}

/** Posts `vec`: returns the NV to notify or NO_NOTIFY. The caller checked pirTest (coalescing) first. */
export function piLivePost(m: Int32Array, base: number, vec: number, variant: number, raceSpins: number): number {
  const w = base + (vec >>> 5);
  const bit = 1 << (vec & 31);
  if (variant === POST_ON_BEFORE_PIR) {
    const nv = trySetOn(m, base);
    if (raceSpins > 0) spinDelay(raceSpins);
    Atomics.or(m, w, bit);
    return nv;
  }
  Atomics.or(m, w, bit);
  return trySetOn(m, base);
}

export const piLiveOn = (m: Int32Array, base: number): boolean => (Atomics.load(m, base + PID_CONTROL) & PID_ON) !== 0;

/**
 * Harvests the PIR into `out` (8 words) if ON is set; returns the number of words with bits (0 = nothing, also for a
 * spurious notification whose bits an earlier harvest took). `wordMask` (bit w = PIR word w) names the words that can
 * hold a bit — those of the vectors that are posted to this descriptor; the others are known to be 0 and are not
 * read (KVM reads all 8 with plain loads; in JS each is an Atomics.load of ~10 ns, so the live harvest reads only
 * these).
 */
export function piLiveHarvest(
  m: Int32Array,
  base: number,
  out: Int32Array,
  variant: number,
  raceSpins: number,
  wordMask = 0xff,
): number {
  const ctl = base + PID_CONTROL;
  if ((Atomics.load(m, ctl) & PID_ON) === 0) return 0;
  if (variant !== HARVEST_ON_CLEAR_AFTER_PIR) Atomics.and(m, ctl, ~PID_ON);
  let words = 0;
  for (let w = 0; w < 8; w++) {
    if ((wordMask & (1 << w)) === 0) {
      out[w] = 0;
      continue;
    }
    // A load first: most words are empty and a load does not take the line exclusive.
    const x = Atomics.load(m, base + w) === 0 ? 0 : Atomics.exchange(m, base + w, 0);
    out[w] = x;
    if (x !== 0) words++;
  }
  if (variant === HARVEST_ON_CLEAR_AFTER_PIR) {
    if (raceSpins > 0) spinDelay(raceSpins);
    Atomics.and(m, ctl, ~PID_ON);
  }
  return words;
}

/** NV := nv with a compareExchange loop (KVM pi_try_set_control), keeping ON/SN as other threads set them. */
export function piLiveSetNv(m: Int32Array, base: number, nv: number): void {
  const i = base + PID_CONTROL;
  for (;;) {
    const c = Atomics.load(m, i);
    const n = (c & ~PID_NV_MASK) | ((nv & 0xff) << 16);
    if (c === n || Atomics.compareExchange(m, i, c, n) === c) return;
  }
}

/** SN := sn with a compareExchange loop (posts may set ON, or the harvest clear it, meanwhile). */
export function piLiveSetSn(m: Int32Array, base: number, sn: boolean): void {
  const i = base + PID_CONTROL;
  for (;;) {
    const c = Atomics.load(m, i);
    const n = sn ? c | PID_SN : c & ~PID_SN;
    if (c === n || Atomics.compareExchange(m, i, c, n) === c) return;
  }
}

/** True if any PIR word is non-zero. */
export function piLivePirAny(m: Int32Array, base: number): boolean {
  for (let w = 0; w < 8; w++) if (Atomics.load(m, base + w) !== 0) return true;
  return false;
}

/**
 * vCPU reload after a deschedule: SN := 0, then ON := 1 if the PIR holds anything (the posts that SN silenced).
 * Returns true if it set ON. The vCPU's own thread calls it, so the "notification" is its next poll of ON.
 */
export function piLiveReload(m: Int32Array, base: number, variant: number): boolean {
  piLiveSetSn(m, base, false);
  if (variant === RELOAD_NO_PIR_CHECK) return false;
  return piLivePirAny(m, base) && trySetOn(m, base) !== NO_NOTIFY;
}

/** The highest vector set in the harvested words `out` (the vIRR), cleared from it; -1 if none. */
export function piLiveNextVector(out: Int32Array): number {
  for (let w = 7; w >= 0; w--) {
    const x = out[w];
    if (x === 0) continue;
    const bit = 31 - Math.clz32(x);
    out[w] = x & ~(1 << bit);
    return w * 32 + bit;
  }
  return -1;
}

/** Descriptor reset as at vCPU load in guest mode: PIR empty, ON = SN = 0, NV = POSTED_INTR_VECTOR, NDST. */
export function piLiveReset(m: Int32Array, base: number, ndst: number): void {
  for (let w = 0; w < 16; w++) Atomics.store(m, base + w, 0);
  Atomics.store(m, base + PID_CONTROL, POSTED_INTR_VECTOR << 16);
  Atomics.store(m, base + 9, ndst);
}

/** Strand test for the checker: PIR has `vec` while ON = 0 and SN = 0, i.e. nobody will be notified. */
export function piLiveStranded(m: Int32Array, base: number, vec: number): boolean {
  return pirTest(m, base, vec) && (Atomics.load(m, base + PID_CONTROL) & (PID_ON | PID_SN)) === 0;
}

export { POSTED_INTR_VECTOR, POSTED_INTR_WAKEUP_VECTOR };
