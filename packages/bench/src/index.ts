// @ivsim/bench — the benchmark suite (`pnpm bench`) and its regression compare, as a library for `ivsim bench`.

export { type BenchArgs, parseBenchArgs, SECTIONS, type Section, USAGE } from './args.ts';
export {
  BenchInputError,
  type BenchReport,
  type CompareResult,
  type CompareRow,
  compareExitStatus,
  compareReports,
  formatCompare,
  type MachineInfo,
  type Metric,
  parseReport,
  parseThreshold,
  REPORT_SCHEMA,
} from './compare.ts';
export { type BenchIo, runBench } from './main.ts';
