// Live mode's shared memory: one SharedArrayBuffer, viewed as Int32 (structures and control words) and as Float64
// (time stamps, per-thread counters). Every block that two threads write lives on its own 128-byte span (a cache
// line plus its adjacent-line prefetch partner), as in core/src/mem/spsc-ring.ts.
//
//   i32 [0, 1024)                      control: STOP_POST, STOP_VCPU, doorbell and epoch per vCPU thread (32 words
//                                      apart), each on its own 128-byte block
//   i32 vcpuBase(v) = CTL_WORDS + 64v  per vCPU, 256 bytes:
//         +0 .. +15                    the posted-interrupt descriptor, word for word as core/arch/x86/pi-desc.ts
//                                      (PIR words 0..7, control word 8 with ON/SN/NV, NDST word 9)
//         +32 .. +63                   ICH_LR<n>_EL2 as lo/hi u32 pairs (lr-v3.ts), n < 16
//   i32 deliveredBase(v) + s           per (vCPU, source slot) delivered count, written by the vCPU's thread only
//   f64 stampBase(v) + 2s + parity     post time stamps (ns since the run's base), written by the source's poster
//   f64 threadBase(k) + CNT_*          per-thread counters (progress), written by thread k only
//   byte ringBase + v · ringStride     SPSC baseline only: the mem/ SpscRing of vCPU v (its one poster → its vCPU
//                                      thread), records of RING_WORDS f64 (slot, stamp), each ring 128-byte aligned

import { SpscRing } from '@ivsim/core/internal';

export const CTL_WORDS = 1024;
export const CTL_STOP_POST = 0;
export const CTL_STOP_VCPU = 32;
/** Doorbell of vCPU thread k: CTL_DOOR + 32k (k < MAX_VCPU_THREADS); its epoch (completed poll passes) 16 words further. */
export const CTL_DOOR = 64;
export const CTL_EPOCH_OFF = 16;
export const MAX_VCPU_THREADS = 30;

export const VCPU_WORDS = 64;
export const LR_OFF = 32;
export const MAX_LRS = 16;
/** Source slots per vCPU: x86 vectors (0..255) index them directly; ARM sources use slots 0..n-1. */
export const SLOTS = 256;

export const THREAD_F64 = 16;
export const CNT_RAISED = 0;
export const CNT_COALESCED = 1;
export const CNT_DELIVERED = 2;
export const CNT_NOTIFY = 3;
export const CNT_WAKEUPS = 4;
export const CNT_BLOCKS = 5;
export const CNT_VIOLATIONS = 6;
export const CNT_SPURIOUS = 7;
export const CNT_OVERFLOW = 8;
export const CNT_SN_TOGGLES = 9;

/** SPSC baseline record: f64 words (source slot, post stamp ns). */
export const RING_WORDS = 2;
/** Records per SPSC baseline ring (one ring per vCPU); a power of two. */
export const RING_CAPACITY = 1024;

export interface Layout {
  vcpus: number;
  threads: number;
  bytes: number;
  /** i32 index of the per-(vCPU, slot) delivered counts. */
  delivered: number;
  /** f64 index of the stamps. */
  stamps: number;
  /** f64 index of the per-thread counters. */
  counters: number;
  /** Byte offset of the first SPSC ring and the bytes between rings (0 when the layout has no rings). */
  ringBase: number;
  ringStride: number;
}

/** `rings`: lay out one SPSC ring per vCPU after everything else (the baseline phase). */
export function layoutFor(vcpus: number, threads: number, rings = false): Layout {
  const structI32 = CTL_WORDS + vcpus * VCPU_WORDS;
  const delivered = structI32;
  const i32End = delivered + vcpus * SLOTS;
  const stamps = Math.ceil((i32End * 4) / 128) * 16; // f64 index, 128-byte aligned
  const counters = stamps + vcpus * SLOTS * 2;
  const end = Math.ceil(((counters + threads * THREAD_F64) * 8) / 128) * 128;
  const ringStride = rings ? Math.ceil(SpscRing.bytesFor(RING_CAPACITY, RING_WORDS) / 128) * 128 : 0;
  const bytes = end + vcpus * ringStride;
  return { vcpus, threads, bytes, delivered, stamps, counters, ringBase: end, ringStride };
}

export const ringOffset = (l: Layout, v: number): number => l.ringBase + v * l.ringStride;

export const vcpuBase = (v: number): number => CTL_WORDS + v * VCPU_WORDS;
export const doorIndex = (k: number): number => CTL_DOOR + 32 * k;
export const epochIndex = (k: number): number => CTL_DOOR + 32 * k + CTL_EPOCH_OFF;

/** Allocation-free busy delay used to widen a race window in the deliberately broken variants (tests only). */
export function spinDelay(n: number): number {
  let x = 0;
  for (let i = 0; i < n; i++) x = (x * 1103515245 + 12345) | 0;
  return x;
}
