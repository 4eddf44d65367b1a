// moderationSweep(scenario, points): the same scenario and seed with every NAPI device's interrupt moderation set to
// each point (a fixed ITR interval, 0 = off, or the adaptive ITR), every scheme against bare metal at the same point.
// Answers the central trade-off: raising fewer interrupts costs packet latency and buys guest CPU — and narrows the gap
// between delivery schemes as interrupts fall. A pure function of (scenario, seed, points).

import { ScenarioError, validateScenario } from './scenario/load.ts';
import type { Scenario, ScenarioInput, SchemeId } from './scenario/schema.ts';
import { resultOf, runScheme, type SchemeRun } from './simulate.ts';

/** One moderation setting: an ITR interval in ns (0 = no moderation) or the adaptive ITR. */
export type ModerationPoint = number | 'adaptive';

/** One (moderation setting, scheme) point of a moderation sweep. */
export interface ModerationSweepPoint {
  /** The setting: interval ns, or 'adaptive'. */
  moderation: ModerationPoint;
  /** The scheme (bare-metal included). */
  scheme: SchemeId;
  /** Interrupts the NAPI devices raised per simulated second. */
  deviceInterruptsPerSecond: number;
  /** Interrupts the NAPI devices raised per packet processed. */
  interruptsPerPacket: number;
  /** Packets processed per simulated second. */
  packetsPerSecond: number;
  /** Packets dropped on full RX rings. */
  dropped: number;
  /** Packet latency, arrival in the RX ring → processed, ns. */
  packetLatencyNs: { mean: number; p50: number; p99: number };
  /** VM exits per simulated second. */
  exitsPerSecond: number;
  /** Guest's own work relative to bare metal at the same setting (the share definition). */
  relativeToBareMetal: number;
  /** Closed loop only: requests processed relative to bare metal at the same setting (the throughput definition). */
  throughputRelativeToBareMetal: number | null;
  /** Interrupt and packet conservation held. */
  conserved: boolean;
}

/** The result of moderationSweep (`ivsim sweep` of a NAPI scenario, JSON). */
export interface ModerationSweepResult {
  /** The scenario's name. */
  scenario: string;
  /** The seed every point used. */
  seed: number;
  /** For each moderation setting in the order given, each scheme. */
  points: ModerationSweepPoint[];
}

/** The default points: off, ixgbe's 100K/20K/12K ITR steps (10/50/84 µs), e1000's 8K cap (125 µs), and adaptive. */
export const DEFAULT_MODERATION_POINTS: readonly ModerationPoint[] = [
  0,
  2_000,
  10_000,
  20_000,
  50_000,
  84_000,
  125_000,
  'adaptive',
];

/** The scenario with every NAPI device moderated at `p` (other devices unchanged). */
export function withModeration(s: Scenario, p: ModerationPoint): Scenario {
  return {
    ...s,
    devices: s.devices.map((d) =>
      d.napi === undefined
        ? d
        : { ...d, moderation: p === 'adaptive' ? { adaptive: true } : { minInterval: p, adaptive: false } },
    ),
  };
}

/**
 * Runs every scheme of a scenario with a NAPI NIC once per interrupt-moderation setting (ns intervals, 0 = off, or
 * 'adaptive'; default DEFAULT_MODERATION_POINTS), each against bare metal at the same setting, on the calling
 * thread. `opts.seed` overrides the scenario's.
 *
 * @throws {@link ScenarioError} for a bad scenario, no NAPI device, or a setting that is not a time ≥ 0.
 */
export function moderationSweep(
  input: ScenarioInput | Scenario,
  points: readonly ModerationPoint[] = DEFAULT_MODERATION_POINTS,
  opts: { seed?: number } = {},
): ModerationSweepResult {
  if (points.length === 0) throw new ScenarioError('--intervals: expected at least one moderation setting');
  points.forEach((p, i) => {
    if (p !== 'adaptive' && !(Number.isFinite(p) && p >= 0 && p <= 1e12))
      throw new ScenarioError(`--intervals[${i}]: expected a time ≥ 0 or "adaptive", got ${p}`);
  });
  const base = validateScenario(input);
  if (!base.devices.some((d) => d.napi !== undefined))
    throw new ScenarioError('scenario.devices: the moderation sweep needs a NIC with napi');
  const s0: Scenario = opts.seed !== undefined ? { ...base, seed: opts.seed } : base;
  const schemes = s0.schemes.includes('bare-metal') ? s0.schemes : (['bare-metal', ...s0.schemes] as SchemeId[]);
  const durSec = s0.duration / 1e9;
  const out: ModerationSweepPoint[] = [];
  for (const p of points) {
    const s = validateScenario(withModeration(s0, p));
    const runs: SchemeRun[] = schemes.map((id) => runScheme(s, id));
    const bm = runs[schemes.indexOf('bare-metal')];
    for (const run of runs) {
      const r = resultOf(s, run, bm);
      const pk = r.packets!;
      out.push({
        moderation: p,
        scheme: run.scheme,
        deviceInterruptsPerSecond: Math.round(run.counters.napiIrqs / durSec),
        interruptsPerPacket: pk.interruptsPerPacket,
        packetsPerSecond: pk.perSecond,
        dropped: pk.dropped,
        packetLatencyNs: { mean: pk.latencyNs.mean, p50: pk.latencyNs.p50, p99: pk.latencyNs.p99 },
        exitsPerSecond: r.exits.perSecond,
        relativeToBareMetal: r.cpu.relativeToBareMetal,
        throughputRelativeToBareMetal: r.throughput ? r.throughput.relativeToBareMetal : null,
        conserved: r.conservation.ok && pk.conserved,
      });
    }
  }
  return { scenario: s0.name, seed: s0.seed, points: out };
}
