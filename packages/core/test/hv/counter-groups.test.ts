// Blocking-counter groups are declared by the schemes that count them (DESIGN §15, §19.8): a scheme counts (through
// the host's countBlocking) only slots of the groups its descriptor declares, the slot list is the engine's groups
// then the schemes' in descriptor order, the schemes' invariants are checked with the engine's, and the results
// carry one object per group in that order.

import { describe, expect, it } from 'vitest';
import { DESCRIPTORS, descriptorOf, SCHEME_COUNTER_GROUPS, type SchemeId } from '../../src/hv/descriptors.ts';
import { B, BLOCKING_SLOTS, ENGINE_COUNTER_GROUPS, NUM_BLOCKING_SLOTS } from '../../src/model/blocking-slots.ts';
import { composeSim, runParts } from '../../src/run/compose.ts';
import { BUILTIN_SCENARIOS } from '../../src/scenario/builtin.ts';
import { validateScenario } from '../../src/scenario/load.ts';
import type { ScenarioInput } from '../../src/scenario/schema.ts';
import { blockingInvariants } from '../../src/sim/blocking-counters.ts';
import { blockingResult } from '../../src/stats/blocking.ts';

/** The groups of the slots scheme `id` counts through countBlocking over a short run of `input`. */
function groupsCounted(input: ScenarioInput, id: SchemeId): Set<string> {
  const s = validateScenario({ ...input, duration: '2ms' });
  const sim = composeSim(runParts(s, id));
  const counted = new Set<string>();
  const count = sim.countBlocking.bind(sim);
  sim.countBlocking = (slot: number, n?: number) => {
    counted.add(BLOCKING_SLOTS[slot].split('.')[0]);
    count(slot, n);
  };
  const end = sim.topo.durationCycles;
  sim.start();
  sim.runUntil(end);
  sim.finish(end);
  return counted;
}

// fleet is the x86 schemes at scale (x86-compare and overcommit cover them), so it is left out for time.
const RUNS = Object.entries(BUILTIN_SCENARIOS).filter(([name]) => name !== 'fleet');

describe('blocking-counter groups', () => {
  it('each scheme counts only the groups its descriptor declares, and the two that declare some count them', () => {
    const seen = new Map<SchemeId, Set<string>>();
    for (const [, input] of RUNS) {
      const s = validateScenario(input);
      for (const id of new Set<SchemeId>(['bare-metal', ...s.schemes])) {
        const own = new Set(descriptorOf(id).counters.map((g) => g.group));
        const counted = groupsCounted(input as ScenarioInput, id);
        expect(
          [...counted].filter((g) => !own.has(g)),
          `${id} in ${s.name}`,
        ).toEqual([]);
        for (const g of counted) seen.set(id, (seen.get(id) ?? new Set()).add(g));
      }
    }
    // Not vacuous: the built-ins exercise both scheme groups.
    expect([...(seen.get('x86-apicv-pi') ?? [])]).toEqual(['pi']);
    expect([...(seen.get('arm-gicv4') ?? [])]).toEqual(['v4']);
  });

  it('slots: the engine groups, then each descriptor group in list order; names and groups unique', () => {
    const groups: string[] = [...ENGINE_COUNTER_GROUPS, ...DESCRIPTORS.flatMap((d) => d.counters.map((g) => g.group))];
    expect(groups).toEqual(['sched', 'haltPoll', 'guestPoll', 'pi', 'v4']);
    expect(new Set(BLOCKING_SLOTS).size).toBe(NUM_BLOCKING_SLOTS);
    // Each group's slots are contiguous and in the group order above.
    const order = BLOCKING_SLOTS.map((n) => groups.indexOf(n.split('.')[0]));
    expect(order.every((g, i) => g >= 0 && (i === 0 || g >= order[i - 1]))).toBe(true);
    for (const [i, n] of BLOCKING_SLOTS.entries()) expect(B[n]).toBe(i);
    expect(B['pi.snSuppressed']).toBe(BLOCKING_SLOTS.indexOf('pi.snSuppressed'));
  });

  it('every scheme invariant names counters of its own group', () => {
    for (const g of SCHEME_COUNTER_GROUPS)
      for (const inv of g.invariants)
        for (const n of [...inv.lhs, ...inv.rhs])
          expect(Object.keys(g.meanings), `${g.group}: ${inv.name}`).toContain(n);
  });

  it('a scheme invariant that fails is reported (= and <=), after the engine ones', () => {
    const b = new Float64Array(NUM_BLOCKING_SLOTS);
    expect(blockingInvariants(b).every(([, ok]) => ok)).toBe(true);
    b[B['pi.snSuppressed']] = 1; // found nowhere, and no post to a descheduled vCPU
    const failed = () =>
      blockingInvariants(b)
        .filter(([, ok]) => !ok)
        .map(([n]) => n);
    expect(failed()).toEqual([
      'every SN-suppressed post is found in PIR at vcpu_load or is still pending at the end',
      'every SN-suppressed post went to a descheduled vCPU',
    ]);
    b[B['pi.postsToPreempted']] = 1;
    b[B['pi.snPendingAtEnd']] = 1;
    b[B['v4.doorbells']] = 2;
    b[B['v4.doorbellWakes']] = 2;
    b[B['v4.doorbellRequests']] = 1; // two doorbells for one request
    expect(failed()).toEqual(['at most one doorbell per doorbell-requesting deschedule']);
    const names = blockingInvariants(b).map(([n]) => n);
    expect(names.indexOf('every SN-suppressed post went to a descheduled vCPU')).toBeGreaterThan(
      names.indexOf('every halt ended or is still in progress at the end'),
    );
  });

  it('results: one object per group in slot order, Cycles also as Ns, then conserved and violated', () => {
    const b = new Float64Array(NUM_BLOCKING_SLOTS);
    b[B['pi.wakeupArmed']] = 3;
    b[B['pi.wakeupVector']] = 3;
    b[B['haltPoll.polledCycles']] = 2000;
    const r = blockingResult(b, 2);
    expect(Object.keys(r)).toEqual(['sched', 'haltPoll', 'guestPoll', 'pi', 'v4', 'conserved', 'violated']);
    expect(r.pi.wakeupArmed).toBe(3);
    expect(Object.keys(r.v4)).toEqual(Object.keys(descriptorOf('arm-gicv4').counters[0].meanings));
    expect(r.haltPoll.polledNs).toBe(1000);
    expect(r.conserved).toBe(true);
  });
});
