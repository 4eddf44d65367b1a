// What the runner hands each shard, and the layout of the control SAB that the runner and the control plane read
// while shards run (progress without messages on the hot path).

import type { Scenario, SchemeId } from '@ivsim/core';

/** One shard's task for one scheme run. Everything here is structured-cloneable; SABs stay shared. */
export interface ShardTask {
  scenario: Scenario;
  scheme: SchemeId;
  /** Every scheme of the run: the arena's vCPU blocks hold the regions they declare (one layout for the run). */
  arenaSchemes: SchemeId[];
  /**
   * Names the parallel run (one per ParallelRun): a shard thread reuses the topology it built for an earlier scheme of
   * the same run and the same `runsBare` (shard-task.ts), never one of another run.
   */
  runId: string;
  shard: number;
  shards: number;
  pcpuOwner: Int32Array;
  /** Cross-shard lookahead in cycles; Infinity when nothing can cross (every VM on one shard). */
  lookahead: number;
  barrier: SharedArrayBuffer;
  /** rings[from * shards + to] (the diagonal is unused). */
  rings: SharedArrayBuffer[];
  arena: SharedArrayBuffer;
  control: SharedArrayBuffer;
  /** This shard's line of the control SAB (lane · shards per lane + shard: lanes run side by side, §10). */
  controlLine: number;
  /** Hardware threads of the machine: with more shards than this the barrier adapts its spin. */
  cores: number;
  /** Test hook: this shard throws when its virtual time reaches `atCycles`. */
  fault?: { shard: number; atCycles: number };
}

/** Error message of a shard that stopped only because another shard failed or the run was cancelled. */
export const ABORTED_MESSAGE = 'ivsim-shard-aborted';

/** Abort codes written into the barrier. */
export const ABORT_FAILED = 1;
export const ABORT_CANCELLED = 2;

// control SAB: Float64Array, one 8-slot (64-byte) line per shard thread of the run (every lane's), so writers never
// share a cache line.
export const CTL_STRIDE = 8;
export const CTL_VTIME = 0; // virtual time reached (cycles)
export const CTL_EVENTS = 1;
export const CTL_RAISED = 2;
export const CTL_WINDOWS = 3; // barrier crossings
export const CTL_CROSS = 4; // events sent to other shards
export const CTL_SPILLED = 5; // records that did not fit a ring inside a window

export const controlBytes = (shards: number): number => shards * CTL_STRIDE * 8;

/**
 * Record of a cross-shard event in the rings (float64 words): the full event key (t, src, seq) and the payload,
 * with the event type packed under the target entity (entity · 16 + type; both integers, exact in a float64).
 */
export const REC_T = 0;
export const REC_SRC = 1;
export const REC_SEQ = 2;
export const REC_ENTITY_TYPE = 3;
export const REC_A0 = 4;
export const REC_A1 = 5;
export const REC_WORDS_PACKED = 6;
/**
 * A ring record packs entity · TYPE_BITS + event type: TYPE_BITS must exceed every engine event type that can cross
 * (EV_IPI_ARRIVE, EV_CSD_ACK; test/cross-events.test.ts checks it).
 */
export const TYPE_BITS = 64;

/** Slots per ring: one window of traffic at fleet scale fits many times over; beyond that records spill. */
export const RING_CAPACITY = 1 << 14;
