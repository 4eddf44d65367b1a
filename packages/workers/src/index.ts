// @ivsim/workers — the parallel runner: vCPU shards on worker threads sharing SAB state, deterministic for any
// shard count, with a comlink control plane.

export { type ControlApi, ControlThreadFailure, connectControl } from './control.ts';
export type { MachineLoad } from './live/machine.ts';
export { livePlan } from './live/plan.ts';
export type { LiveDrive } from './live/protocol.ts';
export {
  LiveFailure,
  type LiveOptions,
  type LiveProgress,
  type LiveResults,
  LiveRun,
  liveSchedule,
  runLive,
} from './live/run.ts';
export { PARTITION_COSTS, type Partition, type PartitionCosts, partition, pcpuLoad } from './partition.ts';
export { ParallelRun, type Progress, RunCancelled, type RunOptions, runParallel, ShardFailure } from './runner.ts';
export type { VcpuSnapshot } from './snapshot.ts';
