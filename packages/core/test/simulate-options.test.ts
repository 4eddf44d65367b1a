// simulate() honours every option SimulateOptions declares: each one gives the same results as the scenario edited
// to that value (outside `engine`), differs from the run without it, and goes through the schema's ranges.

import { describe, expect, it } from 'vitest';
import { BUILTIN_SCENARIOS } from '../src/scenario/builtin.ts';
import { ScenarioError } from '../src/scenario/load.ts';
import type { ScenarioInput, SchemeId } from '../src/scenario/schema.ts';
import { type SimulateOptions, simulate } from '../src/simulate.ts';
import type { Results } from '../src/stats/results.ts';

const base: ScenarioInput = { ...BUILTIN_SCENARIOS['x86-small'], duration: '2ms', schemes: ['x86-vmx', 'x86-eli'] };
const model = (r: Results) => JSON.stringify({ ...r, engine: undefined });

// Every declared option must appear here: a new option without a test fails to compile.
const covered: Record<keyof SimulateOptions, true> = { schemes: true, seed: true, durationNs: true, onScheme: true };

describe('simulate() options', () => {
  it('covers every option SimulateOptions declares', () => {
    expect(Object.keys(covered).sort()).toEqual(['durationNs', 'onScheme', 'schemes', 'seed']);
  });

  it('durationNs: the run is as long as the option says, as if the scenario said it', () => {
    const r = simulate(base, { durationNs: 1_000_000 });
    expect(r.durationNs).toBe(1_000_000);
    expect(model(r)).toBe(model(simulate({ ...base, duration: 1_000_000 })));
    expect(r.schemes[0].interrupts.raised).toBeLessThan(simulate(base).schemes[0].interrupts.raised);
  });

  it('seed: the run uses the option seed, as if the scenario said it', () => {
    const r = simulate(base, { seed: 99 });
    expect(r.seed).toBe(99);
    expect(model(r)).toBe(model(simulate({ ...base, seed: 99 })));
    expect(model(r)).not.toBe(model(simulate(base)));
  });

  it('schemes: only the listed schemes are reported, in order, still against bare metal', () => {
    const r = simulate(base, { schemes: ['x86-eli'] });
    expect(r.schemes.map((x) => x.scheme)).toEqual(['x86-eli']);
    expect(r.schemes[0].cpu.relativeToBareMetal).toBeGreaterThan(0);
    const withBm = simulate(base, { schemes: ['x86-vmx', 'bare-metal'] });
    expect(withBm.schemes.map((x) => x.scheme)).toEqual(['x86-vmx', 'bare-metal']);
    expect(withBm.schemes[1].cpu.relativeToBareMetal).toBe(1);
  });

  it('onScheme: called once per scheme run, bare-metal first, with index and total', () => {
    const calls: [SchemeId, number, number][] = [];
    simulate(base, { onScheme: (id, i, n) => calls.push([id, i, n]) });
    expect(calls).toEqual([
      ['bare-metal', 0, 3],
      ['x86-vmx', 1, 3],
      ['x86-eli', 2, 3],
    ]);
  });

  it('out-of-range overrides are refused by the schema, naming the field', () => {
    expect(() => simulate(base, { durationNs: 0 })).toThrow(ScenarioError);
    expect(() => simulate(base, { durationNs: 0 })).toThrow(/^scenario\.duration: /);
    expect(() => simulate(base, { seed: -1 })).toThrow(/^scenario\.seed: /);
  });
});
