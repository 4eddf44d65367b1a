// simulate(scenario): runs every scheme of the scenario on the same workload on the calling thread and returns
// the results object. A pure function of (scenario, seed) outside `engine`.

import { composeRun } from './run/compose.ts';
import { validateScenario, withOverrides } from './scenario/load.ts';
import { PRESETS } from './scenario/presets.ts';
import type { Scenario, ScenarioInput, SchemeId } from './scenario/schema.ts';
import type { Counters } from './sim/counters.ts';
import { cfsSliceNs } from './sim/host-sched.ts';
import { buildTopology } from './sim/topology.ts';
import { engineFigures, type Results, type SchemeResult, schemeResult } from './stats/results.ts';
import { IVSIM_VERSION } from './version.ts';

export interface SchemeRun {
  scheme: SchemeId;
  counters: Counters;
  pending: number;
}

/** Runs one scheme of a validated scenario to completion on this thread. */
export function runScheme(s: Scenario, scheme: SchemeId): SchemeRun {
  const sim = composeRun(s, scheme);
  const end = sim.topo.durationCycles;
  sim.start();
  sim.runUntil(end);
  sim.finish(end);
  return { scheme, counters: sim.cnt, pending: sim.pendingTotal() };
}

/** Options of {@link simulate}; each overrides the scenario's own value for this run only. */
export interface SimulateOptions {
  /**
   * Report only these schemes, in this order (default: the scenario's `schemes`). bare-metal still runs as the
   * reference of `relativeToBareMetal`, and is reported only when listed.
   */
  schemes?: SchemeId[];
  /** Run seed, an integer 0..2^53 − 1 (default: the scenario's `seed`). */
  seed?: number;
  /** Virtual duration of the run, ns (default: the scenario's `duration`); at least one CPU cycle. */
  durationNs?: number;
  /** Called after each scheme finishes, bare-metal included: its id, its 0-based index and how many will run. */
  onScheme?: (scheme: SchemeId, index: number, total: number) => void;
}

/** The schemes to run, reference first: bare-metal is always simulated so relativeToBareMetal is defined. */
export function schemePlan(s: Scenario, only?: SchemeId[]): { run: SchemeId[]; report: SchemeId[] } {
  const report = only && only.length > 0 ? only : s.schemes;
  const run: SchemeId[] = report.includes('bare-metal') ? [...report] : ['bare-metal', ...report];
  run.sort((a, b) => (a === 'bare-metal' ? -1 : b === 'bare-metal' ? 1 : 0));
  return { run, report };
}

/**
 * How long an interrupt may wait before its scheme is flagged as starving it: 1 ms, 10 % of the run, or — where a
 * pCPU time-slices k vCPUs — k host slices, since a runnable vCPU can wait (k − 1) slices for its turn and the
 * interrupt may arrive just after it left. Waiting longer than that is not overcommit: nothing would deliver it.
 */
export function starvationThresholdNs(s: Scenario): number {
  const topo = buildTopology(s, false); // the pinning the virtualized schemes run with
  const perPcpu = new Int32Array(topo.pcpus);
  let k = 1;
  for (const d of topo.vcpus) if (++perPcpu[d.pcpu] > k) k = perPcpu[d.pcpu];
  // CFS: a thread's slice is sched_period(k)/k, enforced at the scheduler tick, so a turn can take a tick longer.
  const slice =
    s.host.scheduler === 'cfs'
      ? cfsSliceNs(s.host.pcpus, k) + (s.host.timerHz > 0 ? 1e9 / s.host.timerHz : 0)
      : s.host.schedSlice;
  return Math.max(1e6, 0.1 * s.duration, k > 1 ? k * slice : 0);
}

/** Which optional result sections a scenario has: packets (a NAPI device), throughput (a closed-loop device). */
export function workloadShape(s: Scenario): { napi: boolean; closedLoop: boolean } {
  return {
    napi: s.devices.some((d) => d.napi !== undefined),
    closedLoop: s.devices.some((d) => d.arrival.process === 'closed'),
  };
}

/** One scheme's result section against its bare-metal reference run (the runners and the sweeps share it). */
export function resultOf(s: Scenario, run: SchemeRun, bareMetal: SchemeRun | undefined): SchemeResult {
  return schemeResult(
    run.scheme,
    run.counters,
    run.pending,
    s.duration / 1e9,
    s.cpu.freqGHz,
    bareMetal ? bareMetal.counters : null,
    starvationThresholdNs(s),
    workloadShape(s),
  );
}

/** Assembles the results object from per-scheme counters (shared by the single- and multi-threaded runners). */
export function assembleResults(
  s: Scenario,
  runs: SchemeRun[],
  report: SchemeId[],
  engine: { shards: number; wallSeconds: number },
): Results {
  const freq = s.cpu.freqGHz;
  const bm = runs.find((r) => r.scheme === 'bare-metal');
  const schemes = report.map((id) => {
    const r = runs.find((x) => x.scheme === id);
    if (!r) throw new Error(`internal: scheme ${id} did not run`);
    return resultOf(s, r, bm);
  });
  let events = 0;
  let interrupts = 0;
  for (const r of runs) {
    events += r.counters.events;
    interrupts += r.counters.raised;
  }
  return {
    ivsim: IVSIM_VERSION,
    scenario: s.name,
    seed: s.seed,
    durationNs: s.duration,
    freqGHz: freq,
    costPreset: PRESETS[s.costs.preset].name,
    engine: engineFigures(engine.shards, engine.wallSeconds, events, interrupts),
    schemes,
  };
}

/**
 * Runs every scheme of a scenario on the same workload, on the calling thread, and returns the results object
 * (DESIGN §5). A pure function of (scenario, seed) outside `engine`: the same inputs give the same JSON.
 *
 * @param scenario - A scenario as written (a built-in, a parsed file, an object literal) or already validated.
 * @param opts - Run-time overrides (schemes, seed, duration) and a per-scheme progress callback.
 * @throws {@link ScenarioError} when the scenario or an override is invalid (the message names each bad field).
 * @throws {@link NoProgressError} when the engine stops advancing virtual time (a model bug, never silent).
 */
export function simulate(scenario: ScenarioInput | Scenario, opts: SimulateOptions = {}): Results {
  const s0 = validateScenario(scenario);
  // The overrides go through the schema's ranges, as a file's own values do.
  const s = withOverrides(s0, { seed: opts.seed, durationNs: opts.durationNs });
  const { run, report } = schemePlan(s, opts.schemes);
  const t0 = performance.now();
  const runs = run.map((id, i) => {
    const r = runScheme(s, id);
    opts.onScheme?.(id, i, run.length);
    return r;
  });
  const wall = (performance.now() - t0) / 1000;
  return assembleResults(s, runs, report, { shards: 1, wallSeconds: wall });
}
