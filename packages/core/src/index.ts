// @ivsim/core — the deterministic model, importable on its own: `import { simulate } from '@ivsim/core'`.

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
export { CAUSE_NAMES, EXIT_REASONS, type ExitReason } from './hv/exit-reasons.ts';
export { createScheme, implementedSchemes } from './hv/registry.ts';
export type { DeliveryScheme } from './hv/scheme.ts';
export * from './mem/index.ts';
export {
  DEFAULT_MODERATION_POINTS,
  type ModerationPoint,
  type ModerationSweepPoint,
  type ModerationSweepResult,
  moderationSweep,
  withModeration,
} from './moderation-sweep.ts';
export {
  checkPart,
  mergeSweepParts,
  partPoints,
  pointCoordinates,
  runSweepPoints,
  type SweepAxis,
  type SweepEngine,
  type SweepPartInfo,
  type SweepPlan,
  type SweepPoint,
  type SweepPointResult,
  type SweepResult,
  sweepPoints,
} from './param-sweep.ts';
export { BUILTIN_SCENARIOS, builtinScenarioNames } from './scenario/builtin.ts';
export { COST_NAMES, type CostName, type CostPreset, type CostTable } from './scenario/costs.ts';
export {
  BYTES_PER_QUEUE,
  BYTES_PER_VCPU,
  type EstimateContributor,
  estimateRun,
  type RunEstimate,
} from './scenario/estimate.ts';
export {
  loadScenarioFile,
  loadScenarioInput,
  MAX_SCENARIO_BYTES,
  parseScenarioText,
  readScenarioFile,
  ScenarioError,
  validateScenario,
  withOverrides,
} from './scenario/load.ts';
export { NEHALEM_SCALED, PRESETS, presetNames } from './scenario/presets.ts';
export { resolveCosts } from './scenario/resolve-costs.ts';
export {
  ALL_SCHEMES,
  ARM_SCHEMES,
  MAX_TIME_NS,
  MAX_TOTAL_VCPUS,
  type Scenario,
  type ScenarioInput,
  type SchemeId,
  scenarioSchema,
  X86_SCHEMES,
} from './scenario/schema.ts';
export { applySetOverrides, validateWithSets } from './scenario/set.ts';
export { builtinScenarioYaml } from './scenario/show.ts';
export { MAX_SWEEP_POINTS, type SweepSpec } from './scenario/sweep-schema.ts';
export { formatNs, parseTimeNs } from './scenario/units.ts';
export { Counters } from './sim/counters.ts';
export {
  CROSS_SHARD_EVENTS,
  NoProgressError,
  type SendFn,
  type ShardView,
  Sim,
  type SimOptions,
  type TraceFn,
} from './sim/engine.ts';
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
export { assembleResults, runScheme, type SchemeRun, type SimulateOptions, schemePlan, simulate } from './simulate.ts';
export { type ConvertedHistogram, type LatencySummary, toHdr } from './stats/hdr.ts';
export { LogLinearHistogram } from './stats/loglinear.ts';
export type { EngineInfo, Results, SchemeResult } from './stats/results.ts';
export { checkLrCounts, type LrSweepPoint, type LrSweepResult, lrSweep } from './sweep.ts';
export { type TraceLayout, traceRun } from './trace-run.ts';
export { IVSIM_VERSION } from './version.ts';
