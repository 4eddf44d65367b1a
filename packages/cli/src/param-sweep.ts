// `ivsim sweep F` for a scenario with a `sweep:` block, and `ivsim merge parts/*.json` (DESIGN §11 "Sweeps"): every
// point validated before anything runs, output paths checked first, then the part's points run on this thread in
// index order; JSON (the whole sweep, or a part file with its point indices and the sweep's fingerprint), CSV, an
// HTML report (sweep-report.ts) and a table of each point × scheme.

import { readFileSync } from 'node:fs';
import {
  estimateRun,
  mergeSweepParts,
  partPoints,
  runSweepPoints,
  ScenarioError,
  type SweepResult,
  sweepPoints,
} from '@ivsim/core';
import { schemePlan } from '@ivsim/core/internal';
import { columns } from './columns.ts';
import { checkResources } from './guard.ts';
import { renderReport } from './report.ts';
import { sweepCsv } from './sweep-csv.ts';
import { prepareSweepOutputs, type SweepWriters } from './sweep-output.ts';
import { choosePart } from './sweep-part.ts';
import { paramSweepReportData } from './sweep-report.ts';

export interface ParamSweepFlags {
  json?: string;
  csv?: string;
  report?: string;
  index?: number;
  count?: number;
  force?: boolean;
}

const cellOf = (v: unknown) => (typeof v === 'string' ? v : JSON.stringify(v));

/** One row per point × scheme: the axis values, delivery and completion latency, exits, interrupts, CPU. */
export function formatParamSweep(r: SweepResult): string {
  const head = [
    'point',
    ...r.axes.map((a) => a.path),
    'scheme',
    'dlv p50 µs',
    'dlv p99 µs',
    'cmp p99 µs',
    'exits/s',
    'coalesced',
    'pending',
    'vs bare metal',
  ];
  const us = (ns: number) => (ns / 1000).toFixed(2);
  const rows = r.points.flatMap((p) =>
    p.schemes.map((s) => [
      String(p.index),
      ...r.axes.map((a) => cellOf(p.values[a.path])),
      s.scheme,
      us(s.latencyNs.delivery.p50),
      us(s.latencyNs.delivery.p99),
      us(s.latencyNs.completion.p99),
      String(s.exits.perSecond),
      String(s.interrupts.coalesced),
      String(s.interrupts.pending),
      `${(s.cpu.relativeToBareMetal * 100).toFixed(1)}%`,
    ]),
  );
  const { line, rule } = columns(head, rows, r.axes.length + 2);
  const part = r.part ? `, part ${r.part.index} of ${r.part.count} (${r.points.length} points)` : '';
  return [
    `${r.scenario}: sweep of ${r.pointCount} points over ${r.axes.map((a) => a.path).join(' × ')}${part}`,
    line(head),
    rule,
    ...rows.map(line),
    'dlv: raise → handler entry; cmp: raise → EOI done; vs bare metal: the guest’s own work against bare metal at the same point.',
  ].join('\n');
}

/** The writers of a general sweep's result (sweep-output.ts). */
const PARAM_SWEEP_WRITERS: SweepWriters<SweepResult> = {
  csv: sweepCsv,
  report: (r) => renderReport(paramSweepReportData(r)),
  table: formatParamSweep,
  conserved: (r) => r.points.every((p) => p.schemes.every((s) => s.conservation.ok)),
};

/** Runs the sweep block of a scenario input (the --set overrides applied), or this process's part of it. */
export function runParamSweep(input: unknown, o: ParamSweepFlags, env: NodeJS.ProcessEnv = process.env): void {
  const plan = sweepPoints(input);
  const part = choosePart(o, env);
  const points = part ? partPoints(plan.points, part.index, part.count) : plan.points;
  if (part && part.from !== '--index')
    console.error(
      `sweep: part ${part.index} of ${part.count} (from ${part.from}): ${points.length} of ${plan.points.length} points`,
    );
  // The guard sees the heaviest point as often as the part has runs (an upper bound of the part's work).
  if (points.length > 0) {
    let heaviest = points[0].scenario;
    let most = -1;
    let runs = 0;
    for (const p of points) {
      const n = schemePlan(p.scenario).run.length;
      runs += n;
      const ev = estimateRun(p.scenario, n).events;
      if (ev > most) [heaviest, most] = [p.scenario, ev];
    }
    checkResources(heaviest, { runs, shards: 1, cores: 1, force: o.force === true });
  }
  const emit = prepareSweepOutputs(o, PARAM_SWEEP_WRITERS);
  emit(runSweepPoints(plan, points, part ? { part } : {}));
}

/** `ivsim merge parts/*.json`: reads every part (a bad file names itself, exit 2), merges, writes like a sweep. */
export function runMerge(files: readonly string[], o: { json?: string; csv?: string; report?: string }): void {
  const emit = prepareSweepOutputs(o, PARAM_SWEEP_WRITERS);
  const parts = files.map((name) => {
    let text: string;
    try {
      text = readFileSync(name, 'utf8');
    } catch (e) {
      throw new ScenarioError(`${name}: cannot read part file (${(e as NodeJS.ErrnoException).code ?? 'error'})`);
    }
    try {
      return { name, json: JSON.parse(text) as unknown };
    } catch (e) {
      throw new ScenarioError(`${name}: not valid JSON (${(e as Error).message.split('\n')[0]})`);
    }
  });
  emit(mergeSweepParts(parts));
}
