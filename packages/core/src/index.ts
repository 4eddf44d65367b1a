// @ivsim/core — the deterministic model, importable on its own: `import { simulate } from '@ivsim/core'`.
//
// This is the public surface, curated by topic (DESIGN §5 "Library"); every name here is documented and listed in
// test/public-api.txt, so adding one is deliberate. What packages/workers, cli and bench need beyond it — the engine,
// the SAB layouts, the architectural state — is exported from `@ivsim/core/internal` (internal.ts), with no promise
// of stability.
// biome-ignore-all assist/source/organizeImports: grouped by topic for the reader, not sorted by path

// ---- Running a scenario ----
export { type SimulateOptions, simulate } from './simulate.ts';
export { NoProgressError, type TraceFn } from './sim/sim-base.ts';
export type { EngineInfo, IpiPatternsResult, Results, SchemeResult } from './stats/results.ts';
export type { BlockingResult } from './stats/blocking.ts';

// ---- Scenarios: load, validate, override, built-ins ----
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
export type { Scenario, ScenarioInput } from './scenario/schema.ts';
export { applySetOverrides, validateWithSets } from './scenario/set.ts';
export { BUILTIN_SCENARIOS, builtinScenarioNames } from './scenario/builtin.ts';
export { builtinScenarioYaml } from './scenario/show.ts';
export { type EstimateContributor, estimateRun, type RunEstimate } from './scenario/estimate.ts';
export { formatNs, parseTimeNs } from './scenario/units.ts';

// ---- Delivery schemes and exit reasons ----
export { ALL_SCHEMES, ARM_SCHEMES, type SchemeId, X86_SCHEMES } from './scenario/schema.ts';
export type { ConfiguredSchemeId, SchemeConfig, SchemeOptions } from './hv/descriptors.ts';
export type { SchemeOptionsInput } from './scenario/scheme-options.ts';
export { implementedSchemes } from './hv/registry.ts';
export { EXIT_REASONS, type ExitReason } from './hv/exit-reasons.ts';

// ---- Cost presets ----
export { COST_NAMES, type CostName, type CostPreset, type CostTable, type PresetCosts } from './scenario/costs.ts';
export { PRESETS, presetNames } from './scenario/presets.ts';
export { resolveCosts } from './scenario/resolve-costs.ts';

// ---- Histograms ----
export { decodeHistogram, type LatencySummary } from './stats/hdr.ts';

// ---- Sweeps: a scenario's `sweep:` block (in parts, merged), list registers, interrupt moderation ----
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
export { MAX_SWEEP_POINTS, type SweepSpec } from './scenario/sweep-schema.ts';
export { checkLrCounts, type LrSweepPoint, type LrSweepResult, lrSweep } from './sweep.ts';
export {
  DEFAULT_MODERATION_POINTS,
  type ModerationPoint,
  type ModerationSweepPoint,
  type ModerationSweepResult,
  moderationSweep,
  withModeration,
} from './moderation-sweep.ts';

// ---- Tracing ----
export { type TraceLayout, traceRun } from './trace-run.ts';

// ---- Version ----
export { IVSIM_VERSION } from './version.ts';
