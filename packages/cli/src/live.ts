// `ivsim live <scenario>`: the scenario's interrupt sources driven by real threads into posted-interrupt descriptors
// (x86) or ICH_LR list registers (ARM) in shared memory and, alternating in the same threads, into plain SPSC rings
// (the baseline), for --seconds of wall time each (docs/live.md); one table row and one audit line per structure, the
// drive and the machine's load stated. Progress line on stderr; Ctrl-C / SIGTERM stop the run within a second and
// still print what was measured (exit 130 / 143); a failed thread or a failed audit is exit 1.

import { writeFileSync } from 'node:fs';
import { type Scenario, ScenarioError } from '@ivsim/core';
import { type LiveProgress, type LiveResults, LiveRun, livePlan } from '@ivsim/workers';
import type { Command } from 'commander';
import { columns } from './columns.ts';
import { resolveScenario } from './resolve.ts';

interface LiveCliOptions {
  seconds: string;
  threads?: string;
  rate?: string;
  rateScale?: string;
  saturate?: boolean;
  churn?: string;
  json?: string;
  progress: boolean;
}

const num = (flag: string, v: string | undefined, min: number, int: boolean): number | undefined => {
  if (v === undefined) return undefined;
  const n = Number(v);
  if (!Number.isFinite(n) || n < min || (int && !Number.isInteger(n)))
    throw new ScenarioError(`${flag}: expected ${int ? 'an integer' : 'a number'} ≥ ${min}, got "${v}"`);
  return n;
};

export function addLiveCommand(program: Command): void {
  program
    .command('live')
    .description('run the delivery structures live on real threads (wall clock) and audit them')
    .argument('<scenario>', 'built-in scenario name or a YAML/JSON file (arch x86: PI descriptors; arm: ICH_LRs)')
    .option(
      '--seconds <s>',
      "wall-clock seconds per structure (the scenario's and the SPSC baseline, alternating)",
      '5',
    )
    .option('--threads <n>', 'threads in all: ⌊n/2⌋ posters, the rest run vCPUs (default: one per core, ≥ 2)')
    .option(
      '--rate <r>',
      'paced: total offered interrupts per second (the arrival processes scaled to it); default: as fast as delivered',
    )
    .option(
      '--rate-scale <k>',
      "multiply every arrival rate of the scenario (paced; --rate-scale 1 = the scenario's own rates)",
    )
    .option('--saturate', 'post back to back, whatever is still pending (posts of pending vectors coalesce)')
    .option(
      '--churn <us>',
      'x86: SN toggling (deschedule / reload) and NV switching (forced blocks) every ~us µs while posts go on',
    )
    .option('--json <file>', 'write the results JSON to this file')
    .option('--no-progress', 'no progress line on stderr')
    .action(async (arg: string, o: LiveCliOptions) => {
      const s = resolveScenario(arg);
      const seconds = num('--seconds', o.seconds, 0.001, false) as number;
      const threads = num('--threads', o.threads, 2, true);
      if (threads !== undefined && threads > 64) throw new ScenarioError(`--threads: at most 64, got ${threads}`);
      let rateScale = num('--rate-scale', o.rateScale, 1e-9, false);
      const churnUs = num('--churn', o.churn, 1, false);
      if (churnUs !== undefined && s.arch !== 'x86')
        throw new ScenarioError('--churn: SN/NV churn is defined for x86 (posted-interrupt descriptors) only');
      if (rateScale !== undefined && o.saturate)
        throw new ScenarioError('--rate-scale: give one of --rate, --rate-scale or --saturate');
      const rate = num('--rate', o.rate, 1, false);
      if (rate !== undefined) {
        if (rateScale !== undefined || o.saturate)
          throw new ScenarioError('--rate: give one of --rate, --rate-scale or --saturate');
        const offered = livePlan(s, 2, 1).sources.reduce((a, x) => a + 1e9 / x.meanNs, 0);
        if (!(offered > 0)) throw new ScenarioError('--rate: the scenario has no device raising interrupts');
        rateScale = rate / offered;
      }
      process.exitCode = await runLiveCli(s, {
        seconds,
        threads,
        rateScale,
        saturate: o.saturate,
        churnUs,
        json: o.json,
        progress: o.progress,
      });
    });
}

export async function runLiveCli(
  s: Scenario,
  o: {
    seconds: number;
    threads?: number;
    rateScale?: number;
    saturate?: boolean;
    churnUs?: number;
    json?: string;
    progress: boolean;
  },
): Promise<number> {
  const tty = process.stderr.isTTY === true;
  let shown = false;
  const run = new LiveRun(s, {
    seconds: o.seconds,
    threads: o.threads,
    rateScale: o.rateScale,
    drive: o.saturate ? 'saturate' : o.rateScale !== undefined ? 'paced' : 'max',
    churnUs: o.churnUs,
    onProgress: o.progress
      ? (p) => {
          const line = progressLine(p);
          process.stderr.write(tty ? `\r${line}\x1b[K` : `${line}\n`);
          shown = true;
        }
      : undefined,
  });
  const signals: Record<string, number> = { SIGINT: 130, SIGTERM: 143 };
  let signalled = 0;
  const handlers = Object.keys(signals).map((sig) => {
    const h = () => {
      signalled = signals[sig];
      run.stop(sig);
    };
    process.on(sig, h);
    return [sig, h] as const;
  });
  try {
    const r = await run.run();
    if (shown && tty) process.stderr.write('\n');
    if (o.json) writeFileSync(o.json, `${JSON.stringify(r, null, 2)}\n`);
    console.log(formatLive(r));
    if (r.schemes.some((x) => !x.conservation.ok)) {
      console.error('error: live audit failed (lost, stranded or duplicated interrupts, or a checker verdict)');
      return 1;
    }
    return signalled || 0;
  } finally {
    for (const [sig, h] of handlers) process.off(sig, h);
  }
}

/** One progress line: where the run is, and each structure's delivered/s so far. */
export function progressLine(p: LiveProgress): string {
  const per = p.structures
    .map((x) => `${x.structure} ${fmt(x.seconds > 0 ? x.delivered / x.seconds : 0)} delivered/s`)
    .join('  ');
  return `live ${p.elapsedSeconds.toFixed(1)}/${p.totalSeconds}s  segment ${p.segment}/${p.segments} (${p.structure})  ${per}${p.violations ? `  ${p.violations} VIOLATIONS` : ''}`;
}

const fmt = (n: number): string =>
  n >= 1e6 ? `${(n / 1e6).toFixed(2)}M` : n >= 1e3 ? `${(n / 1e3).toFixed(1)}k` : `${Math.round(n)}`;

const DRIVE_TEXT: Record<LiveResults['live']['drive'], (l: LiveResults['live']) => string> = {
  max: () =>
    'as fast as delivered — each source raises its next interrupt once the structure has taken its previous one (one in flight per source, nothing coalesces); --rate / --rate-scale pace it instead',
  paced: (l) =>
    `paced at the scenario's arrival processes × ${+l.rateScale.toPrecision(4)}, offered ${fmt(l.offeredPerSecond)}/s`,
  saturate: (l) =>
    `saturated — posters post back to back (a post of a pending vector coalesces), one clock read per ${l.batch} rounds`,
};

export function formatLive(r: LiveResults): string {
  const l = r.live;
  const mc = l.machine;
  const lines = [
    `${r.scenario} live — ${r.engine.threads.posters} poster + ${r.engine.threads.vcpus} vCPU thread(s) on ${r.engine.cores} cores, ${l.vcpus} vCPUs, ${l.sources} sources; ${l.seconds}s per structure in ${l.segments} alternating segments (A B B A, the same threads), ${r.engine.wallSeconds}s wall`,
    `  load: ${DRIVE_TEXT[l.drive](l)}${l.churnUs ? `; SN/NV churn every ~${l.churnUs} µs` : ''}`,
    `  machine: ${mc.busyCores} of ${mc.cores} cores busy on average (this run ${mc.runCores}, other processes ${mc.otherCores}); load average ${mc.loadAverage1m.start} → ${mc.loadAverage1m.end}`,
  ];
  const head = [
    'structure',
    'protocol',
    'raised/s',
    'delivered/s',
    'coalesced',
    'p50 ns',
    'p99 ns',
    'p99.9 ns',
    'max ns',
  ];
  const rows = r.schemes.map((x) => {
    const d = x.latencyNs.delivery;
    return [
      x.live.structure,
      x.scheme,
      fmt(x.live.raisedPerSecond),
      fmt(x.live.deliveredPerSecond),
      x.interrupts.raised ? `${((100 * x.interrupts.coalesced) / x.interrupts.raised).toFixed(1)}%` : '-',
      `${Math.round(d.p50)}`,
      `${Math.round(d.p99)}`,
      `${Math.round(d.p999)}`,
      `${Math.round(d.max)}`,
    ];
  });
  const cols = columns(head, rows, 2);
  const line = (cells: string[]) => `  ${cols.line(cells)}`;
  lines.push(line(head), ...rows.map(line));
  lines.push(
    '  raised/s = interrupts raised by the devices (coalesced ones included); delivered/s = handler entries; PI notification batched by ON (one per harvest, whatever the posts it covers); one clock read per poster pass (max: per pass that posts)',
  );
  for (const x of r.schemes) {
    const i = x.interrupts;
    const v = x.live.violations;
    const n = (k: number) => k.toLocaleString('en-US');
    lines.push(
      `  ${x.live.structure} audit: ${x.conservation.ok ? 'ok' : 'FAILED'} — raised ${n(i.raised)} = delivered ${n(i.delivered)} + coalesced ${n(i.coalesced)} + pending ${n(i.pending)}; verdicts ${v.verdicts}, stranded ${v.stranded}, lost ${v.lost}, duplicated ${v.duplicated}; notifications ${n(x.live.notifications)}, wake-ups ${n(x.live.wakeups)}, blocks ${n(x.live.blocks)}${x.live.posterWaits ? `, poster waits ${n(x.live.posterWaits)}` : ''}${x.live.snToggles ? `, SN toggles ${n(x.live.snToggles)}` : ''}`,
    );
  }
  if (l.stoppedBy !== 'time')
    lines.push(
      `  stopped by ${l.stoppedBy} after ${l.segments} segment(s)${r.schemes.length < 2 && l.structures.length < 2 && !l.closedLoop ? ' (before the SPSC baseline ran)' : ''}`,
    );
  return lines.join('\n');
}
