// What the live orchestrator hands each thread, and what the thread hands back.

import type { Layout } from './layout.ts';
import type { LiveMode } from './plan.ts';

/**
 * How the posters raise interrupts. `max`: as fast as the structure takes them — each source raises its next
 * interrupt as soon as its previous one was delivered (one in flight per source, nothing coalesces); `paced`: the
 * scenario's arrival processes (open loop, rates scaled); `saturate`: back to back, whatever is still pending (a post
 * of a pending vector coalesces).
 */
export type LiveDrive = 'max' | 'paced' | 'saturate';

/** What a phase's threads exercise: the scenario's structure, or the SPSC-ring baseline. */
export type PhaseMode = LiveMode | 'spsc';

/** Test hook: deliberately broken protocol variants (0 = the correct protocol), to show the checker catches them. */
export interface LiveVariants {
  /** pi-live.ts POST_*. */
  post: number;
  /** pi-live.ts HARVEST_*. */
  harvest: number;
  /** lr-live.ts EOI_*. */
  eoi: number;
  /** pi-live.ts RELOAD_* (the SN clear of a descheduled vCPU; churn mode). */
  reload: number;
  /** Busy-loop iterations inside the broken variants' race window (0 = none). */
  raceSpins: number;
}

/**
 * Segment control (ThreadInit.ctl, Int32): the segment sequence number and the phase it runs (-1: exit); the bit
 * mask of waiting posters (drive max) and each poster's doorbell.
 */
export const SEG_SEQ = 0;
export const SEG_PHASE = 32;
export const SEG_POSTERS_WAITING = 64;
const SEG_POSTER_DOOR = 96;
export const MAX_POSTERS = 32;
export const SEG_WORDS = SEG_POSTER_DOOR + MAX_POSTERS;
export const posterDoor = (k: number): number => SEG_POSTER_DOOR + k;
/** A waiting poster's time-out: bounds the wait should a wake-up ever be missed, and the stop latency. */
export const POSTER_WAIT_MS = 1;

/** Rings the doorbell of every waiting poster (a vCPU thread after a pass that delivered, the orchestrator on stop). */
export function wakePosters(ctl: Int32Array): void {
  const w = Atomics.exchange(ctl, SEG_POSTERS_WAITING, 0);
  for (let k = 0; k < MAX_POSTERS; k++)
    if ((w & (1 << k)) !== 0) {
      Atomics.add(ctl, posterDoor(k), 1);
      Atomics.notify(ctl, posterDoor(k));
    }
}

/** One phase's structure: its own buffer (structures, control and stop words, counters, stamps). */
export interface PhaseInit {
  mode: PhaseMode;
  sab: SharedArrayBuffer;
  layout: Layout;
}

export type PhaseThreadInit = ThreadInit & PhaseInit;

export interface ThreadInit {
  role: 'poster' | 'vcpu';
  /** Index among the threads of its role. */
  index: number;
  /** Index among all threads (counters block). */
  thread: number;
  /** Every phase this thread runs segments of (the scenario's structure and the SPSC baseline). */
  phases: PhaseInit[];
  /** Segment control words (SEG_*). */
  ctl: SharedArrayBuffer;
  baseNs: number;
  nrLr: number;
  variants: LiveVariants;
  /** How posters raise (LiveDrive): one in flight per source, the arrival processes, or back to back. */
  drive: LiveDrive;
  /** Checker mode: one outstanding interrupt per source, with the stranded/lost verdicts. */
  closedLoop: boolean;
  /** Posts between clock reads in saturate mode. */
  batch: number;
  /** Idle spin before a vCPU thread blocks, ns. */
  spinNs: number;
  /** Atomics.wait time-out of a blocked vCPU thread, ms. */
  waitMs: number;
  /**
   * PI churn (0 = off): each vCPU is descheduled (SN = 1, not serviced) and reloaded at random intervals of mean
   * churnNs, and the vCPU thread blocks (NV = wake-up vector, short wait) about every 8 · churnNs.
   */
  churnNs: number;
  /** Test hook: throw after this many ms. */
  faultAfterMs: number;
  seed: number;
  // poster: its sources, in parallel arrays
  srcVcpu: number[];
  srcSlot: number[];
  srcVector: number[];
  srcMeanNs: number[];
  srcPeriodic: boolean[];
  srcDoor: number[];
  // vcpu thread: its vCPUs, and per vCPU its sources' vectors / vINTIDs in slot order (ARM: slot s is vcpuVectors[j][s];
  // PI: the rank of a vector there is its packed stamp index)
  vcpuList: number[];
  vcpuVectors: number[][];
}

export interface ThreadResult {
  thread: number;
  role: 'poster' | 'vcpu';
  /** Histogram counts/sum/count/min/max (delivery latency ns for vCPU threads, source lag ns for posters). */
  hist: { counts: Float64Array; count: number; sum: number; min: number; max: number };
  raised: number;
  coalesced: number;
  delivered: number;
  notifications: number;
  wakeups: number;
  /** vCPU thread: blocks (HLT / WFI); poster: waits with every source in flight (drive max). */
  blocks: number;
  violations: number;
  /** vCPU thread (churn): SN set + SN cleared. */
  snToggles: number;
  /** Poster: per source, the instances posted that did not coalesce (PI) / were placed or queued (LR). */
  srcPosted: number[];
  srcRaised: number[];
  srcCoalesced: number[];
  /**
   * Poster, per source, instances still held by the device at the end — LR: 1 if one waits in the overflow list;
   * SPSC: the records not yet pushed because the ring was full.
   */
  srcOverflow: number[];
}
