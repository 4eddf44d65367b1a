// `ivsim sweep <scenario> --lrs 1,2,4,8,16`: the list-register sweep of an ARM scenario (core lrSweep), printed as a
// table of maintenance exits and delivery latency per LR count and scheme.

import { checkLrCounts, type LrSweepResult, lrSweep, ScenarioError, withOverrides } from '@ivsim/core';
import type { Command } from 'commander';
import { columns } from './columns.ts';
import { checkResources } from './guard.ts';
import { fileArg, prepareOutput } from './output.ts';
import { resolveScenario } from './resolve.ts';

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

export function addSweepCommand(
  program: Command,
  intArg: (name: string, min: number, max?: number) => (v: string) => number,
) {
  program
    .command('sweep')
    .description('run an ARM scenario once per list-register count (maintenance exits and delivery latency)')
    .argument('<scenario>', 'built-in scenario name (e.g. arm-lr-pressure) or a YAML/JSON file')
    .option('--lrs <list>', 'list-register counts, comma-separated, each 1..16', '1,2,4,8,16')
    .option('--seed <n>', 'override the scenario seed', intArg('--seed', 0))
    .option(
      '--json <file>',
      'write the sweep results JSON to this file (checked first, written atomically)',
      fileArg('--json'),
    )
    .option('--force', 'run even when the estimated time or memory exceeds this machine')
    .action((arg: string, o: { lrs: string; seed?: number; json?: string; force?: boolean }) => {
      const lrs = parseLrList(o.lrs);
      const s = withOverrides(resolveScenario(arg), { seed: o.seed });
      const gic = s.schemes.filter((id) => id !== 'bare-metal').length;
      // In-process, one thread: bare-metal once, then every GIC scheme once per LR count.
      checkResources(s, { runs: 1 + gic * lrs.length, shards: 1, cores: 1, force: o.force === true });
      const write = o.json ? prepareOutput('--json', o.json) : null;
      const r = lrSweep(s, lrs);
      write?.(`${JSON.stringify(r, null, 2)}\n`);
      console.log(formatSweep(r));
      if (r.points.some((p) => !p.conserved)) {
        console.error('error: conservation violated (raised ≠ delivered + coalesced + pending)');
        process.exitCode = 1;
      }
    });
}
