// Test harness: builds a Sim for one scheme from a small scenario, records the path trace of each vCPU, and lets a
// test step the simulation until a condition holds.

import { EXIT_REASONS } from '../src/hv/exit-reasons.ts';
import { composeRun } from '../src/run/compose.ts';
import { ScenarioError, validateScenario } from '../src/scenario/load.ts';
import type { ScenarioInput, SchemeId } from '../src/scenario/schema.ts';
import type { Sim } from '../src/sim/engine.ts';
import type { Vcpu } from '../src/sim/vcpu.ts';

export interface Harness {
  sim: Sim;
  /** Trace lines per vCPU, e.g. "EXIT:EXTERNAL_INTERRUPT", "ENTRY:65", "HANDLER:65", "EOI:65". */
  trace: string[][];
  vc: (i?: number) => Vcpu;
  /** Runs one event at a time until pred() holds (or the queue passes `limitNs`). */
  stepUntil: (pred: () => boolean, limitNs?: number) => boolean;
  clear: () => void;
}

/** One VM with one vCPU on one pCPU, a device at 10K/s periodic, 1 µs handlers, no host ticks, no idle. */
export function microScenario(scheme: SchemeId, patch: Partial<ScenarioInput> = {}): ScenarioInput {
  return {
    name: 'micro',
    arch: 'x86',
    schemes: [scheme],
    seed: 1,
    duration: '2ms',
    cpu: { freqGHz: 2 },
    costs: { preset: 'xeon-e5-kvm' },
    host: { pcpus: 1, timerHz: 0 },
    vms: [{ name: 'vm', vcpus: 1, guest: { handler: { dist: 'fixed', value: '1us' } } }],
    devices: [{ name: 'nic', vm: 'vm', vector: 0x41, arrival: { process: 'periodic', rate: 10_000 } }],
    ...patch,
  };
}

/** The message of the ScenarioError `f` throws (the test fails if it throws anything else, or nothing). */
export function scenarioErrorMessage(f: () => unknown): string {
  try {
    f();
  } catch (e) {
    if (!(e instanceof ScenarioError)) throw e;
    return e.message;
  }
  throw new Error('accepted');
}

const fmt = (what: string, detail: number) => (what === 'EXIT' ? `EXIT:${EXIT_REASONS[detail]}` : `${what}:${detail}`);

export function harness(scheme: SchemeId, input: ScenarioInput): Harness {
  const s = validateScenario(input);
  const sim = composeRun(s, scheme);
  const topo = sim.topo;
  const trace: string[][] = topo.vcpus.map(() => []);
  // The path steps the tests spell out; device assertions and IRETs (for `ivsim run --trace`) are left out.
  sim.trace = (_t, v, what, detail) => {
    if (what !== 'ASSERT' && what !== 'IRET') trace[v].push(fmt(what, detail));
  };
  sim.start();
  const stepUntil = (pred: () => boolean, limitNs = 1e9) => {
    const limit = limitNs * topo.freqGHz;
    while (!pred()) {
      const t = sim.q.peekTime();
      if (t >= limit || t === Number.POSITIVE_INFINITY) return false;
      sim.runUntil(t + 1);
    }
    return true;
  };
  return {
    sim,
    trace,
    vc: (i = 0) => sim.vcpus[i],
    stepUntil,
    clear: () => {
      for (const t of trace) t.length = 0;
    },
  };
}

/** Runs a whole scenario for one scheme and returns the Sim after finish(). */
export function runAll(scheme: SchemeId, input: ScenarioInput): Sim {
  const h = harness(scheme, input);
  const end = h.sim.topo.durationCycles;
  h.sim.trace = null;
  h.sim.runUntil(end);
  h.sim.finish(end);
  return h.sim;
}
