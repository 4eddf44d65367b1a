// Invariants over random small scenarios and every x86 scheme (DESIGN §6.2): conservation
// raised = delivered + coalesced + pending, every delivered interrupt completes or is the one in service,
// and the same scenario + seed reproduces identical counters.

import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { type ScenarioInput, X86_SCHEMES } from '../../src/scenario/schema.ts';
import { simulate } from '../../src/simulate.ts';
import { runAll } from '../helpers.ts';

const scenarioArb = fc
  .record({
    pcpus: fc.integer({ min: 1, max: 3 }),
    vcpus: fc.integer({ min: 1, max: 3 }),
    vms: fc.integer({ min: 1, max: 2 }),
    rate: fc.integer({ min: 5_000, max: 400_000 }),
    periodic: fc.boolean(),
    handlerNs: fc.integer({ min: 100, max: 20_000 }),
    idle: fc.boolean(),
    ipi: fc.integer({ min: 0, max: 20_000 }),
    timerHz: fc.constantFrom(0, 250, 1000, 4000),
    moderationNs: fc.constantFrom(0, 2_000, 20_000),
    sliceUs: fc.integer({ min: 50, max: 3000 }),
    seed: fc.integer({ min: 0, max: 1e9 }),
  })
  .map(
    (r): ScenarioInput => ({
      name: 'prop',
      arch: 'x86',
      schemes: ['bare-metal'],
      seed: r.seed,
      duration: '2ms',
      cpu: { freqGHz: 2 },
      costs: { preset: 'xeon-e5-kvm' },
      host: { pcpus: r.pcpus, timerHz: r.timerHz, schedSlice: r.sliceUs * 1000 },
      vms: [
        {
          name: 'vm',
          count: r.vms,
          vcpus: r.vcpus,
          guest: {
            handler: { dist: 'exponential', mean: r.handlerNs },
            idle: r.idle ? { activeMean: '150us', idleMean: '100us' } : undefined,
            ipi: r.ipi > 0 ? { rate: r.ipi } : undefined,
          },
        },
      ],
      devices: [
        {
          name: 'dev',
          vm: 'vm',
          vector: 0x41,
          arrival: { process: r.periodic ? 'periodic' : 'poisson', rate: r.rate },
          moderation: r.moderationNs > 0 ? { minInterval: r.moderationNs } : undefined,
        },
      ],
    }),
  );

describe('engine invariants (fast-check)', () => {
  it('conservation: raised = delivered + coalesced + pending for every scheme; completions never exceed deliveries', () => {
    fc.assert(
      fc.property(scenarioArb, fc.constantFrom(...X86_SCHEMES), (scen, scheme) => {
        // Each scheme on a preset that carries its cost families (AVIC: the AMD one).
        const preset = scheme === 'x86-avic' ? 'epyc-kvm' : 'xeon-e5-kvm';
        const sim = runAll(scheme, { ...scen, schemes: [scheme], costs: { preset } });
        const c = sim.cnt;
        const pending = sim.pendingTotal();
        expect(c.raised).toBe(c.delivered + c.coalesced + pending);
        expect(c.completed).toBeLessThanOrEqual(c.delivered);
        expect(c.delivered - c.completed).toBeLessThanOrEqual(sim.vcpus.length); // at most one in service per vCPU
        expect(c.cycWork).toBeGreaterThanOrEqual(0);
        // no vCPU ever accounts more guest time than the run lasted
        for (const vc of sim.vcpus) expect(vc.cycWork + vc.cycHandler).toBeLessThanOrEqual(sim.topo.durationCycles + 1);
      }),
      { numRuns: 60 },
    );
  });

  it('determinism: the same scenario and seed give identical results (outside engine)', () => {
    fc.assert(
      fc.property(scenarioArb, (scen) => {
        const a = simulate(scen);
        const b = simulate(scen);
        expect(b.schemes).toEqual(a.schemes);
      }),
      { numRuns: 8 },
    );
  });

  it('bare metal never exits and has nothing to coalesce behind an exit', () => {
    fc.assert(
      fc.property(scenarioArb, (scen) => {
        const sim = runAll('bare-metal', scen);
        expect(sim.cnt.exits.reduce((a, b) => a + b, 0)).toBe(0);
      }),
      { numRuns: 20 },
    );
  });
});
