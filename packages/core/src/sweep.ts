// lrSweep(scenario, lrs): the same ARM scenario and seed with host.gic.listRegs set to each count, single-threaded,
// reporting per scheme the maintenance exits (total and per simulated second) and the delivery latency. A pure
// function of (scenario, seed, lrs): answers "how many list registers are enough?" for a workload.

import { ScenarioError, validateScenario } from './scenario/load.ts';
import type { Scenario, ScenarioInput, SchemeId } from './scenario/schema.ts';
import { resultOf, runScheme } from './simulate.ts';

/** One (list-register count, scheme) point of an LR sweep. */
export interface LrSweepPoint {
  /** host.gic.listRegs of this point. */
  listRegs: number;
  /** The GIC scheme. */
  scheme: SchemeId;
  /** Maintenance-interrupt exits in the run. */
  maintenanceExits: number;
  /** The same per simulated second. */
  maintenancePerSecond: number;
  /** All exits per simulated second. */
  exitsPerSecond: number;
  /** Latency of the interrupts that were delivered (leaves out those still waiting: see deliveryWithPendingNs). */
  deliveryNs: { mean: number; p50: number; p99: number };
  /** Delivery latency with every still-pending interrupt counted at its age (censored): the fair comparison. */
  deliveryWithPendingNs: { mean: number; p99: number };
  /** Interrupts still pending at the end, the oldest one's age (ns), and whether the scheme starved it. */
  pending: { count: number; oldestAgeNs: number; starved: boolean };
  /** The guest's own work against bare metal's (cpu.relativeToBareMetal). */
  relativeToBareMetal: number;
  /** Interrupt conservation held. */
  conserved: boolean;
}

/** The result of lrSweep (`ivsim sweep --lrs`, JSON). */
export interface LrSweepResult {
  /** The scenario's name. */
  scenario: string;
  /** The seed every point used. */
  seed: number;
  /** For each LR count in the order given, each GIC scheme of the scenario. */
  points: LrSweepPoint[];
}

/**
 * Checks a list-register count list: integers 1..16, no duplicates.
 *
 * @throws {@link ScenarioError} naming the bad entry.
 */
export function checkLrCounts(lrs: readonly number[]): void {
  if (lrs.length === 0) throw new ScenarioError('--lrs: expected at least one list-register count');
  lrs.forEach((n, i) => {
    if (!Number.isInteger(n) || n < 1 || n > 16)
      throw new ScenarioError(`--lrs[${i}]: expected an integer 1..16 (list registers), got ${n}`);
  });
  if (new Set(lrs).size !== lrs.length) throw new ScenarioError('--lrs: list-register counts must be unique');
}

/**
 * Runs the GIC schemes of an ARM scenario once per list-register count (bare-metal once, as the reference), on
 * the calling thread: how many list registers are enough for a workload. `opts.seed` overrides the scenario's.
 *
 * @throws {@link ScenarioError} for a bad scenario, an LR count outside 1..16 or repeated, or a non-ARM scenario.
 */
export function lrSweep(
  input: ScenarioInput | Scenario,
  lrs: readonly number[],
  opts: { seed?: number } = {},
): LrSweepResult {
  checkLrCounts(lrs);
  const base = validateScenario(input);
  if (base.arch !== 'arm') throw new ScenarioError('scenario.arch: the LR sweep needs an "arm" scenario');
  const schemes = base.schemes.filter((id) => id !== 'bare-metal');
  if (schemes.length === 0) throw new ScenarioError('scenario.schemes: the LR sweep needs at least one GIC scheme');
  const s0: Scenario = opts.seed !== undefined ? { ...base, seed: opts.seed } : base;
  const durSec = s0.duration / 1e9;
  const bm = runScheme(s0, 'bare-metal');
  const points: LrSweepPoint[] = [];
  for (const n of lrs) {
    const s: Scenario = { ...s0, host: { ...s0.host, gic: { listRegs: n, v4: s0.host.gic?.v4 ?? '4.1' } } };
    for (const id of schemes) {
      const run = runScheme(s, id);
      const r = resultOf(s, run, bm);
      const maint = r.exits.byReason.MAINTENANCE ?? 0;
      const d = r.latencyNs.delivery;
      points.push({
        listRegs: n,
        scheme: id,
        maintenanceExits: maint,
        maintenancePerSecond: Math.round(maint / durSec),
        exitsPerSecond: r.exits.perSecond,
        deliveryNs: { mean: d.mean, p50: d.p50, p99: d.p99 },
        deliveryWithPendingNs: { mean: r.latencyNs.deliveryWithPending.mean, p99: r.latencyNs.deliveryWithPending.p99 },
        pending: { count: r.pending.count, oldestAgeNs: r.pending.oldestAgeNs, starved: r.pending.starved },
        relativeToBareMetal: r.cpu.relativeToBareMetal,
        conserved: r.conservation.ok,
      });
    }
  }
  return { scenario: s0.name, seed: s0.seed, points };
}
