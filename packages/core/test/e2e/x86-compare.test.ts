// End-to-end: the built-in x86-compare scenario through simulate() — the "must show" list.

import { describe, expect, it } from 'vitest';
import { BUILTIN_SCENARIOS } from '../../src/scenario/builtin.ts';
import { simulate } from '../../src/simulate.ts';
import type { Results } from '../../src/stats/results.ts';

describe('x86-compare', () => {
  const r: Results = simulate(BUILTIN_SCENARIOS['x86-compare']);
  const by = (id: string) => {
    const s = r.schemes.find((x) => x.scheme === id);
    if (!s) throw new Error(`missing ${id}`);
    return s;
  };

  it('reports the five x86 schemes in the DESIGN §5 shape', () => {
    expect(r.schemes.map((s) => s.scheme)).toEqual(['bare-metal', 'x86-emul', 'x86-vmx', 'x86-apicv-pi', 'x86-eli']);
    for (const s of r.schemes) {
      expect(Object.keys(s.latencyNs.delivery)).toEqual(['count', 'mean', 'p50', 'p90', 'p99', 'p999', 'max']);
      expect(s.histograms.delivery.length).toBeGreaterThan(20);
      expect(s.interrupts.raised).toBeGreaterThan(100_000);
    }
    expect(r.engine.simulatedInterrupts).toBeGreaterThan(500_000);
  });

  it('conservation holds for every scheme', () => {
    for (const s of r.schemes) {
      expect(s.interrupts.raised).toBe(s.interrupts.delivered + s.interrupts.coalesced + s.interrupts.pending);
      expect(s.conservation.ok).toBe(true);
    }
  });

  it('exits per device interrupt to a running vCPU: ≈ 2 for x86-vmx (+ interrupt-window exits), ≈ 0 for APICv-PI and ELI', () => {
    const vmx = by('x86-vmx').exits;
    expect(vmx.perDeviceInterruptWhileRunning).toBeGreaterThanOrEqual(2);
    expect(vmx.perDeviceInterruptWhileRunning).toBeLessThan(2.6);
    // The two per-interrupt exits of V-07 are there one for one; the excess is interrupt-window exits.
    expect(vmx.byReason.MSR_WRITE).toBeGreaterThan(0.95 * by('x86-vmx').interruptsByKind.device.delivered);
    expect(by('x86-apicv-pi').exits.perDeviceInterruptWhileRunning).toBe(0);
    expect(by('x86-eli').exits.perDeviceInterruptWhileRunning).toBeLessThan(0.05);
    expect(by('bare-metal').exits.total).toBe(0);
  });

  it('relative to bare metal: APICv-PI and ELI above VMX, VMX above full emulation; ELI in the paper’s 97–100 % band', () => {
    const rel = (id: string) => by(id).cpu.relativeToBareMetal;
    expect(rel('bare-metal')).toBe(1);
    expect(rel('x86-apicv-pi')).toBeGreaterThan(rel('x86-vmx'));
    expect(rel('x86-eli')).toBeGreaterThan(rel('x86-vmx'));
    expect(rel('x86-vmx')).toBeGreaterThan(rel('x86-emul'));
    expect(rel('x86-eli')).toBeGreaterThanOrEqual(0.97);
    // No band on x86-vmx here: its costs are no longer tuned on this scenario (docs/costs.md), so where it lands
    // against the ELI paper's 60–65 % baseline is a validation outcome, reported as it is, not a test input.
    expect(rel('x86-vmx')).toBeGreaterThan(0.5);
  });

  it('delivery latency ordering follows the path length', () => {
    const p50 = (id: string) => by(id).latencyNs.delivery.p50;
    expect(p50('x86-vmx')).toBeGreaterThan(p50('x86-apicv-pi'));
    expect(p50('x86-emul')).toBeGreaterThanOrEqual(p50('x86-vmx'));
    expect(p50('x86-eli')).toBeLessThan(p50('x86-vmx'));
  });

  it('is reproducible: a second run is identical outside engine', () => {
    const again = simulate(BUILTIN_SCENARIOS['x86-compare']);
    expect(JSON.stringify({ ...again, engine: null })).toBe(JSON.stringify({ ...r, engine: null }));
  });
});
