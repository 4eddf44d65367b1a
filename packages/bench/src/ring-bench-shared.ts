// Control-word layout and worker configuration shared by ring-bench.ts and ring-bench-worker.ts (a separate module
// because importing the worker module would run its thread body).

import type { MessagePort } from 'node:worker_threads';

// Int32 indices into the control SAB, 128 bytes apart so the words different threads write never share a line.
export const GO = 0;
export const DONE = 32;
export const TOTAL = 64; // producer's message count for the current repetition
export const PDONE = 96; // repetition number the producer has finished
export const ERRORS = 128; // order/content errors seen by consumers (must stay 0)
export const CTL_BYTES = 160 * 4;
export const RECORD_WORDS = 6;

export type BenchKind = 'spsc' | 'ringbuf' | 'port' | 'barrier';

export interface WorkerConfig {
  kind: BenchKind;
  role: 'prod' | 'cons' | 'party';
  ctl: SharedArrayBuffer;
  reps: number;
  durationMs: number;
  /** spsc: publish every N messages (power of two); ringbuf: records per push (1 or 64). */
  batch: number;
  ring?: SharedArrayBuffer;
  port?: MessagePort;
  partyId?: number;
}
