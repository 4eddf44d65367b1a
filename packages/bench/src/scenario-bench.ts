// Scenario benchmarks: whole runs, measured in simulated interrupts (and events) per wall-clock second.
// - x86-compare single-threaded through simulate() (the calling thread, no workers);
// - fleet through ParallelRun with 1 and 2 shards in the same process (ABBA order), and the 2-vs-1 speed-up
//   (limits.md §0: sharding over 2 cores gives about 1.7–1.9×; our goal is ≥ 1.8×).
// Both fleet runs must produce identical results outside `engine` (DESIGN §4); the bench checks it for free.

import { BUILTIN_SCENARIOS, type Results, type ScenarioInput, simulate } from '@ivsim/core';
import { ParallelRun } from '@ivsim/workers';
import type { Metric } from './compare.ts';

export const SCENARIO_DURATIONS = {
  full: { x86Compare: undefined as number | undefined, fleet: undefined as number | undefined },
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

export async function runScenarios(opts: { quick: boolean; log: (s: string) => void }): Promise<ScenarioResult> {
  const d = opts.quick ? SCENARIO_DURATIONS.quick : SCENARIO_DURATIONS.full;
  const runs: ScenarioRunDetail[] = [];
  const show = (x: ScenarioRunDetail) =>
    opts.log(
      `  ${`${x.scenario} ${x.runner}`.padEnd(34)} ${(x.durationNs / 1e6).toFixed(0).padStart(4)} ms virtual  ` +
        `${x.wallSeconds.toFixed(2).padStart(6)} s wall  ${fmtRate(x.interruptsPerSecond)} interrupts/s  ` +
        `${fmtRate(x.eventsPerSecond)} events/s`,
    );

  const x86 = detail(simulate(builtin('x86-compare', d.x86Compare)), 'simulate() in-thread');
  runs.push(x86);
  show(x86);

  // ABBA order (1, 2, 2, 1 shards): a host whose speed drifts during the bench (shared VMs do) affects both
  // shard counts alike, so the ratio stays meaningful. Each figure below pools the two runs of its shard count.
  const fleetRuns: Results[] = [];
  const byShards = new Map<number, ScenarioRunDetail[]>();
  for (const shards of [1, 2, 2, 1]) {
    const r = await new ParallelRun(builtin('fleet', d.fleet), { shards, durationNs: d.fleet }).run();
    fleetRuns.push(r);
    const x = detail(r, `ParallelRun ${shards} shard${shards > 1 ? 's' : ''}`);
    byShards.set(shards, [...(byShards.get(shards) ?? []), x]);
    show(x);
  }
  const pooled = (xs: ScenarioRunDetail[]): ScenarioRunDetail => {
    const wall = xs.reduce((a, x) => a + x.wallSeconds, 0);
    const irq = xs.reduce((a, x) => a + x.simulatedInterrupts, 0);
    const ev = xs.reduce((a, x) => a + x.events, 0);
    return { ...xs[0], wallSeconds: wall / xs.length, interruptsPerSecond: irq / wall, eventsPerSecond: ev / wall };
  };
  const f1 = pooled(byShards.get(1) ?? []);
  const f2 = pooled(byShards.get(2) ?? []);
  runs.push(f1, f2);
  const speedup = f2.interruptsPerSecond / f1.interruptsPerSecond;
  const identical = fleetRuns.every((r) => modelPart(r) === modelPart(fleetRuns[0]));
  opts.log(
    `  fleet 2 vs 1 shards: ${speedup.toFixed(2)}× (goal ≥ 1.8×; limits.md §0/§2.7: 1.7–1.9× on 2 cores)` +
      `  results identical across shard counts: ${identical ? 'yes' : 'NO'}`,
  );

  const tp = (value: number, unit: string, ref?: string): Metric => ({
    value,
    unit,
    better: 'higher',
    kind: 'throughput',
    ...(ref ? { ref } : {}),
  });
  const desRef = 'DES ceiling ~8M events/s/thread before handler cost (§0)';
  const metrics: Record<string, Metric> = {
    'scenario.x86-compare.interruptsPerSec': tp(x86.interruptsPerSecond, 'interrupts/s'),
    'scenario.x86-compare.eventsPerSec': tp(x86.eventsPerSecond, 'events/s', desRef),
    'scenario.fleet.shards1.interruptsPerSec': tp(f1.interruptsPerSecond, 'interrupts/s'),
    'scenario.fleet.shards1.eventsPerSec': tp(f1.eventsPerSecond, 'events/s', desRef),
    'scenario.fleet.shards2.interruptsPerSec': tp(f2.interruptsPerSecond, 'interrupts/s'),
    'scenario.fleet.shards2.eventsPerSec': tp(
      f2.eventsPerSecond,
      'events/s',
      '2 shards ~15M events/s, empty handlers (§0)',
    ),
    'scenario.fleet.speedup2v1': {
      value: speedup,
      unit: '×',
      better: 'higher',
      kind: 'ratio',
      ref: 'goal ≥ 1.8×; 1.7–1.9× (§0, §2.7)',
    },
  };
  return { metrics, details: { runs, fleetSpeedup2v1: speedup, fleetIdenticalAcrossShards: identical } };
}

function fmtRate(v: number): string {
  return `${(v / 1e6).toFixed(2)}M`.padStart(7);
}
