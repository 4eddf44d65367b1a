// Scenario benchmarks: whole runs, measured in simulated interrupts (and events) per wall-clock second, each run one
// sample (`repeats` runs per metric).
// - x86-compare single-threaded through simulate() (the calling thread, no workers);
// - fleet through ParallelRun with 1 and 2 shards in the same process, in pairs of alternating order (1 2, 2 1, 1 2,
//   …: A B B A), and the 2-vs-1 speed-up of each pair (limits.md §0: sharding over 2 cores gives about 1.7–1.9×; our
//   goal is ≥ 1.8×).
// Both fleet runs must produce identical results outside `engine` (DESIGN §4); the bench checks it for free.

import { BUILTIN_SCENARIOS, type Results, type ScenarioInput, simulate } from '@ivsim/core';
import { ParallelRun } from '@ivsim/workers';
import { type Metric, metric } from './compare.ts';

/** Virtual ns per run (before IVSIM_BENCH_SCALE). Full fleet runs are a quarter of the built-in's 200 ms, so that
 * five repetitions on each shard count take about 40 s on this machine class. */
export const SCENARIO_DURATIONS = {
  full: { x86Compare: 250e6, fleet: 50e6 },
  quick: { x86Compare: 50e6, fleet: 10e6 },
};

export interface ScenarioRunDetail {
  scenario: string;
  runner: string;
  shards: number;
  durationNs: number;
  wallSeconds: number;
  events: number;
  simulatedInterrupts: number;
  interruptsPerSecond: number;
  eventsPerSecond: number;
}

export interface ScenarioResult {
  metrics: Record<string, Metric>;
  details: { runs: ScenarioRunDetail[]; fleetSpeedup2v1: number; fleetIdenticalAcrossShards: boolean };
}

export interface ScenarioBenchOptions {
  quick: boolean;
  repeats: number;
  scale: number;
  log: (s: string) => void;
}

/** The durations of this run: the mode's, scaled (whole ns, at least 1 µs). */
export function scenarioDurations(o: Pick<ScenarioBenchOptions, 'quick' | 'scale'>) {
  const d = o.quick ? SCENARIO_DURATIONS.quick : SCENARIO_DURATIONS.full;
  const sc = (ns: number) => Math.max(1000, Math.round(ns * o.scale));
  return { x86Compare: sc(d.x86Compare), fleet: sc(d.fleet) };
}

/** A builtin scenario with an optional virtual-duration override (ns). */
export function builtin(name: string, durationNs?: number): ScenarioInput {
  const s = BUILTIN_SCENARIOS[name];
  if (!s) throw new Error(`no built-in scenario "${name}"`);
  return durationNs === undefined ? s : { ...s, duration: durationNs };
}

function detail(r: Results, runner: string): ScenarioRunDetail {
  const e = r.engine;
  return {
    scenario: r.scenario,
    runner,
    shards: e.shards,
    durationNs: r.durationNs,
    wallSeconds: e.wallSeconds,
    events: e.events,
    simulatedInterrupts: e.simulatedInterrupts,
    interruptsPerSecond: e.simulatedInterrupts / e.wallSeconds,
    eventsPerSecond: e.events / e.wallSeconds,
  };
}

/** Results without the wall-clock part, for the determinism check. */
const modelPart = (r: Results) => JSON.stringify({ ...r, engine: undefined });

export async function runScenarios(opts: ScenarioBenchOptions): Promise<ScenarioResult> {
  const d = scenarioDurations(opts);
  const runs: ScenarioRunDetail[] = [];
  const show = (x: ScenarioRunDetail) =>
    opts.log(
      `  ${`${x.scenario} ${x.runner}`.padEnd(34)} ${(x.durationNs / 1e6).toFixed(1).padStart(6)} ms virtual  ` +
        `${x.wallSeconds.toFixed(2).padStart(6)} s wall  ${fmtRate(x.interruptsPerSecond)} interrupts/s  ` +
        `${fmtRate(x.eventsPerSecond)} events/s`,
    );

  // One discarded run first: the first in a process includes JIT warm-up (measured 3× slower on a loaded host),
  // which would make one sample of each side an outlier for a reason that has nothing to do with the code.
  simulate(builtin('x86-compare', d.x86Compare));
  const x86: ScenarioRunDetail[] = [];
  for (let k = 0; k < opts.repeats; k++) {
    const x = detail(simulate(builtin('x86-compare', d.x86Compare)), 'simulate() in-thread');
    x86.push(x);
    show(x);
  }

  // Pairs in alternating order (1 2, 2 1, …): a host whose speed drifts during the bench (shared VMs do) affects
  // both shard counts alike, so the ratio stays meaningful.
  const fleetRuns: Results[] = [];
  const one: ScenarioRunDetail[] = [];
  const two: ScenarioRunDetail[] = [];
  for (let k = 0; k < opts.repeats; k++)
    for (const shards of k % 2 === 0 ? [1, 2] : [2, 1]) {
      const r = await new ParallelRun(builtin('fleet', d.fleet), { shards, durationNs: d.fleet }).run();
      fleetRuns.push(r);
      const x = detail(r, `ParallelRun ${shards} shard${shards > 1 ? 's' : ''}`);
      (shards === 1 ? one : two).push(x);
      show(x);
    }
  runs.push(...x86, ...one, ...two);
  const speedups = one.map((x, k) => two[k].interruptsPerSecond / x.interruptsPerSecond);
  const identical = fleetRuns.every((r) => modelPart(r) === modelPart(fleetRuns[0]));
  const speedup = metric(speedups, '×', 'higher', 'ratio', 'goal ≥ 1.8×; 1.7–1.9× (§0, §2.7)');
  opts.log(
    `  fleet 2 vs 1 shards: ${speedup.value.toFixed(2)}× (median of ${speedups.length} pairs; goal ≥ 1.8×; limits.md §0/§2.7: 1.7–1.9× on 2 cores)` +
      `  results identical across shard counts: ${identical ? 'yes' : 'NO'}`,
  );

  const tp = (xs: ScenarioRunDetail[], key: 'interruptsPerSecond' | 'eventsPerSecond', ref?: string): Metric =>
    metric(
      xs.map((x) => x[key]),
      key === 'eventsPerSecond' ? 'events/s' : 'interrupts/s',
      'higher',
      'throughput',
      ref,
    );
  const desRef = 'DES ceiling ~8M events/s/thread before handler cost (§0)';
  const metrics: Record<string, Metric> = {
    'scenario.x86-compare.interruptsPerSec': tp(x86, 'interruptsPerSecond'),
    'scenario.x86-compare.eventsPerSec': tp(x86, 'eventsPerSecond', desRef),
    'scenario.fleet.shards1.interruptsPerSec': tp(one, 'interruptsPerSecond'),
    'scenario.fleet.shards1.eventsPerSec': tp(one, 'eventsPerSecond', desRef),
    'scenario.fleet.shards2.interruptsPerSec': tp(two, 'interruptsPerSecond'),
    'scenario.fleet.shards2.eventsPerSec': tp(two, 'eventsPerSecond', '2 shards ~15M events/s, empty handlers (§0)'),
    'scenario.fleet.speedup2v1': speedup,
  };
  return { metrics, details: { runs, fleetSpeedup2v1: speedup.value, fleetIdenticalAcrossShards: identical } };
}

function fmtRate(v: number): string {
  return `${(v / 1e6).toFixed(2)}M`.padStart(7);
}
