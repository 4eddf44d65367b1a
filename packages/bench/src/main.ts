#!/usr/bin/env node
// `pnpm bench`: the benchmark suite and regression tracking (DESIGN §5 CLI `ivsim bench [--save F] [--compare F]`).
// In one process, in this order: micro-benchmarks of hot paths (tinybench), the ring benchmark (ring-bench.ts),
// scenario benchmarks (x86-compare in-thread, fleet on 1 and 2 shards), and peak RSS of fleet at D and 10·D (fresh
// child processes). Options in args.ts. Exit status: 0 ok, 1 regression (--compare, --base) or failed run, 2 bad
// input. `--base REV` hands over to base.ts; `--profile` targets are resolved in profile-targets.ts.
//
// Reference figures for this 2-core machine class come from docs/machine-limits.md (§ numbers below).

import { readFileSync, realpathSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { IVSIM_VERSION, simulate } from '@ivsim/core';
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
import { defaultProfileTargets, type ProfileTarget, resolveProfileTargets } from './profile-targets.ts';
import { RSS_SHARDS, rssD, runRss } from './rss.ts';
import { runScenarios, scenarioDurations } from './scenario-bench.ts';
import { SourceMapper } from './source-map.ts';

const REPO_ROOT = fileURLToPath(new URL('../../../', import.meta.url));

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
  let targets: ProfileTarget[] = [];
  const errIo = { ...defaultIo(false), ...ioOverride };
  try {
    args = parseBenchArgs(argv);
    if (args.compare !== null) baseline = loadBaseline(args.compare);
    // Scenario files are read and validated before anything runs: a bad one is bad input (exit 2).
    if (args.profile)
      targets =
        args.profileScenarios.length > 0
          ? resolveProfileTargets(args.profileScenarios, args.scale)
          : defaultProfileTargets(args.quick, args.scale);
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
    if (args.base !== null) {
      // Loaded on demand: only --base needs git and child processes.
      const { runAgainstBase } = await import('./base.ts');
      return await runAgainstBase(args, io);
    }
    return await suite(args, baseline, targets, io);
  } catch (e) {
    if (e instanceof BenchInputError) {
      io.err(`error: ${e.message}`);
      return 2;
    }
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

async function suite(
  args: BenchArgs,
  baseline: BenchReport | null,
  targets: ProfileTarget[],
  io: BenchIo,
): Promise<number> {
  const machine = machineInfo();
  const mode = `${args.quick ? 'quick' : 'full'}${args.scale !== 1 ? `, IVSIM_BENCH_SCALE ${args.scale}` : ''}`;
  const what = [...args.sections, ...(args.profile ? [`profile ${targets.map((t) => t.name).join(', ')}`] : [])];
  io.log(`ivsim ${IVSIM_VERSION} bench (${mode}; ${args.repeats} samples per metric): ${what.join(', ')}`);
  io.log(
    `machine: ${machine.cpuModel} × ${machine.cores} cores, Node ${machine.node}, ${machine.platform}-${machine.arch}; ` +
      `load average ${machine.loadAvgAtStart} at start${machine.loadAvgAtStart > 0.5 ? ' (other processes are competing for the cores: expect noise; ratios are more robust)' : ''}`,
  );
  io.log(`commit: ${machine.gitCommit ?? 'unknown'}   date: ${machine.date}`);

  const metrics: Record<string, Metric> = {};
  const details: Record<string, unknown> = {};
  let failed = false;
  const t0 = performance.now();
  const opts = { quick: args.quick, repeats: args.repeats, scale: args.scale, log: io.log };
  const runners: Record<Section, () => Promise<void>> = {
    micro: async () => {
      io.log(
        `\n== micro: hot paths (tinybench, ${(args.quick ? 200 : 1000) * args.scale} ms per task in ${args.repeats} rounds; rates per operation at the median call) ==`,
      );
      const r = await runMicro(opts);
      Object.assign(metrics, r.metrics);
      details.micro = r.details;
      io.log(
        table(
          ['benchmark', 'ops/s', 'ns/op', 'p50 ns/op', '±rme', 'calls', 'reference (limits.md)'],
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
      const r = await runRing(opts);
      Object.assign(metrics, r.metrics);
      details.ring = r.details;
    },
    scenario: async () => {
      const d = scenarioDurations(args);
      io.log(
        `\n== scenario: x86-compare via simulate() (${d.x86Compare / 1e6} ms), ` +
          `fleet via ParallelRun 1 and 2 shards (${d.fleet / 1e6} ms), ${args.repeats} runs each ==`,
      );
      const r = await runScenarios(opts);
      Object.assign(metrics, r.metrics);
      details.scenario = r.details;
      if (!r.details.fleetIdenticalAcrossShards) {
        io.err('error: fleet results differ between 1 and 2 shards (DESIGN §4 determinism contract)');
        failed = true;
      }
    },
    rss: async () => {
      const D = rssD(args);
      io.log(
        `\n== rss: peak RSS of fleet, ${RSS_SHARDS} shards, D = ${D / 1e6} ms and 10·D, ${args.repeats} pairs, fresh process each ==`,
      );
      const r = await runRss(opts);
      Object.assign(metrics, r.metrics);
      details.rss = r.details;
    },
  };
  for (const s of args.sections) await runners[s]();
  details.suiteWallSeconds = Math.round(performance.now() - t0) / 1000;

  if (args.profile) await profile(targets, args.profileDir, io, details);

  const report: BenchReport = {
    schema: REPORT_SCHEMA,
    ivsim: IVSIM_VERSION,
    machine,
    options: { quick: args.quick, sections: args.sections, repeats: args.repeats, scale: args.scale },
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
    io.log(
      `\n== compare with ${args.compare} (threshold ${+(args.threshold * 100).toFixed(2)}%, one-sided Mann–Whitney at α = ${args.alpha}) ==`,
    );
    const cmp = compareReports(baseline, report, args.threshold, args.alpha);
    io.log(formatCompare(cmp, fmtValue));
    status = Math.max(status, compareExitStatus(cmp));
  }
  io.log(`\nsuite wall time ${(details.suiteWallSeconds as number).toFixed(1)} s`);
  return status;
}

async function profile(
  targets: ProfileTarget[],
  dir: string,
  io: BenchIo,
  details: Record<string, unknown>,
): Promise<void> {
  const mapper = new SourceMapper();
  const out: Record<string, unknown> = {};
  for (const t of targets) {
    const file = resolve(join(dir, `bench-${t.name}.cpuprofile`));
    io.log(
      `\n== profile: ${t.name}, ${t.durationNs / 1e6} ms virtual, simulate() in this thread (1 shard) → ${file} ==`,
    );
    const p = await profileRun(file, () => {
      simulate(t.input, { durationNs: t.durationNs });
    });
    const top = topSelfTime(p, 15, REPO_ROOT, mapper);
    io.log(
      table(
        ['self ms', 'self %', 'function (source-mapped to .ts)'],
        top.map((x) => [x.selfMs.toFixed(0), `${x.pct.toFixed(1)}%`, x.name]),
      ),
    );
    out[t.name] = { file, durationNs: t.durationNs, top };
  }
  details.profile = out;
}

// Real paths on both sides: started through a symlink (a linked checkout, a bin link), argv[1] is the link and
// import.meta.url the file, and a plain URL compare would make the bench print nothing and exit 0.
const isMain = process.argv[1] !== undefined && realFile(process.argv[1]) === realFile(fileURLToPath(import.meta.url));
if (isMain) {
  const code = await runBench(process.argv.slice(2));
  // Let stdout drain (a large --json report piped to another process) before exiting.
  process.stdout.write('', () => process.exit(code));
}

function realFile(p: string): string {
  try {
    return realpathSync(resolve(p));
  } catch {
    return resolve(p);
  }
}
