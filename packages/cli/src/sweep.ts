// `ivsim sweep <scenario>`: the list-register sweep of an ARM scenario (`--lrs 1,2,4,8,16`, core lrSweep: maintenance
// exits and delivery latency per LR count and scheme), or the interrupt-moderation sweep of a scenario with a NAPI NIC
// (`--intervals 0,10us,50us,adaptive`, core moderationSweep: interrupts, packet latency and CPU per ITR setting), or —
// for a scenario with a `sweep:` block — the general sweep over any field paths, whole or one part of it
// (param-sweep.ts; `ivsim merge` puts parts back together).

import {
  checkLrCounts,
  DEFAULT_MODERATION_POINTS,
  type LrSweepResult,
  lrSweep,
  type ModerationPoint,
  type ModerationSweepResult,
  moderationSweep,
  parseTimeNs,
  ScenarioError,
} from '@ivsim/core';
import type { Command } from 'commander';
import { columns } from './columns.ts';
import { checkResources } from './guard.ts';
import { fileArg } from './output.ts';
import { type ParamSweepFlags, runMerge, runParamSweep } from './param-sweep.ts';
import { renderReport, sweepReportData } from './report.ts';
import { collectSet, resolveScenarioInput, SET_HELP } from './resolve.ts';
import { prepareSweepOutputs } from './sweep-output.ts';

/** Parses "1,2,4,8,16"; a bad entry is a ScenarioError naming it (exit 2). */
export function parseLrList(v: string): number[] {
  const parts = v.split(',').map((x) => x.trim());
  const lrs = parts.map((x) => (/^\d+$/.test(x) ? Number(x) : Number.NaN));
  const bad = lrs.findIndex((n) => Number.isNaN(n));
  if (bad >= 0)
    throw new ScenarioError(`--lrs: expected a comma-separated list of integers 1..16, got "${parts[bad]}"`);
  checkLrCounts(lrs);
  return lrs;
}

/** Parses "0,10us,50us,adaptive" (times with a unit or ns); a bad entry is a ScenarioError naming it (exit 2). */
export function parseIntervals(v: string): ModerationPoint[] {
  const parts = v.split(',').map((x) => x.trim());
  return parts.map((x, i) => {
    if (x === 'adaptive') return 'adaptive';
    const ns = /^\d+$/.test(x) ? Number(x) : parseTimeNs(x);
    if (ns === undefined || !Number.isFinite(ns) || ns < 0)
      throw new ScenarioError(`--intervals[${i}]: expected a time such as 10us (or 0, or adaptive), got "${x}"`);
    return ns;
  });
}

export function formatModerationSweep(r: ModerationSweepResult): string {
  const head = [
    'ITR',
    'scheme',
    'irqs/s',
    'irqs/pkt',
    'pkt p50 µs',
    'pkt p99 µs',
    'exits/s',
    'dropped',
    'vs bare metal',
    ...(r.points.some((p) => p.throughputRelativeToBareMetal !== null) ? ['throughput vs bm'] : []),
  ];
  const us = (ns: number) => (ns / 1000).toFixed(2);
  const rows = r.points.map((p) => [
    p.moderation === 'adaptive' ? 'adaptive' : p.moderation === 0 ? 'off' : `${us(p.moderation)}µs`,
    p.scheme,
    String(p.deviceInterruptsPerSecond),
    p.interruptsPerPacket.toFixed(3),
    us(p.packetLatencyNs.p50),
    us(p.packetLatencyNs.p99),
    String(p.exitsPerSecond),
    String(p.dropped),
    `${(p.relativeToBareMetal * 100).toFixed(1)}%`,
    ...(p.throughputRelativeToBareMetal !== null ? [`${(p.throughputRelativeToBareMetal * 100).toFixed(1)}%`] : []),
  ]);
  const { line, rule } = columns(head, rows, 2);
  return [
    `${r.scenario}: seed ${r.seed}, interrupt-moderation sweep (NAPI devices)`,
    line(head),
    rule,
    ...rows.map(line),
    'ITR: minimum interval between two interrupts of a queue (adaptive: ixgbevf_set_itr); irqs/s: interrupts the NAPI',
    "queues raised; pkt: arrival in the RX ring → processed; vs bare metal: the guest's own work at the same ITR setting.",
  ].join('\n');
}

export function formatSweep(r: LrSweepResult): string {
  const head = [
    'LRs',
    'scheme',
    'maint exits/s',
    'exits/s',
    'dlv+pend mean µs',
    'dlv+pend p99 µs',
    'dlv p50 µs',
    'pending',
    'oldest µs',
    'vs bare metal',
    '',
  ];
  const us = (ns: number) => (ns / 1000).toFixed(2);
  const rows = r.points.map((p) => [
    String(p.listRegs),
    p.scheme,
    String(p.maintenancePerSecond),
    String(p.exitsPerSecond),
    us(p.deliveryWithPendingNs.mean),
    us(p.deliveryWithPendingNs.p99),
    us(p.deliveryNs.p50),
    String(p.pending.count),
    us(p.pending.oldestAgeNs),
    `${(p.relativeToBareMetal * 100).toFixed(1)}%`,
    p.pending.starved ? 'STARVED' : '',
  ]);
  const { line, rule } = columns(head, rows, 2, true);
  const out = [
    `${r.scenario}: seed ${r.seed}, list-register sweep`,
    line(head),
    rule,
    ...rows.map(line),
    'dlv+pend: delivery latency with each interrupt still pending at the end counted at its age (a lower bound);',
    "STARVED: an interrupt waited longer than the host's scheduling explains (DESIGN §12): nothing was delivering it.",
  ];
  return out.join('\n');
}

type SweepFlags = ParamSweepFlags & {
  lrs?: string;
  intervals?: string;
  seed?: number;
  json?: string;
  report?: string;
  force?: boolean;
  set: string[];
};

/** Runs a sweep once its resources are checked, writing it as every sweep is (sweep-output.ts). */
function emitSweep<R extends LrSweepResult | ModerationSweepResult>(
  o: SweepFlags,
  sweep: () => R,
  kind: 'lr' | 'moderation',
  format: (r: R) => string,
): void {
  const emit = prepareSweepOutputs<R>(o, {
    report: (r) => renderReport(sweepReportData(r, kind)),
    table: format,
    conserved: (r) => r.points.every((p) => p.conserved),
  });
  emit(sweep());
}

export function addSweepCommand(
  program: Command,
  intArg: (name: string, min: number, max?: number) => (v: string) => number,
) {
  program
    .command('sweep')
    .description(
      'run a scenario once per point of its sweep: block (any fields; --index/--count: one part of it), or once per ' +
        'list-register count (ARM: maintenance exits, delivery latency) or interrupt-moderation setting (a NAPI NIC)',
    )
    .argument('<scenario>', 'built-in scenario name (e.g. arm-lr-pressure, moderation-sweep) or a YAML/JSON file')
    .option('--lrs <list>', 'list-register counts, comma-separated, each 1..16 (default 1,2,4,8,16)')
    .option(
      '--intervals <list>',
      'moderation settings, comma-separated: times (0 = off) or adaptive (default 0,2us,10us,20us,50us,84us,125us,adaptive)',
    )
    .option('--seed <n>', 'override the scenario seed', intArg('--seed', 0))
    .option(
      '--json <file>',
      'write the sweep results JSON to this file (checked first, written atomically; - = standard output)',
      fileArg('--json'),
    )
    .option('--csv <file>', 'sweep: block only: one CSV row per point × scheme (- = standard output)', fileArg('--csv'))
    .option(
      '--index <i>',
      'sweep: block only: run part i of --count (point k runs in part k mod count); default JOB_COMPLETION_INDEX ' +
        'or SLURM_ARRAY_TASK_ID',
      intArg('--index', 0),
    )
    .option(
      '--count <n>',
      'sweep: block only: the number of parts (default SLURM_ARRAY_TASK_COUNT)',
      intArg('--count', 1, 10_000),
    )
    .option(
      '--report <file.html>',
      'write a self-contained HTML report: each metric against the setting (a sweep: block: the first axis)',
      fileArg('--report'),
    )
    .option('--force', 'run even when the estimated time or memory exceeds this machine')
    .option('--set <path=value>', SET_HELP, collectSet, [])
    .action((arg: string, o: SweepFlags) => {
      if (o.lrs !== undefined && o.intervals !== undefined)
        throw new ScenarioError('--lrs and --intervals: choose one sweep');
      const fixed = o.lrs !== undefined ? '--lrs' : o.intervals !== undefined ? '--intervals' : null;
      // --seed is one more override of the base, so an axis over `seed` still wins.
      const sets = o.seed !== undefined ? [...o.set, `seed=${o.seed}`] : o.set;
      const { input, scenario } = resolveScenarioInput(arg, sets);
      if (scenario.sweep !== undefined) {
        if (fixed) throw new ScenarioError(`${fixed}: this scenario has a sweep: block; run it without ${fixed}`);
        return runParamSweep(input, o);
      }
      for (const [flag, v] of [
        ['--csv', o.csv],
        ['--index', o.index],
        ['--count', o.count],
      ] as const)
        if (v !== undefined) throw new ScenarioError(`${flag}: only for a scenario with a sweep: block`);
      const s = scenario;
      const napi = s.devices.some((d) => d.napi !== undefined);
      if (o.intervals !== undefined || (o.lrs === undefined && napi)) {
        const points = o.intervals !== undefined ? parseIntervals(o.intervals) : [...DEFAULT_MODERATION_POINTS];
        const schemes = s.schemes.includes('bare-metal') ? s.schemes.length : s.schemes.length + 1;
        checkResources(s, { runs: schemes * points.length, shards: 1, cores: 1, force: o.force === true });
        return emitSweep(o, () => moderationSweep(s, points), 'moderation', formatModerationSweep);
      }
      const lrs = parseLrList(o.lrs ?? '1,2,4,8,16');
      const gic = s.schemes.filter((id) => id !== 'bare-metal').length;
      // In-process, one thread: bare-metal once, then every GIC scheme once per LR count.
      checkResources(s, { runs: 1 + gic * lrs.length, shards: 1, cores: 1, force: o.force === true });
      emitSweep(o, () => lrSweep(s, lrs), 'lr', formatSweep);
    });
}

export function addMergeCommand(program: Command) {
  program
    .command('merge')
    .description(
      'merge the part files of one sweep (ivsim sweep F --index I --count N --json F) into the whole sweep: the ' +
        'same bytes as the unsplit sweep outside engine; exit 2 when parts are missing, duplicated or of another sweep',
    )
    .argument('<parts...>', 'part files (JSON)')
    .option('--json <file>', 'write the merged sweep JSON (- = standard output)', fileArg('--json'))
    .option('--csv <file>', 'write one CSV row per point × scheme (- = standard output)', fileArg('--csv'))
    .option(
      '--report <file.html>',
      'write a self-contained HTML report: each metric against the first axis',
      fileArg('--report'),
    )
    .action((files: string[], o: { json?: string; csv?: string; report?: string }) => runMerge(files, o));
}
