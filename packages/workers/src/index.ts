// @ivsim/workers — the parallel runner: vCPU shards on worker threads sharing SAB state, deterministic for any
// shard count, with a comlink control plane; and live mode (the delivery structures driven by real threads).
//
// This is the public surface (DESIGN §5 "Library"), every name documented and listed in test/public-api.txt. The
// shard protocol, the partitioner and the live threads' wire format are not exported.

// ---- Control thread (a run hosted off the caller's thread) ----
export { type ControlApi, ControlThreadFailure, connectControl } from './control.ts';
export type { ControlWorkerApi } from './control-worker.ts';
export type { MachineLoad } from './live/machine.ts';
export { type LiveMode, type LivePlan, type LiveSource, livePlan } from './live/plan.ts';
export type { LiveDrive, LiveVariants } from './live/protocol.ts';
// ---- Live mode ----
export {
  LiveFailure,
  type LiveOptions,
  type LiveProgress,
  type LiveResults,
  LiveRun,
  type LiveSchemeResult,
  type LiveStructure,
  type LiveViolations,
  runLive,
  type StructureSummary,
} from './live/run.ts';
// ---- Parallel runs ----
export {
  ParallelRun,
  type Progress,
  RunCancelled,
  type RunOptions,
  runParallel,
  ShardFailure,
  type SyncStats,
} from './runner.ts';
export { type LanePlan, planLanes } from './scheme-lanes.ts';
export { MAX_POOL_THREADS, ShardPool } from './shard-pool.ts';
export type { VcpuSnapshot } from './snapshot.ts';
