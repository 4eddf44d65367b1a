// The same workload under every scheme (DESIGN §12): for every built-in scenario, the open-loop sources — device
// arrivals, guest IPIs, guest timers, rescheduling IPIs and TLB-shootdown broadcasts (DESIGN §16) — raise exactly
// the same interrupts under every scheme, and every raised interrupt ends delivered, coalesced, or pending with its
// age; every shootdown is completed or still waiting. Also: starvation is visible (LR sweep).

import { describe, expect, it } from 'vitest';
import { BUILTIN_SCENARIOS, builtinScenarioNames } from '../../src/scenario/builtin.ts';
import type { ScenarioInput, SchemeId } from '../../src/scenario/schema.ts';
import { simulate } from '../../src/simulate.ts';
import { lrSweep } from '../../src/sweep.ts';

/** Shortened built-ins (fleet and big-vm are large): the property does not depend on the duration. */
const shortened = (name: string): ScenarioInput => ({
  ...BUILTIN_SCENARIOS[name],
  duration: name === 'fleet' ? '3ms' : name === 'big-vm' ? '5ms' : '25ms',
});

describe('every open-loop source raises the same interrupts under every scheme', () => {
  it.each(builtinScenarioNames())('%s', (name) => {
    const s = shortened(name);
    const all = [...new Set<SchemeId>(['bare-metal', ...s.schemes])];
    const r = simulate({ ...s, schemes: all });
    const ref = r.schemes[0].interrupts.raisedBySource;
    expect(ref.device).toBeGreaterThan(0);
    // A NAPI NIC's open-loop source is its packets: how many interrupts they raise depends on how fast the guest
    // polls (the interrupt is masked while NAPI runs), so the packets are what must be identical (DESIGN §18).
    const napi = r.schemes[0].packets !== undefined;
    for (const x of r.schemes) {
      if (napi) {
        expect(x.packets?.arrived, x.scheme).toBe(r.schemes[0].packets?.arrived);
        expect(x.packets?.conserved, x.scheme).toBe(true);
        expect({ ...x.interrupts.raisedBySource, device: 0 }, x.scheme).toEqual({ ...ref, device: 0 });
        expect(x.interrupts.raised).toBe(
          x.interrupts.raisedBySource.device + ref.ipi + ref.guestTimer + ref.resched + ref.tlbShootdown,
        );
      } else {
        expect(x.interrupts.raisedBySource, x.scheme).toEqual(ref);
        expect(x.interrupts.raised).toBe(ref.device + ref.ipi + ref.guestTimer + ref.resched + ref.tlbShootdown);
      }
      expect(x.interrupts.raised).toBe(x.interrupts.delivered + x.interrupts.coalesced + x.interrupts.pending);
      expect(x.conservation.ok, x.scheme).toBe(true);
      // Every shootdown intent is the same under every scheme; each is completed or still waiting at the end.
      const sd = x.ipiPatterns.shootdowns;
      expect(sd.raised, x.scheme).toBe(r.schemes[0].ipiPatterns.shootdowns.raised);
      expect(sd.ok, x.scheme).toBe(true);
    }
    const sc = BUILTIN_SCENARIOS[name];
    const hasIpis = sc.vms.some((v) => v.guest?.ipi && (v.vcpus ?? 1) > 1);
    if (hasIpis) expect(ref.ipi).toBeGreaterThan(0);
    if (sc.vms.some((v) => v.guest?.idle)) expect(ref.guestTimer).toBeGreaterThan(0);
    const multi = sc.vms.filter((v) => (v.vcpus ?? 1) > 1);
    if (multi.some((v) => v.guest?.resched)) expect(ref.resched).toBeGreaterThan(0);
    const shooting = multi.filter((v) => v.guest?.tlbShootdown);
    if (shooting.length > 0) {
      // A broadcast to n targets raises n interrupts (the built-ins have one VM with shootdowns: 6 or 64 vCPUs).
      expect(shooting).toHaveLength(1);
      expect(ref.tlbShootdown).toBeGreaterThan(0);
      expect(ref.tlbShootdown).toBe(((shooting[0].vcpus ?? 1) - 1) * r.schemes[0].ipiPatterns.shootdowns.raised);
    }
  });
});

describe('starvation is visible', () => {
  const sweep = lrSweep(BUILTIN_SCENARIOS['arm-lr-pressure'], [1, 2, 4, 8, 16]);

  it('with 1 LR the burst vectors of vCPU 0 starve: flagged, with their ages', () => {
    for (const p of sweep.points.filter((x) => x.listRegs === 1)) {
      expect(p.pending.starved).toBe(true);
      expect(p.pending.count).toBeGreaterThan(0);
      expect(p.pending.oldestAgeNs).toBeGreaterThan(10e6);
    }
    for (const p of sweep.points.filter((x) => x.listRegs >= 4)) expect(p.pending.starved).toBe(false);
  });

  it('no LR count reports a better latency while interrupts sit undelivered (censored latencies)', () => {
    for (const scheme of ['arm-gicv2', 'arm-gicv3']) {
      const pts = sweep.points.filter((x) => x.scheme === scheme);
      const starved = pts.filter((x) => x.pending.starved);
      const served = pts.filter((x) => !x.pending.starved);
      expect(starved.length).toBeGreaterThan(0);
      for (const a of starved)
        for (const b of served) {
          expect(a.deliveryWithPendingNs.mean).toBeGreaterThan(b.deliveryWithPendingNs.mean);
          expect(a.deliveryWithPendingNs.p99).toBeGreaterThan(b.deliveryWithPendingNs.p99);
        }
    }
  });
});
