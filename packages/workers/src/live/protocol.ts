// What the live orchestrator hands each thread, and what the thread hands back.

import type { Layout } from './layout.ts';
import type { LiveMode } from './plan.ts';

/** What a phase's threads exercise: the scenario's structure, or the SPSC-ring baseline. */
export type PhaseMode = LiveMode | 'spsc';

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

export interface ThreadInit {
  role: 'poster' | 'vcpu';
  /** Index among the threads of its role. */
  index: number;
  /** Index among all threads (counters block). */
  thread: number;
  mode: PhaseMode;
  sab: SharedArrayBuffer;
  layout: Layout;
  baseNs: number;
  nrLr: number;
  variants: LiveVariants;
  /** Post as fast as possible instead of following the arrival processes. */
  saturate: boolean;
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
  // vcpu thread: its vCPUs, and per vCPU the (vector → slot) table of ARM sources
  vcpuList: number[];
  lrVintids: number[][];
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
