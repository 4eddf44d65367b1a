// `ivsim compare old.json new.json` (one run per side) or `ivsim compare --old a1.json a2.json --new b1.json b2.json`
// (seeds as replicas): per scheme, delivery and completion p50/p99/p99.9, exits/s and % of bare metal, old → new, each
// change with a verdict — significant only when it exceeds both the values' resolution and the runs' noise
// (significance.ts; docs/REPORTS.md says why these tests).

import { readFileSync } from 'node:fs';
import { decodeHistogram, type Results, ScenarioError, type SchemeResult } from '@ivsim/core';
import type { Command } from 'commander';
import { columns } from './columns.ts';
import { fileArg, prepareOutput } from './output.ts';
import {
  latencyResolutionNs,
  pairedTest,
  percentileSe,
  type Test,
  type Verdict,
  verdicts,
  welchTest,
  zTest,
} from './significance.ts';

export interface Metric {
  key: string;
  label: string;
  /** A latency percentile (kind, percentile) or a scalar read from a scheme result. */
  latency?: { kind: 'delivery' | 'completion'; percentile: number; field: 'p50' | 'p99' | 'p999' };
  scalar?: (s: SchemeResult) => number;
  resolution: (v: number) => number;
  format: (v: number) => string;
}

const us = (ns: number) => (ns / 1000).toFixed(2);
const lat = (kind: 'delivery' | 'completion', field: 'p50' | 'p99' | 'p999', percentile: number): Metric => ({
  key: `${kind}.${field}`,
  label: `${kind === 'delivery' ? 'dlv' : 'cmpl'} ${field === 'p999' ? 'p99.9' : field} µs`,
  latency: { kind, percentile, field },
  resolution: latencyResolutionNs,
  format: us,
});

export const METRICS: Metric[] = [
  lat('delivery', 'p50', 50),
  lat('delivery', 'p99', 99),
  lat('delivery', 'p999', 99.9),
  lat('completion', 'p50', 50),
  lat('completion', 'p99', 99),
  lat('completion', 'p999', 99.9),
  {
    key: 'exits.perSecond',
    label: 'exits/s',
    scalar: (s) => s.exits.perSecond,
    resolution: () => 1, // an integer
    format: (v) => String(Math.round(v)),
  },
  {
    key: 'cpu.relativeToBareMetal',
    label: 'vs bare metal',
    scalar: (s) => s.cpu.relativeToBareMetal,
    resolution: () => 1e-6, // rounded to 6 decimals in the results
    format: (v) => `${(v * 100).toFixed(2)}%`,
  },
];

export interface CompareRow {
  scheme: string;
  metric: string;
  label: string;
  old: number;
  new: number;
  change: number;
  p: number | null;
  verdict: Verdict;
}

export interface Comparison {
  /** single: one run per side; replicas: Welch; paired: the same seeds on both sides, paired by seed. */
  mode: 'single' | 'replicas' | 'paired';
  alpha: number;
  old: { files: string[]; scenario: string; seeds: number[] };
  new: { files: string[]; scenario: string; seeds: number[] };
  rows: CompareRow[];
  /** Schemes present on one side only. */
  unmatched: string[];
  significant: number;
}

/** Reads a results JSON; anything else is bad input (exit 2) naming the file. */
export function readResults(file: string): Results {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (e) {
    throw new ScenarioError(`${file}: cannot read (${(e as NodeJS.ErrnoException).code ?? 'error'})`);
  }
  let r: unknown;
  try {
    r = JSON.parse(text);
  } catch (e) {
    throw new ScenarioError(`${file}: not JSON (${(e as Error).message})`);
  }
  const o = r as Partial<Results> | null;
  if (o === null || typeof o !== 'object' || typeof o.ivsim !== 'string' || !Array.isArray(o.schemes))
    throw new ScenarioError(`${file}: not an ivsim results file (\`ivsim run … --json F\`): no "ivsim" and "schemes"`);
  for (const [i, s] of o.schemes.entries())
    if (typeof s?.histograms?.delivery !== 'string' || typeof s?.histograms?.completion !== 'string')
      throw new ScenarioError(`${file}: schemes[${i}].histograms: expected the delivery and completion histograms`);
  return o as Results;
}

function side(files: string[], runs: Results[], name: string) {
  const scenarios = [...new Set(runs.map((r) => r.scenario))];
  if (scenarios.length > 1)
    throw new ScenarioError(`${name}: replicas must be runs of one scenario, got ${scenarios.join(', ')}`);
  const seeds = runs.map((r) => r.seed);
  const dup = seeds.find((s, i) => seeds.indexOf(s) !== i);
  if (runs.length > 1 && dup !== undefined)
    throw new ScenarioError(`${name}: seed ${dup} appears twice; replicas are runs with different seeds`);
  return { files, scenario: scenarios[0], seeds };
}

type Decoded = { totalCount: number; getValueAtPercentile(p: number): number };

export function compareResults(
  oldFiles: string[],
  oldRuns: Results[],
  newFiles: string[],
  newRuns: Results[],
  alpha = 0.05,
): Comparison {
  if (oldRuns.length === 0 || newRuns.length === 0) throw new ScenarioError('compare: give runs on both sides');
  const replicas = oldRuns.length > 1 && newRuns.length > 1;
  if (!replicas && (oldRuns.length > 1 || newRuns.length > 1))
    throw new ScenarioError('compare: with replicas, give at least 2 runs on each side (--old … --new …)');
  const o = side(oldFiles, oldRuns, '--old');
  const n = side(newFiles, newRuns, '--new');
  const paired =
    replicas && o.seeds.length === n.seeds.length && [...o.seeds].sort().join() === [...n.seeds].sort().join();
  // Paired: new runs in the order of the old runs' seeds.
  const newOrdered = paired ? o.seeds.map((seed) => newRuns.find((r) => r.seed === seed) as Results) : newRuns;
  const schemesOf = (runs: Results[]) => runs[0].schemes.map((s) => s.scheme);
  for (const runs of [oldRuns, newRuns])
    for (const r of runs)
      if (schemesOf([r]).join() !== schemesOf(runs).join())
        throw new ScenarioError(`compare: replicas of one side must report the same schemes`);
  const oldSchemes = new Set(schemesOf(oldRuns));
  const newSchemes = new Set(schemesOf(newRuns));
  const common = [...oldSchemes].filter((s) => newSchemes.has(s));
  const unmatched = [...new Set([...oldSchemes, ...newSchemes])].filter((s) => !common.includes(s));
  const decoded = new Map<string, Decoded>(); // by the base64 text
  const histogram = (b64: string): Decoded => {
    let h = decoded.get(b64);
    if (h === undefined) {
      h = decodeHistogram(b64);
      decoded.set(b64, h);
    }
    return h;
  };
  const rows: Omit<CompareRow, 'verdict'>[] = [];
  const tests: Test[] = [];
  const equal: boolean[] = [];
  for (const scheme of common) {
    const os = oldRuns.map((r) => r.schemes.find((s) => s.scheme === scheme) as SchemeResult);
    const ns = newOrdered.map((r) => r.schemes.find((s) => s.scheme === scheme) as SchemeResult);
    for (const m of METRICS) {
      // Bare metal is the reference: its exits (none) and its share of itself (100 %) cannot change.
      if (scheme === 'bare-metal' && m.scalar) continue;
      const value = (s: SchemeResult) => (m.latency ? s.latencyNs[m.latency.kind][m.latency.field] : m.scalar!(s));
      const a = os.map(value);
      const b = ns.map(value);
      const ma = a.reduce((x, y) => x + y, 0) / a.length;
      const mb = b.reduce((x, y) => x + y, 0) / b.length;
      let p: number | null;
      if (paired) p = pairedTest(a, b);
      else if (replicas) p = welchTest(a, b);
      else if (m.latency) {
        const L = m.latency;
        const ha = histogram(os[0].histograms[L.kind]);
        const hb = histogram(ns[0].histograms[L.kind]);
        p = zTest(ma, percentileSe(ha, L.percentile), mb, percentileSe(hb, L.percentile));
      } else p = null;
      const resolved = Math.abs(mb - ma) > m.resolution(ma) + m.resolution(mb);
      tests.push({ p, resolved });
      equal.push(mb === ma);
      rows.push({
        scheme,
        metric: m.key,
        label: m.label,
        old: ma,
        new: mb,
        change: ma !== 0 ? (mb - ma) / ma : mb === 0 ? 0 : Number.POSITIVE_INFINITY,
        p,
      });
    }
  }
  const v = verdicts(tests, alpha, equal);
  const out = rows.map((r, i) => ({ ...r, verdict: v[i] }));
  return {
    mode: paired ? 'paired' : replicas ? 'replicas' : 'single',
    alpha,
    old: o,
    new: n,
    rows: out,
    unmatched,
    significant: out.filter((r) => r.verdict === 'significant').length,
  };
}

const pctChange = (x: number) =>
  Number.isFinite(x) ? `${x >= 0 ? '+' : ''}${(x * 100).toFixed(x !== 0 && Math.abs(x) < 0.001 ? 3 : 1)}%` : 'new';

export function formatComparison(c: Comparison): string {
  const sideLine = (s: Comparison['old']) =>
    `${s.files.join(' ')} (${s.scenario}, seed${s.seeds.length > 1 ? 's' : ''} ${s.seeds.join(', ')})`;
  const head = ['scheme', 'metric', 'old', 'new', 'change', 'p', 'verdict'];
  const fmt = (key: string) => METRICS.find((m) => m.key === key)!.format;
  const rows = c.rows.map((r) => [
    r.scheme,
    r.label,
    fmt(r.metric)(r.old),
    fmt(r.metric)(r.new),
    pctChange(r.change),
    r.p === null ? '–' : r.p < 1e-4 ? '<1e-4' : r.p.toFixed(4),
    r.verdict === 'significant' ? 'SIGNIFICANT' : r.verdict,
  ]);
  const { line, rule } = columns(head, rows, 2, true);
  const tested = c.rows.filter((r) => r.p !== null).length;
  const untested = c.rows.filter((r) => r.verdict === 'untested').length;
  const method =
    c.mode === 'paired'
      ? `noise: paired t-test on the per-seed differences (${c.old.seeds.length} seeds on both sides)`
      : c.mode === 'replicas'
        ? `noise: Welch's t-test on the replicas (${c.old.seeds.length} vs ${c.new.seeds.length} seeds)`
        : 'noise: order-statistic confidence intervals of each percentile (one run per side)';
  const out = [
    `old: ${sideLine(c.old)}`,
    `new: ${sideLine(c.new)}`,
    `${method}; Holm–Bonferroni over ${tested} tests, family-wise α = ${c.alpha}`,
    line(head),
    rule,
    ...c.rows.map((_r, i) => line(rows[i])),
  ];
  if (c.unmatched.length > 0) out.push(`not on both sides (not compared): ${c.unmatched.join(', ')}`);
  if (c.old.scenario !== c.new.scenario)
    out.push(`note: different scenarios (${c.old.scenario} → ${c.new.scenario}); schemes matched by id`);
  out.push(
    'significant = the change exceeds the values’ resolution (3 significant digits, twice) and the noise at α;',
    'within noise = resolved but not significant; untested = no noise estimate from one run (give seeds as replicas:',
    '--old a1.json a2.json --new b1.json b2.json). docs/REPORTS.md.',
  );
  const summary =
    c.significant > 0
      ? `verdict: ${c.significant} significant change${c.significant > 1 ? 's' : ''} (${c.rows
          .filter((r) => r.verdict === 'significant')
          .map((r) => `${r.scheme} ${r.label} ${pctChange(r.change)}`)
          .join('; ')})`
      : `verdict: no significant change${untested > 0 ? ` (${untested} untested: one run per side)` : ''}`;
  out.push(summary);
  return out.join('\n');
}

export function addCompareCommand(program: Command): void {
  program
    .command('compare')
    .description(
      'compare two results files (or seeds as replicas: --old … --new …) scheme by scheme, with a significance verdict',
    )
    .argument('[files...]', 'old.json new.json (one run per side)')
    .option('--old <files...>', 'replicas of the old side (results of different seeds)')
    .option('--new <files...>', 'replicas of the new side')
    .option('--alpha <a>', 'family-wise significance level (default 0.05)', (v) => {
      const a = Number(v);
      if (!(a > 0 && a < 1)) throw new ScenarioError(`--alpha: expected a number between 0 and 1, got "${v}"`);
      return a;
    })
    .option('--fail-on-change', 'exit 1 when any change is significant')
    .option(
      '--json <file>',
      'also write the comparison (every row: old, new, change, p, verdict) as JSON; - = stdout (table to stderr)',
      fileArg('--json'),
    )
    .action(
      (
        files: string[],
        o: { old?: string[]; new?: string[]; alpha?: number; failOnChange?: boolean; json?: string },
      ) => {
        let oldFiles: string[];
        let newFiles: string[];
        if (o.old || o.new) {
          if (files.length > 0 || !o.old || !o.new)
            throw new ScenarioError('compare: give either old.json new.json, or --old FILES… --new FILES…');
          oldFiles = o.old;
          newFiles = o.new;
        } else {
          if (files.length !== 2)
            throw new ScenarioError(`compare: expected two results files (old new), got ${files.length}`);
          oldFiles = [files[0]];
          newFiles = [files[1]];
        }
        // Checked before reading the inputs, as `run` does: a bad output path fails first, with exit 2.
        const write = o.json ? prepareOutput('--json', o.json) : null;
        const c = compareResults(oldFiles, oldFiles.map(readResults), newFiles, newFiles.map(readResults), o.alpha);
        (o.json === '-' ? console.error : console.log)(formatComparison(c));
        write?.(`${JSON.stringify(c, null, 2)}\n`);
        if (o.failOnChange && c.significant > 0) process.exitCode = 1;
      },
    );
}
