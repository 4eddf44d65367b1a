// The saved benchmark report and the regression comparison between two of them. Pure: no I/O, no clocks, so the
// decision logic is unit-tested table-driven (test/compare.test.ts) and never by timing anything.
//
// Every metric carries its repeated samples (`--repeats`); its value is their median. A gated metric changes only
// when both hold: the medians differ by more than the threshold, and a one-sided Mann–Whitney rank test on the
// samples says the shift is not noise. The tests of one comparison are a family: Holm–Bonferroni keeps the chance
// of any false alarm among the ~20 gated metrics at α (regressions and improvements are two such families). The
// threshold keeps a real but small shift from failing a run (a busier host moves everything a few percent); the test
// keeps a large but noisy difference from failing it (one preempted repetition on a shared 2-core machine). With
// six samples a side the smallest one-sided p is 1/924, enough to pass Holm's α/21 for the first of 21 metrics.
//
// Which metrics can fail a comparison: `throughput` (higher is better) and `memory` (lower is better) metrics;
// `ratio` metrics (ring ratios, 2-vs-1-shard speed-up, RSS growth) are derived from gated numbers or are
// properties of the machine's scheduling, so they are reported with their change but never gate.

import { mannWhitneyLess, median, minimumP } from './stats.ts';

export const REPORT_SCHEMA = 'ivsim-bench/2';
/** The format before samples: one value per metric. Refused with a one-line error (nothing to test with). */
export const OLD_REPORT_SCHEMAS = ['ivsim-bench/1'] as const;

export type Better = 'higher' | 'lower';
export type MetricKind = 'throughput' | 'memory' | 'ratio';

export interface Metric {
  /** Median of `samples`. */
  value: number;
  /** One value per repetition, in the order measured. */
  samples: number[];
  unit: string;
  better: Better;
  kind: MetricKind;
  /** Reference figure for this machine class (limits.md), printed next to ours. */
  ref?: string;
}

/** A metric from its repeated samples (value = their median). */
export function metric(
  samples: readonly number[],
  unit: string,
  better: Better,
  kind: MetricKind,
  ref?: string,
): Metric {
  return { value: median(samples), samples: [...samples], unit, better, kind, ...(ref ? { ref } : {}) };
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
  options: { quick: boolean; sections: string[]; repeats: number; scale: number };
  metrics: Record<string, Metric>;
  /** Free-form per-section detail (tinybench statistics, min/max, durations); never compared. */
  details: Record<string, unknown>;
}

export type RowStatus = 'ok' | 'regression' | 'improvement' | 'noise' | 'info' | 'only-in-base' | 'only-in-current';

export interface CompareRow {
  name: string;
  unit: string;
  kind: MetricKind | null;
  /** Medians. */
  base: number | null;
  current: number | null;
  /** current / base (of the medians), or null when either side is missing or the base is 0 / not finite. */
  ratio: number | null;
  /** One-sided rank-test p-value in the direction of the observed change, before the Holm correction (null: not
   * tested). */
  p: number | null;
  nBase: number;
  nCurrent: number;
  status: RowStatus;
}

export interface CompareResult {
  threshold: number;
  alpha: number;
  rows: CompareRow[];
  regressions: CompareRow[];
  improvements: CompareRow[];
  /** Human-readable caveats (e.g. comparing a --quick run with a full one, or different machines). */
  warnings: string[];
}

export const GATED_KINDS: readonly MetricKind[] = ['throughput', 'memory'];

type Comparable = {
  metrics: Record<string, Pick<Metric, 'value' | 'unit' | 'better' | 'kind'> & { samples?: number[] }>;
};

/**
 * Compares `current` against `base`. `threshold` is a fraction (0.10 = 10 %): a gated metric regresses when its
 * median is worse than the base's by more than the threshold (higher-is-better: current < base·(1 − threshold);
 * lower-is-better: current > base·(1 + threshold)) and the one-sided Mann–Whitney p-value of "current is worse"
 * survives Holm–Bonferroni at family-wise level `alpha` over every gated metric. A change beyond the threshold that
 * the test does not support is `noise`.
 */
export function compareReports(
  base: Comparable & Partial<Omit<BenchReport, 'metrics'>>,
  current: Comparable & Partial<Omit<BenchReport, 'metrics'>>,
  threshold: number,
  alpha = 0.05,
): CompareResult {
  if (!(threshold >= 0) || !Number.isFinite(threshold)) throw new RangeError(`threshold must be ≥ 0, got ${threshold}`);
  if (!(alpha > 0 && alpha < 1)) throw new RangeError(`alpha must be in (0, 1), got ${alpha}`);
  const names = [...new Set([...Object.keys(base.metrics), ...Object.keys(current.metrics)])].sort();
  const tested = names.map((name) => compareMetric(name, base.metrics[name], current.metrics[name], threshold));
  const worseOk = holm(
    tested.map((t) => t.pWorse),
    alpha,
  );
  const betterOk = holm(
    tested.map((t) => t.pBetter),
    alpha,
  );
  const family = tested.filter((t) => t.pWorse !== null).length;
  const rows: CompareRow[] = tested.map((t, i) => {
    const row = t.row;
    if (t.pWorse === null || t.pBetter === null) return row;
    if (t.worse) row.status = worseOk[i] ? 'regression' : 'noise';
    else if (t.better) row.status = betterOk[i] ? 'improvement' : 'noise';
    else row.status = 'ok';
    return row;
  });
  const warnings: string[] = [];
  if (base.options && current.options && base.options.quick !== current.options.quick)
    warnings.push(
      `comparing a ${current.options.quick ? '--quick' : 'full'} run against a ${base.options.quick ? '--quick' : 'full'} baseline: scenario durations differ`,
    );
  if (base.options && current.options && (base.options.scale ?? 1) !== (current.options.scale ?? 1))
    warnings.push(`different IVSIM_BENCH_SCALE: baseline ${base.options.scale}, current ${current.options.scale}`);
  if (base.machine && current.machine) {
    if (base.machine.cpuModel !== current.machine.cpuModel || base.machine.cores !== current.machine.cores)
      warnings.push(
        `different machines: baseline "${base.machine.cpuModel}" × ${base.machine.cores}, current "${current.machine.cpuModel}" × ${current.machine.cores}`,
      );
    if (base.machine.node !== current.machine.node)
      warnings.push(`different Node versions: baseline ${base.machine.node}, current ${current.machine.node}`);
  }
  // Holm's first step needs p ≤ α / (tests in the family); samples too few to ever get there can flag nothing.
  const blind = tested.filter((t) => t.pWorse !== null && minimumP(t.row.nBase, t.row.nCurrent) > alpha / family);
  if (blind.length > 0) {
    const r = blind[0].row;
    warnings.push(
      `${blind.length} gated metric(s) have too few samples (e.g. ${r.name}: ${r.nBase} vs ${r.nCurrent}) for the rank test to reach α/${family} = ${+(alpha / family).toPrecision(2)}; they cannot be flagged (use more --repeats)`,
    );
  }
  return {
    threshold,
    alpha,
    rows,
    regressions: rows.filter((r) => r.status === 'regression'),
    improvements: rows.filter((r) => r.status === 'improvement'),
    warnings,
  };
}

interface Tested {
  row: CompareRow;
  /** One-sided p-values of "current is worse" / "current is better"; null when the metric is not tested. */
  pWorse: number | null;
  pBetter: number | null;
  /** The medians differ by more than the threshold, in that direction. */
  worse: boolean;
  better: boolean;
}

function compareMetric(
  name: string,
  b: Comparable['metrics'][string] | undefined,
  c: Comparable['metrics'][string] | undefined,
  threshold: number,
): Tested {
  const m = c ?? b;
  const bs = b ? (b.samples ?? [b.value]) : [];
  const cs = c ? (c.samples ?? [c.value]) : [];
  const row: CompareRow = {
    name,
    unit: m?.unit ?? '',
    kind: m?.kind ?? null,
    base: b ? b.value : null,
    current: c ? c.value : null,
    ratio: null,
    p: null,
    nBase: bs.length,
    nCurrent: cs.length,
    status: 'info',
  };
  const untested = { row, pWorse: null, pBetter: null, worse: false, better: false };
  if (!b) return { ...untested, row: { ...row, status: 'only-in-current' } };
  if (!c) return { ...untested, row: { ...row, status: 'only-in-base' } };
  if (!Number.isFinite(b.value) || !Number.isFinite(c.value) || b.value <= 0) return untested;
  const ratio = c.value / b.value;
  row.ratio = ratio;
  if (!GATED_KINDS.includes(c.kind)) return untested;
  // "worse" is smaller for higher-is-better metrics, larger for lower-is-better ones.
  const pWorse = c.better === 'higher' ? mannWhitneyLess(cs, bs) : mannWhitneyLess(bs, cs);
  const pBetter = c.better === 'higher' ? mannWhitneyLess(bs, cs) : mannWhitneyLess(cs, bs);
  const goodness = c.better === 'higher' ? ratio : 1 / ratio;
  row.p = goodness < 1 ? pWorse : pBetter;
  return {
    row,
    pWorse,
    pBetter,
    worse: c.better === 'higher' ? ratio < 1 - threshold : ratio > 1 + threshold,
    better: goodness > 1 + threshold,
  };
}

/**
 * Holm–Bonferroni step-down at family-wise level α over the non-null p-values: the i-th smallest (0-based) is
 * rejected while p ≤ α / (m − i), and every later one once one is not. Returns, per input, whether it is rejected.
 */
export function holm(ps: readonly (number | null)[], alpha: number): boolean[] {
  const idx = ps.flatMap((p, i) => (p === null ? [] : [i])).sort((a, b) => (ps[a] as number) - (ps[b] as number));
  const out = ps.map(() => false);
  for (let k = 0; k < idx.length; k++) {
    if ((ps[idx[k]] as number) > alpha / (idx.length - k)) break;
    out[idx[k]] = true;
  }
  return out;
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

/** Parses `--alpha`, the significance level of the rank test: "0.05". */
export function parseAlpha(text: string): number {
  const a = /^\s*(0?\.\d+)\s*$/.test(text) ? Number(text) : Number.NaN;
  if (!(a > 0 && a < 0.5)) throw new BenchInputError(`--alpha: expected a probability in (0, 0.5), got "${text}"`);
  return a;
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
  if ((OLD_REPORT_SCHEMAS as readonly unknown[]).includes(o.schema))
    throw new BenchInputError(
      `${source}.schema: "${o.schema}" is the old format (one value per metric, no samples to test); save the baseline again with this version (${REPORT_SCHEMA})`,
    );
  if (o.schema !== REPORT_SCHEMA)
    throw new BenchInputError(`${source}.schema: expected "${REPORT_SCHEMA}", got ${JSON.stringify(o.schema)}`);
  if (typeof o.metrics !== 'object' || o.metrics === null || Array.isArray(o.metrics))
    throw new BenchInputError(`${source}.metrics: expected an object of metrics`);
  for (const [k, v] of Object.entries(o.metrics as Record<string, unknown>)) {
    const m = v as Partial<Metric> | null;
    if (typeof m !== 'object' || m === null) throw new BenchInputError(`${source}.metrics.${k}: expected an object`);
    if (typeof m.value !== 'number') throw new BenchInputError(`${source}.metrics.${k}.value: expected a number`);
    if (!Array.isArray(m.samples) || m.samples.length === 0 || !m.samples.every((x) => typeof x === 'number'))
      throw new BenchInputError(`${source}.metrics.${k}.samples: expected a non-empty list of numbers`);
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
  noise: 'within noise',
  info: '',
  'only-in-base': 'only in baseline',
  'only-in-current': 'new',
};

/** p-values as people read them: two significant digits, and "<0.001" below that. */
const fmtP = (p: number | null) => (p === null ? '—' : p < 0.001 ? '<0.001' : p.toPrecision(2));

/** A printable table of the comparison. Metrics present only in the baseline (sections not run) are summarised. */
export function formatCompare(r: CompareResult, fmt: (v: number, unit: string) => string): string {
  const shown = r.rows.filter((x) => x.status !== 'only-in-base');
  const cells = shown.map((x) => [
    x.name,
    x.base === null ? '—' : fmt(x.base, x.unit),
    x.current === null ? '—' : fmt(x.current, x.unit),
    x.ratio === null ? '—' : x.ratio.toFixed(3),
    `${x.nBase}/${x.nCurrent}`,
    fmtP(x.p),
    x.kind === 'ratio' && x.status === 'info' ? '(not gated)' : STATUS_MARK[x.status],
  ]);
  const head = ['metric', 'baseline (median)', 'current (median)', 'ratio', 'n', 'p', 'status'];
  const last = head.length - 1;
  const w = head.map((h, i) => Math.max(h.length, ...cells.map((c) => c[i].length)));
  const line = (c: string[]) =>
    c
      .map((v, i) => (i === 0 || i === last ? v.padEnd(w[i]) : v.padStart(w[i])))
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
  const noisy = r.rows.filter((x) => x.status === 'noise').length;
  lines.push(
    r.regressions.length > 0
      ? `${r.regressions.length} regression(s) worse than ${pct} (Holm, α = ${r.alpha}): ${r.regressions.map((x) => x.name).join(', ')}`
      : `no regression worse than ${pct} (Holm, α = ${r.alpha}) (${r.improvements.length} improved${noisy ? `, ${noisy} beyond ${pct} but within noise` : ''})`,
  );
  return lines.join('\n');
}
