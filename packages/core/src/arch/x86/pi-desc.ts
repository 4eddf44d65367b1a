// VT-d / VMX posted-interrupt descriptor, 64 bytes, bit-exact (semantics §A.3; K:pi.h struct pi_desc;
// VTd:§9.11). Stored as 16 little-endian u32 words inside the vCPU's SAB state block:
//   words 0..7   PIR (bits 255:0)
//   word  8      control low: bit 0 ON (bit 256), bit 1 SN (bit 257), bits 23:16 NV (bits 279:272)
//   word  9      NDST (bits 319:288)
//   words 10..15 reserved
// Under the simulator's single-writer rule only the owning shard mutates a descriptor, at the virtual
// time of the event, so the lock-free hardware protocol is modelled step by step with plain stores.

import { VECTOR_WORDS } from './bitmap.ts';

export const PID_WORDS = 16;
export const PID_CONTROL = 8;
export const PID_NDST = 9;
export const PID_ON = 1 << 0;
export const PID_SN = 1 << 1;
export const PID_NV_SHIFT = 16;

/** Host vectors (Linux irq_vectors.h). */
export const POSTED_INTR_VECTOR = 0xf2;
export const POSTED_INTR_WAKEUP_VECTOR = 0xf1;
export const POSTED_INTR_NESTED_VECTOR = 0xf0;

export const piTestOn = (pid: Uint32Array): boolean => (pid[PID_CONTROL] & PID_ON) !== 0;
export const piTestSn = (pid: Uint32Array): boolean => (pid[PID_CONTROL] & PID_SN) !== 0;
export const piNv = (pid: Uint32Array): number => (pid[PID_CONTROL] >>> PID_NV_SHIFT) & 0xff;
export const piNdst = (pid: Uint32Array): number => pid[PID_NDST] >>> 0;

export function piSetSn(pid: Uint32Array, sn: boolean): void {
  pid[PID_CONTROL] = sn ? pid[PID_CONTROL] | PID_SN : pid[PID_CONTROL] & ~PID_SN;
}

export function piSetOn(pid: Uint32Array, on: boolean): void {
  pid[PID_CONTROL] = on ? pid[PID_CONTROL] | PID_ON : pid[PID_CONTROL] & ~PID_ON;
}

export function piSetNv(pid: Uint32Array, nv: number): void {
  pid[PID_CONTROL] = (pid[PID_CONTROL] & ~(0xff << PID_NV_SHIFT)) | ((nv & 0xff) << PID_NV_SHIFT);
}

/** NDST format (K:pi.c vmx_vcpu_pi_load): x2APIC → full 32-bit APIC ID; xAPIC → ID in bits 15:8. */
export function ndstFor(apicId: number, x2apic: boolean): number {
  return x2apic ? apicId >>> 0 : (apicId << 8) & 0xff00;
}

export function piSetNdst(pid: Uint32Array, ndst: number): void {
  pid[PID_NDST] = ndst >>> 0;
}

export function piPirIsEmpty(pid: Uint32Array): boolean {
  for (let w = 0; w < VECTOR_WORDS; w++) if (pid[w] !== 0) return false;
  return true;
}

/** "vCPU has a posted interrupt" ⇔ ON, or SN with PIR ≠ ∅ (K:pi.c pi_has_pending_interrupt). */
export function piHasPending(pid: Uint32Array): boolean {
  return piTestOn(pid) || (piTestSn(pid) && !piPirIsEmpty(pid));
}

/** vCPU reset: NV = 0xF2, SN = 1 (K:vmx.c __vmx_vcpu_reset; P-21). */
export function piReset(pid: Uint32Array): void {
  pid.fill(0, 0, PID_WORDS);
  piSetNv(pid, POSTED_INTR_VECTOR);
  piSetSn(pid, true);
}

export const POST_COALESCED = 1;
export const POST_NOTIFY = 2;

/**
 * Hardware posting by the IOMMU (VTd:§5.2.3), atomic w.r.t. the descriptor:
 * set PIR[vv]; if ON = 0 and (URG or SN = 0) then ON = 1 and a notification NV is sent to NDST.
 * Returns a bit set: POST_COALESCED if PIR[vv] was already set, POST_NOTIFY if a notification goes out.
 */
export function piPostHw(pid: Uint32Array, vv: number, urgent = false): number {
  const w = vv >>> 5;
  const m = 1 << (vv & 31);
  let r = (pid[w] & m) !== 0 ? POST_COALESCED : 0;
  pid[w] |= m;
  const ctl = pid[PID_CONTROL];
  if ((ctl & PID_ON) === 0 && (urgent || (ctl & PID_SN) === 0)) {
    pid[PID_CONTROL] = ctl | PID_ON;
    r |= POST_NOTIFY;
  }
  return r;
}

/**
 * Software posting (K:vmx-common.h __vmx_deliver_posted_interrupt): test-and-set PIR (already set →
 * coalesced, done); test-and-set ON (already set → a notification is outstanding, done). Returns
 * POST_NOTIFY when the caller must notify (IPI 0xF2 if the vCPU is in guest mode, else wake it).
 */
export function piPostSw(pid: Uint32Array, v: number): number {
  const w = v >>> 5;
  const m = 1 << (v & 31);
  if ((pid[w] & m) !== 0) return POST_COALESCED;
  pid[w] |= m;
  if ((pid[PID_CONTROL] & PID_ON) !== 0) return 0;
  pid[PID_CONTROL] |= PID_ON;
  return POST_NOTIFY;
}

/**
 * Harvest the PIR: clear ON, then read-and-clear each PIR word into `out` (8 words). This is the first half
 * of both posted-interrupt processing (SDM:APICV) and KVM's vmx_sync_pir_to_irr; the caller ORs `out` into
 * its (virtual) IRR. Returns true if anything was harvested.
 */
export function piHarvest(pid: Uint32Array, out: Uint32Array): boolean {
  piSetOn(pid, false);
  let any = 0;
  for (let w = 0; w < VECTOR_WORDS; w++) {
    const x = pid[w];
    out[w] = x;
    pid[w] = 0;
    any |= x;
  }
  return any !== 0;
}

/**
 * vmx_sync_pir_to_irr / __kvm_apic_update_irr: if ON, clear ON and OR PIR into IRR.
 * Returns the number of harvested vectors that were already pending in IRR (coalesced on merge).
 */
export function piSyncPirToIrr(pid: Uint32Array, irr: Uint32Array, scratch: Uint32Array): number {
  if (!piTestOn(pid)) return 0;
  piHarvest(pid, scratch);
  let coalesced = 0;
  for (let w = 0; w < VECTOR_WORDS; w++) {
    let both = scratch[w] & irr[w];
    while (both !== 0) {
      both &= both - 1;
      coalesced++;
    }
    irr[w] |= scratch[w];
  }
  return coalesced;
}
