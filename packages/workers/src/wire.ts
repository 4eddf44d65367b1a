// Shard results cross the thread boundary by structured clone: a Counters instance arrives as a plain object with
// the same fields (typed arrays, numbers, histogram {counts, count, sum, max, min}), which Counters.add() reads
// field by field. Merging per-shard counters therefore needs no encoding step and is exact (integer sums).

import { Counters } from '@ivsim/core/internal';

export interface ShardResult {
  shard: number;
  counters: Counters;
  pending: number;
  windows: number;
  crossEvents: number;
  spilled: number;
}

/** Sums per-shard counters into one Counters object, identical to a single-threaded run's. */
export function mergeCounters(parts: readonly Counters[]): Counters {
  const total = new Counters();
  for (const c of parts) total.add(c);
  return total;
}
