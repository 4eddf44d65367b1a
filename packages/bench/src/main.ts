#!/usr/bin/env node
// `pnpm bench`: the benchmark suite and regression tracking (DESIGN §5 CLI `ivsim bench [--save F] [--compare F]`).
// In one process, in this order: micro-benchmarks of hot paths (tinybench), the ring benchmark (ring-bench.ts),
// scenario benchmarks (x86-compare in-thread, fleet on 1 and 2 shards), and peak RSS of fleet at D and 10·D (fresh
// child processes). Options in args.ts. Exit status: 0 ok, 1 regression (--compare) or failed run, 2 bad input.
//
// Reference figures for this 2-core machine class come from docs/machine-limits.md (§ numbers below).

import { readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { BUILTIN_SCENARIOS, IVSIM_VERSION, simulate } from '@ivsim/core';
import { type BenchArgs, parseBenchArgs, type Section, USAGE } from './args.ts';
import {
  BenchInputError,
  type BenchReport,
  compareExitStatus,
  compareReports,
  formatCompare,
  type Metric,
  parseReport,
  REPORT_SCHEMA,
} from './compare.ts';
import { fmtValue, si, table } from './format.ts';
import { machineInfo } from './machine.ts';
import { runMicro } from './micro.ts';
import { profileRun, topSelfTime } from './profile.ts';
import { RSS_D_NS, RSS_SHARDS, runRss } from './rss.ts';
import { runScenarios, SCENARIO_DURATIONS } from './scenario-bench.ts';

const REPO_ROOT = fileURLToPath(new URL('../../../', import.meta.url));

/** Durations (virtual ns) of the profiled runs: long enough for a stable profile, short enough to be cheap. */
export const PROFILE_DURATIONS = { full: { x86Compare: 250e6, fleet: 40e6 }, quick: { x86Compare: 50e6, fleet: 10e6 } };

export interface BenchIo {
  /** The readable report (stderr when --json owns stdout). */
  log: (s: string) => void;
  /** Machine-readable output (stdout). */
  out: (s: string) => void;
  err: (s: string) => void;
}

const defaultIo = (json: boolean): BenchIo => ({
  log: (s) => (json ? process.stderr : process.stdout).write(`${s}\n`),
  out: (s) => process.stdout.write(`${s}\n`),
  err: (s) => process.stderr.write(`${s}\n`),
});

/** Runs the suite with these command-line arguments; resolves with the exit status. */
export async function runBench(argv: string[], ioOverride?: Partial<BenchIo>): Promise<number> {
  let args: BenchArgs;
  let baseline: BenchReport | null = null;
  const errIo = { ...defaultIo(false), ...ioOverride };
  try {
    args = parseBenchArgs(argv);
    if (args.compare !== null) baseline = loadBaseline(args.compare);
  } catch (e) {
    if (e instanceof BenchInputError) {
      errIo.err(`error: ${e.message}`);
      return 2;
    }
    throw e;
  }
  if (args.help) {
    errIo.out(USAGE);
    return 0;
  }
  const io = { ...defaultIo(args.json), ...ioOverride };
  try {
    return await suite(args, baseline, io);
  } catch (e) {
    // One line, no stack trace: a failed run is exit 1 with its message (IVSIM_DEBUG=1 shows the stack).
    io.err(`error: ${e instanceof Error ? (process.env.IVSIM_DEBUG ? (e.stack ?? e.message) : e.message) : String(e)}`);
    return 1;
  }
}

function loadBaseline(file: string): BenchReport {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (e) {
    throw new BenchInputError(`--compare: cannot read ${file} (${(e as NodeJS.ErrnoException).code ?? String(e)})`);
  }
  return parseReport(text, file);
}

async function suite(args: BenchArgs, baseline: BenchReport | null, io: BenchIo): Promise<number> {
  const machine = machineInfo();
  const mode = args.quick ? 'quick' : 'full';
  io.log(`ivsim ${IVSIM_VERSION} bench (${mode}): ${args.sections.join(', ')}${args.profile ? ', profile' : ''}`);
  io.log(
    `machine: ${machine.cpuModel} × ${machine.cores} cores, Node ${machine.node}, ${machine.platform}-${machine.arch}; ` +
      `load average ${machine.loadAvgAtStart} at start${machine.loadAvgAtStart > 0.5 ? ' (other processes are competing for the cores: expect noise; ratios are more robust)' : ''}`,
  );
  io.log(`commit: ${machine.gitCommit ?? 'unknown'}   date: ${machine.date}`);

  const metrics: Record<string, Metric> = {};
  const details: Record<string, unknown> = {};
  let failed = false;
  const t0 = performance.now();
  const runners: Record<Section, () => Promise<void>> = {
    micro: async () => {
      io.log(`\n== micro: hot paths (tinybench, ${args.quick ? '200' : '1000'} ms per task; rates per operation) ==`);
      const r = await runMicro({ quick: args.quick, log: io.log });
      Object.assign(metrics, r.metrics);
      details.micro = r.details;
      io.log(
        table(
          ['benchmark', 'ops/s', 'ns/op', 'p50 ns/op', '±rme', 'samples', 'reference (limits.md)'],
          Object.values(r.details).map((d) => [
            d.label,
            si(d.opsPerSec),
            d.nsPerOp >= 1e5 ? `${(d.nsPerOp / 1e6).toFixed(2)} ms` : d.nsPerOp.toFixed(1),
            d.p50NsPerOp >= 1e5 ? `${(d.p50NsPerOp / 1e6).toFixed(2)} ms` : d.p50NsPerOp.toFixed(1),
            `${d.rmePct.toFixed(1)}%`,
            String(d.samples),
            d.ref,
          ]),
        ),
      );
    },
    ring: async () => {
      io.log('\n== ring: 2 worker threads, main idle; median [min–max] of the repetitions (ring-bench.ts) ==');
      // Loaded on demand: ring-bench.ts imports ringbuf.js, a devDependency, which other sections do not need.
      const { runRing } = await import('./ring-section.ts');
      const r = await runRing({ quick: args.quick, log: io.log });
      Object.assign(metrics, r.metrics);
      details.ring = r.details;
    },
    scenario: async () => {
      const d = args.quick ? SCENARIO_DURATIONS.quick : SCENARIO_DURATIONS.full;
      io.log(
        `\n== scenario: x86-compare via simulate() (${d.x86Compare ? `${d.x86Compare / 1e6} ms` : 'default duration'}), ` +
          `fleet via ParallelRun 1 and 2 shards (${d.fleet ? `${d.fleet / 1e6} ms` : 'default duration'}) ==`,
      );
      const r = await runScenarios({ quick: args.quick, log: io.log });
      Object.assign(metrics, r.metrics);
      details.scenario = r.details;
      if (!r.details.fleetIdenticalAcrossShards) {
        io.err('error: fleet results differ between 1 and 2 shards (DESIGN §4 determinism contract)');
        failed = true;
      }
    },
    rss: async () => {
      const D = args.quick ? RSS_D_NS.quick : RSS_D_NS.full;
      io.log(`\n== rss: peak RSS of fleet, ${RSS_SHARDS} shards, D = ${D / 1e6} ms and 10·D, fresh process each ==`);
      const r = await runRss({ quick: args.quick, log: io.log });
      Object.assign(metrics, r.metrics);
      details.rss = r.details;
    },
  };
  for (const s of args.sections) await runners[s]();
  details.suiteWallSeconds = Math.round(performance.now() - t0) / 1000;

  if (args.profile) await profile(args, io, details);

  const report: BenchReport = {
    schema: REPORT_SCHEMA,
    ivsim: IVSIM_VERSION,
    machine,
    options: { quick: args.quick, sections: args.sections },
    metrics,
    details,
  };
  const json = `${JSON.stringify(report, null, 2)}\n`;
  if (args.save !== null) {
    writeFileSync(args.save, json);
    io.log(`\nsaved ${Object.keys(metrics).length} metrics to ${args.save}`);
  }
  if (args.json) io.out(json.trimEnd());

  let status: number = failed ? 1 : 0;
  if (baseline) {
    io.log(`\n== compare with ${args.compare} (threshold ${+(args.threshold * 100).toFixed(2)}%) ==`);
    const cmp = compareReports(baseline, report, args.threshold);
    io.log(formatCompare(cmp, fmtValue));
    status = Math.max(status, compareExitStatus(cmp));
  }
  io.log(`\nsuite wall time ${(details.suiteWallSeconds as number).toFixed(1)} s`);
  return status;
}

async function profile(args: BenchArgs, io: BenchIo, details: Record<string, unknown>): Promise<void> {
  const d = args.quick ? PROFILE_DURATIONS.quick : PROFILE_DURATIONS.full;
  const jobs = [
    { name: 'x86-compare', durationNs: d.x86Compare },
    { name: 'fleet', durationNs: d.fleet },
  ];
  const out: Record<string, unknown> = {};
  for (const j of jobs) {
    const file = resolve(join(args.profileDir, `bench-${j.name}.cpuprofile`));
    io.log(
      `\n== profile: ${j.name}, ${j.durationNs / 1e6} ms virtual, simulate() in this thread (1 shard) → ${file} ==`,
    );
    const p = await profileRun(file, () => {
      simulate({ ...BUILTIN_SCENARIOS[j.name], duration: j.durationNs });
    });
    const top = topSelfTime(p, 15, REPO_ROOT);
    io.log(
      table(
        ['self ms', 'self %', 'function'],
        top.map((t) => [t.selfMs.toFixed(0), `${t.pct.toFixed(1)}%`, t.name]),
      ),
    );
    out[j.name] = { file, durationNs: j.durationNs, top };
  }
  details.profile = out;
}

const isMain = process.argv[1] !== undefined && import.meta.url === pathToFileURL(resolve(process.argv[1])).href;
if (isMain) {
  const code = await runBench(process.argv.slice(2));
  // Let stdout drain (a large --json report piped to another process) before exiting.
  process.stdout.write('', () => process.exit(code));
}
