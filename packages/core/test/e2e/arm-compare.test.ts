// End-to-end: the built-in ARM scenarios through simulate() and lrSweep() — arm-compare's four schemes, exits per
// device interrupt, no EOI exits, conservation and ordering; arm-lr-pressure's maintenance exits against the LR
// count; determinism.

import { describe, expect, it } from 'vitest';
import { BUILTIN_SCENARIOS } from '../../src/scenario/builtin.ts';
import { ScenarioError } from '../../src/scenario/load.ts';
import { simulate } from '../../src/simulate.ts';
import type { Results } from '../../src/stats/results.ts';
import { lrSweep } from '../../src/sweep.ts';

const ARM_REASONS = ['ARM_IRQ', 'ARM_WFI', 'ARM_SYSREG', 'ARM_MMIO', 'MAINTENANCE', 'DOORBELL'];

describe('arm-compare', () => {
  const r: Results = simulate(BUILTIN_SCENARIOS['arm-compare']);
  const by = (id: string) => {
    const s = r.schemes.find((x) => x.scheme === id);
    if (!s) throw new Error(`missing ${id}`);
    return s;
  };

  it('reports the four ARM schemes with real traffic', () => {
    expect(r.schemes.map((s) => s.scheme)).toEqual(['bare-metal', 'arm-gicv2', 'arm-gicv3', 'arm-gicv4']);
    for (const s of r.schemes) {
      expect(s.interrupts.raised).toBeGreaterThan(100_000);
      expect(s.interruptsByKind.ipi.delivered).toBeGreaterThan(1000);
      expect(s.interruptsByKind.guestTimer.raised).toBeGreaterThan(0);
    }
  });

  it('conservation holds for every scheme', () => {
    for (const s of r.schemes) {
      expect(s.interrupts.raised).toBe(s.interrupts.delivered + s.interrupts.coalesced + s.interrupts.pending);
      expect(s.conservation.ok).toBe(true);
    }
  });

  it('exits per device interrupt to a running vCPU: ≈ 1 for GICv2/GICv3 (ARM_IRQ), ≈ 0 for GICv4', () => {
    for (const id of ['arm-gicv2', 'arm-gicv3']) {
      const e = by(id).exits;
      expect(e.perDeviceInterruptWhileRunning).toBeGreaterThanOrEqual(1);
      expect(e.perDeviceInterruptWhileRunning).toBeLessThan(1.15);
    }
    expect(by('arm-gicv4').exits.perDeviceInterruptWhileRunning).toBeLessThan(0.01);
    expect(by('arm-gicv4').exits.byCause.device ?? 0).toBe(0);
    expect(by('bare-metal').exits.total).toBe(0);
  });

  it('no GIC scheme exits on EOI: only ARM trap reasons occur, and maintenance exits are rare with this load', () => {
    for (const id of ['arm-gicv2', 'arm-gicv3', 'arm-gicv4']) {
      const s = by(id);
      for (const reason of Object.keys(s.exits.byReason)) expect(ARM_REASONS).toContain(reason);
      expect(s.exits.byReason.EOI_INDUCED).toBeUndefined();
      expect(s.exits.byReason.MSR_WRITE).toBeUndefined();
      expect(s.exits.byReason.MAINTENANCE ?? 0).toBeLessThan(0.001 * s.interrupts.delivered);
    }
  });

  it('relative to bare metal: GICv4 > GICv3 ≥ GICv2, GICv4 within a few % of bare metal', () => {
    const rel = (id: string) => by(id).cpu.relativeToBareMetal;
    expect(rel('bare-metal')).toBe(1);
    expect(rel('arm-gicv4')).toBeGreaterThan(rel('arm-gicv3'));
    expect(rel('arm-gicv3')).toBeGreaterThanOrEqual(rel('arm-gicv2'));
    expect(rel('arm-gicv4')).toBeGreaterThan(0.95);
    expect(rel('arm-gicv4')).toBeLessThanOrEqual(1.0);
  });

  it('delivery latency: GICv4 below GICv3 below GICv2 (exit + flush on the path)', () => {
    const p50 = (id: string) => by(id).latencyNs.delivery.p50;
    expect(p50('arm-gicv4')).toBeLessThan(p50('arm-gicv3'));
    expect(p50('arm-gicv3')).toBeLessThan(p50('arm-gicv2'));
  });

  it('is reproducible: the same scenario and seed twice give identical JSON outside engine', () => {
    const short = { ...BUILTIN_SCENARIOS['arm-compare'], duration: '40ms' };
    const a = simulate(short);
    const b = simulate(short);
    expect(JSON.stringify({ ...b, engine: null })).toBe(JSON.stringify({ ...a, engine: null }));
  });
});

describe('arm-lr-pressure: LR sweep', () => {
  const lrs = [1, 2, 4, 8, 16];
  const sweep = lrSweep(BUILTIN_SCENARIOS['arm-lr-pressure'], lrs);

  it.each(['arm-gicv2', 'arm-gicv3'])('%s: maintenance exits > 0 with 4 LRs, non-increasing from 1 to 16 LRs', (id) => {
    const m = lrs.map((n) => {
      const p = sweep.points.find((x) => x.scheme === id && x.listRegs === n);
      if (!p) throw new Error(`missing ${id}@${n}`);
      expect(p.conserved).toBe(true);
      expect(p.deliveryNs.p50).toBeGreaterThan(0);
      return p.maintenanceExits;
    });
    expect(m[lrs.indexOf(4)]).toBeGreaterThan(0);
    for (let k = 1; k < m.length; k++) expect(m[k]).toBeLessThanOrEqual(m[k - 1]);
    expect(m[m.length - 1]).toBeLessThan(m[0]);
  });

  it('is deterministic and rejects bad LR counts with a ScenarioError', () => {
    expect(lrSweep(BUILTIN_SCENARIOS['arm-lr-pressure'], [4])).toEqual({
      ...sweep,
      points: sweep.points.filter((p) => p.listRegs === 4),
    });
    expect(() => lrSweep(BUILTIN_SCENARIOS['arm-lr-pressure'], [0])).toThrow(ScenarioError);
    expect(() => lrSweep(BUILTIN_SCENARIOS['arm-lr-pressure'], [17])).toThrow(/--lrs\[0\]/);
    expect(() => lrSweep(BUILTIN_SCENARIOS['x86-small'], [4])).toThrow(/arm/);
  });
});
