// The saved benchmark report and the regression comparison between two of them. Pure: no I/O, no clocks, so the
// decision logic is unit-tested table-driven (test/compare.test.ts) and never by timing anything.
//
// Which metrics can fail a comparison: `throughput` (higher is better) and `memory` (lower is better) metrics are
// gated by the threshold; `ratio` metrics (ring ratios, 2-vs-1-shard speed-up, RSS growth) are derived from gated
// numbers or are properties of the machine's scheduling, so they are reported with their change but never gate.

export const REPORT_SCHEMA = 'ivsim-bench/1';

export type Better = 'higher' | 'lower';
export type MetricKind = 'throughput' | 'memory' | 'ratio';

export interface Metric {
  value: number;
  unit: string;
  better: Better;
  kind: MetricKind;
  /** Reference figure for this machine class (limits.md), printed next to ours. */
  ref?: string;
}

export interface MachineInfo {
  cpuModel: string;
  cores: number;
  availableParallelism: number;
  node: string;
  v8: string;
  platform: string;
  arch: string;
  totalMemMiB: number;
  /** 1-minute load average when the suite started: > 0.5 on 2 cores means another process competed with us. */
  loadAvgAtStart: number;
  gitCommit: string | null;
  date: string;
}

export interface BenchReport {
  schema: typeof REPORT_SCHEMA;
  ivsim: string;
  machine: MachineInfo;
  options: { quick: boolean; sections: string[] };
  metrics: Record<string, Metric>;
  /** Free-form per-section detail (tinybench statistics, min/max, durations); never compared. */
  details: Record<string, unknown>;
}

export type RowStatus = 'ok' | 'regression' | 'improvement' | 'info' | 'only-in-base' | 'only-in-current';

export interface CompareRow {
  name: string;
  unit: string;
  kind: MetricKind | null;
  base: number | null;
  current: number | null;
  /** current / base, or null when either side is missing or the base is 0 / not finite. */
  ratio: number | null;
  status: RowStatus;
}

export interface CompareResult {
  threshold: number;
  rows: CompareRow[];
  regressions: CompareRow[];
  improvements: CompareRow[];
  /** Human-readable caveats (e.g. comparing a --quick run with a full one, or different machines). */
  warnings: string[];
}

export const GATED_KINDS: readonly MetricKind[] = ['throughput', 'memory'];

/**
 * Compares `current` against `base`. `threshold` is a fraction (0.10 = 10 %): a gated higher-is-better metric
 * regresses when current < base·(1 − threshold); a gated lower-is-better metric when current > base·(1 + threshold).
 */
export function compareReports(
  base: Pick<BenchReport, 'metrics'> & Partial<BenchReport>,
  current: Pick<BenchReport, 'metrics'> & Partial<BenchReport>,
  threshold: number,
): CompareResult {
  if (!(threshold >= 0) || !Number.isFinite(threshold)) throw new RangeError(`threshold must be ≥ 0, got ${threshold}`);
  const names = [...new Set([...Object.keys(base.metrics), ...Object.keys(current.metrics)])].sort();
  const rows: CompareRow[] = names.map((name) =>
    compareMetric(name, base.metrics[name], current.metrics[name], threshold),
  );
  const warnings: string[] = [];
  if (base.options && current.options && base.options.quick !== current.options.quick)
    warnings.push(
      `comparing a ${current.options.quick ? '--quick' : 'full'} run against a ${base.options.quick ? '--quick' : 'full'} baseline: scenario durations differ`,
    );
  if (base.machine && current.machine) {
    if (base.machine.cpuModel !== current.machine.cpuModel || base.machine.cores !== current.machine.cores)
      warnings.push(
        `different machines: baseline "${base.machine.cpuModel}" × ${base.machine.cores}, current "${current.machine.cpuModel}" × ${current.machine.cores}`,
      );
    if (base.machine.node !== current.machine.node)
      warnings.push(`different Node versions: baseline ${base.machine.node}, current ${current.machine.node}`);
  }
  return {
    threshold,
    rows,
    regressions: rows.filter((r) => r.status === 'regression'),
    improvements: rows.filter((r) => r.status === 'improvement'),
    warnings,
  };
}

function compareMetric(name: string, b: Metric | undefined, c: Metric | undefined, threshold: number): CompareRow {
  const m = c ?? b;
  const row: CompareRow = {
    name,
    unit: m?.unit ?? '',
    kind: m?.kind ?? null,
    base: b ? b.value : null,
    current: c ? c.value : null,
    ratio: null,
    status: 'info',
  };
  if (!b) return { ...row, status: 'only-in-current' };
  if (!c) return { ...row, status: 'only-in-base' };
  if (!Number.isFinite(b.value) || !Number.isFinite(c.value) || b.value <= 0) return row;
  const ratio = c.value / b.value;
  row.ratio = ratio;
  if (!GATED_KINDS.includes(c.kind)) return row;
  // Relative to the direction in which the metric improves: < 1 is worse.
  const goodness = c.better === 'higher' ? ratio : 1 / ratio;
  if (c.better === 'higher' ? ratio < 1 - threshold : ratio > 1 + threshold) row.status = 'regression';
  else if (goodness > 1 + threshold) row.status = 'improvement';
  else row.status = 'ok';
  return row;
}

/** Exit status of `--compare` (DESIGN §5 CLI: 1 on a detected regression). */
export function compareExitStatus(r: CompareResult): 0 | 1 {
  return r.regressions.length > 0 ? 1 : 0;
}

export class BenchInputError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'BenchInputError';
  }
}

/** Parses `--threshold` given in percent: "10", "10%", "2.5". */
export function parseThreshold(text: string): number {
  const m = /^\s*(\d+(?:\.\d+)?)\s*%?\s*$/.exec(text);
  const pct = m ? Number(m[1]) : Number.NaN;
  if (!(pct > 0 && pct < 100))
    throw new BenchInputError(`--threshold: expected a percentage in (0, 100), got "${text}"`);
  return pct / 100;
}

/** Validates a saved report (the `--compare` baseline). Throws BenchInputError naming what is wrong. */
export function parseReport(text: string, source = 'baseline'): BenchReport {
  let j: unknown;
  try {
    j = JSON.parse(text);
  } catch (e) {
    throw new BenchInputError(`${source}: not JSON (${e instanceof Error ? e.message : String(e)})`);
  }
  if (typeof j !== 'object' || j === null || Array.isArray(j))
    throw new BenchInputError(`${source}: expected an object`);
  const o = j as Record<string, unknown>;
  if (o.schema !== REPORT_SCHEMA)
    throw new BenchInputError(`${source}.schema: expected "${REPORT_SCHEMA}", got ${JSON.stringify(o.schema)}`);
  if (typeof o.metrics !== 'object' || o.metrics === null || Array.isArray(o.metrics))
    throw new BenchInputError(`${source}.metrics: expected an object of metrics`);
  for (const [k, v] of Object.entries(o.metrics as Record<string, unknown>)) {
    const m = v as Partial<Metric> | null;
    if (typeof m !== 'object' || m === null) throw new BenchInputError(`${source}.metrics.${k}: expected an object`);
    if (typeof m.value !== 'number') throw new BenchInputError(`${source}.metrics.${k}.value: expected a number`);
    if (m.better !== 'higher' && m.better !== 'lower')
      throw new BenchInputError(`${source}.metrics.${k}.better: expected "higher" or "lower"`);
    if (m.kind !== 'throughput' && m.kind !== 'memory' && m.kind !== 'ratio')
      throw new BenchInputError(`${source}.metrics.${k}.kind: expected "throughput", "memory" or "ratio"`);
  }
  return o as unknown as BenchReport;
}

const STATUS_MARK: Record<RowStatus, string> = {
  ok: 'ok',
  regression: 'REGRESSION',
  improvement: 'improved',
  info: '',
  'only-in-base': 'only in baseline',
  'only-in-current': 'new',
};

/** A printable table of the comparison. Metrics present only in the baseline (sections not run) are summarised. */
export function formatCompare(r: CompareResult, fmt: (v: number, unit: string) => string): string {
  const shown = r.rows.filter((x) => x.status !== 'only-in-base');
  const cells = shown.map((x) => [
    x.name,
    x.base === null ? '—' : fmt(x.base, x.unit),
    x.current === null ? '—' : fmt(x.current, x.unit),
    x.ratio === null ? '—' : x.ratio.toFixed(3),
    x.kind === 'ratio' && x.status === 'info' ? '(not gated)' : STATUS_MARK[x.status],
  ]);
  const head = ['metric', 'baseline', 'current', 'ratio', 'status'];
  const w = head.map((h, i) => Math.max(h.length, ...cells.map((c) => c[i].length)));
  const line = (c: string[]) =>
    c
      .map((v, i) => (i === 0 || i === 4 ? v.padEnd(w[i]) : v.padStart(w[i])))
      .join('  ')
      .trimEnd();
  const lines = [line(head), ...cells.map(line)];
  const missing = r.rows.filter((x) => x.status === 'only-in-base');
  if (missing.length > 0) {
    const groups = [...new Set(missing.map((x) => x.name.split('.')[0]))];
    lines.push(`(${missing.length} baseline metric(s) not measured in this run: ${groups.join(', ')})`);
  }
  for (const wmsg of r.warnings) lines.push(`warning: ${wmsg}`);
  const pct = `${+(r.threshold * 100).toFixed(2)}%`;
  lines.push(
    r.regressions.length > 0
      ? `${r.regressions.length} regression(s) worse than ${pct}: ${r.regressions.map((x) => x.name).join(', ')}`
      : `no regression worse than ${pct} (${r.improvements.length} improved)`,
  );
  return lines.join('\n');
}
