// The validation suite's vocabulary (docs/VALIDATION.md): a case compares one simulated figure with a published
// (or analytic) one and says, before it runs, what it expects and what it assumes.

/** Confidence of the source, as in docs/costs.md §1: verified, secondary, unverified; `analytic` = exact theory. */
export type SourceTag = 'V' | 'S' | 'U' | 'analytic';

/**
 * `prediction`: the figure was used to derive nothing the run depends on, so a pass is evidence.
 * `derivation`: a preset entry was derived from this very figure (docs/costs.md names which): a pass shows the
 * engine charges the path the derivation assumed — consistency, not evidence.
 */
export type CaseKind = 'prediction' | 'derivation';

export interface Expected {
  /** The published value the error is measured against (omitted for a pure range or an ordering). */
  target?: number;
  /** Bounds of a pass (±Infinity for an open side), inclusive unless `strict` (an ordering: equal is a miss). */
  lo: number;
  hi: number;
  strict?: boolean;
  /** How the expectation reads in the table, e.g. "1,556 ±5 %", "> 1 (ordering)". */
  text: string;
  /**
   * How the error column is computed: `relative` (simulated / target − 1, in %), `points` (simulated − target,
   * both already in %, printed as percentage points), `none` (no error column: an ordering or a bound).
   */
  error: 'relative' | 'points' | 'none';
}

export interface RunContext {
  /** The CI small form: shorter virtual durations, the same cases. */
  quick: boolean;
}

/** A supplementary table a case can return (the first-order law's rate sweep). */
export interface DetailTable {
  title: string;
  header: string[];
  rows: string[][];
}

export interface CaseOutcome {
  /** The simulated value, in the case's unit. */
  value: number;
  /** One short line of what else was measured (shown in the table's last column). */
  detail?: string;
  tables?: DetailTable[];
}

export interface ValidationCase {
  /** Unique, dotted: `<group>.<what>`, e.g. `dall.x86.virq-completion`. */
  id: string;
  /** One file per group under validate/; `--case <group>` selects a group. */
  group: string;
  /** `short` goes in the table ("Dall ISCA’16 T.II"), `citation` in the notes and the JSON. */
  source: { citation: string; short: string; tag: SourceTag };
  /** What is compared, in one line: the simulated quantity and its definition. */
  compares: string;
  unit: string;
  expected: Expected;
  kind: CaseKind;
  /** Assumptions stated before the run (figures not published, and why they are what they are). */
  note?: string;
  /**
   * Set when the case is known to miss with the current model: the likely cause. The case still runs and still
   * fails the suite (exit 1); the CI test checks that it still misses, so the documentation stays true.
   */
  knownMiss?: string;
  run(ctx: RunContext): CaseOutcome;
}

export type Verdict = 'PASS' | 'MISS' | 'ERROR';

export interface CaseResult {
  id: string;
  group: string;
  kind: CaseKind;
  source: string;
  sourceShort: string;
  tag: SourceTag;
  compares: string;
  unit: string;
  expected: string;
  target: number | null;
  lo: number | null;
  hi: number | null;
  simulated: number | null;
  /** Relative error in % or a difference in points, per Expected.error; null when there is none. */
  error: number | null;
  errorUnit: '%' | 'points' | null;
  verdict: Verdict;
  detail: string;
  note: string | null;
  knownMiss: string | null;
  /** Set on ERROR: the exception's message. */
  message: string | null;
  tables: DetailTable[];
}

/** `lo ≤ value ≤ hi` with a target and a symmetric relative tolerance (0.05 = ±5 %). */
export function relTolerance(target: number, tol: number, text?: string): Expected {
  const pct = +(tol * 100).toFixed(2);
  return {
    target,
    lo: target * (1 - tol),
    hi: target * (1 + tol),
    text: text ?? `${fmtNum(target)} ±${pct} %`,
    error: 'relative',
  };
}

/** A target in percent with a tolerance in percentage points. */
export function pointsTolerance(targetPct: number, points: number): Expected {
  return {
    target: targetPct,
    lo: targetPct - points,
    hi: targetPct + points,
    text: `${fmtNum(targetPct)} % ±${points} pts`,
    error: 'points',
  };
}

/** A bound (inclusive) or, with `strict`, an ordering (equal is a miss); no target, no error column. */
export function bound(lo: number, hi: number, text: string, strict = false): Expected {
  return { lo, hi, text, error: 'none', strict };
}

/** Whether `v` lies within the expected range. */
export function within(e: Expected, v: number): boolean {
  return e.strict ? v > e.lo && v < e.hi : v >= e.lo && v <= e.hi;
}

/** 1,556 / 71.0 / 0.224: thousands separators above 1,000, 3 significant digits below. */
export function fmtNum(v: number): string {
  if (!Number.isFinite(v)) return String(v);
  if (v < 0) return `−${fmtNum(-v)}`;
  const a = v;
  if (a >= 1000) return Math.round(v).toLocaleString('en-US');
  if (a >= 100) return v.toFixed(0);
  if (a >= 10) return v.toFixed(1);
  if (a >= 1) return v.toFixed(2);
  if (a === 0) return '0';
  return v.toPrecision(3);
}
