// @ivsim/core/internal — what packages/workers, cli and bench need beyond the public surface (index.ts): the engine
// and its pieces, the SAB layouts, the architectural state, scheme construction and result assembly. Not a stable
// API: names here change with the engine. Organised by the tree they come from (DESIGN §2).

// ---- arch/: architectural state ----
// The ICH_LR encodings, for code that drives list registers from other threads (live mode).
export { LR_ACTIVE, LR_INVALID, LR_PENDING, LR_PENDING_ACTIVE } from './arch/arm/lr-fields.ts';
export {
  ICH_LR_HI_ACTIVE_BIT,
  ICH_LR_HI_GROUP,
  ICH_LR_HI_PENDING_BIT,
  ICH_LR_HI_PRIORITY_SHIFT,
  ICH_LR_HI_STATE_SHIFT,
} from './arch/arm/lr-v3.ts';
export * from './arch/x86/index.ts';

// ---- hv/: schemes ----
export { wholeVmsReason } from './hv/descriptors.ts';
export type { DeliveryScheme } from './hv/scheme.ts';
// ---- mem/: SAB data plane ----
export * from './mem/index.ts';
export { type StartingThread, syncCompileHolds, withSyncCompiledThreads } from './mem/worker-isolates.ts';
// ---- run/: the composition root (topology, costs, scheme and engine of one scheme run) ----
export { composeRun, composeSim, type RunParts, runParts, runsBare } from './run/compose.ts';

// ---- scenario/: the estimate's per-entity sizes, the preset entries scaled from Nehalem ----
export { BYTES_PER_QUEUE, BYTES_PER_VCPU } from './scenario/estimate.ts';
export { NEHALEM_SCALED } from './scenario/presets.ts';

// ---- sim/: the engine ----
export { Counters } from './sim/counters.ts';
export { CROSS_SHARD_EVENTS, type SendFn, type ShardView, Sim, type SimOptions } from './sim/engine.ts';
export { EventQueue } from './sim/event-queue.ts';
export { crossShardLookahead } from './sim/ipi-patterns.ts';
export { ledgerStride } from './sim/ledger.ts';
export { RngStreams } from './sim/rng.ts';
export {
  ARR_CLOSED,
  ARR_ONOFF,
  ARR_PERIODIC,
  ARR_POISSON,
  ARR_TRACE,
  buildTopology,
  type Topology,
} from './sim/topology.ts';

// ---- runners: one scheme, the plan, result assembly (shared with the parallel runner) ----
export { assembleResults, runScheme, type SchemeRun, schemePlan } from './simulate.ts';

// ---- stats/ ----
export { type ConvertedHistogram, toHdr } from './stats/hdr.ts';
export { LogLinearHistogram } from './stats/loglinear.ts';
