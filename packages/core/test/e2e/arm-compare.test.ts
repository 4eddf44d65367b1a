// End-to-end: the built-in ARM scenarios through simulate() and lrSweep() — arm-compare's four schemes, exits per
// device interrupt, no EOI exits, conservation and ordering; its idle VM under KVM's WFI trap policy (GICv4 against
// GICv3); arm-lr-pressure's maintenance exits against the LR count; determinism.

import { describe, expect, it } from 'vitest';
import { BUILTIN_SCENARIOS } from '../../src/scenario/builtin.ts';
import { ScenarioError } from '../../src/scenario/load.ts';
import type { ScenarioInput } from '../../src/scenario/schema.ts';
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

  it('GICv4: the idle db VM, alone on pCPUs 8–9 with forwarded vLPIs, WFIs natively (no ARM_WFI); GICv2/v3 trap', () => {
    expect(by('arm-gicv4').exits.byReason.ARM_WFI ?? 0).toBe(0);
    expect(by('arm-gicv3').exits.byReason.ARM_WFI).toBeGreaterThan(1000);
    expect(by('arm-gicv2').exits.byReason.ARM_WFI).toBeGreaterThan(1000);
  });

  it('is reproducible: the same scenario and seed twice give identical JSON outside engine', () => {
    const short = { ...BUILTIN_SCENARIOS['arm-compare'], duration: '40ms' };
    const a = simulate(short);
    const b = simulate(short);
    expect(JSON.stringify({ ...b, engine: null })).toBe(JSON.stringify({ ...a, engine: null }));
  });
});

/**
 * arm-compare's idle VM on its own: the db VM (2 vCPUs pinned alone on pCPUs 8–9, WFI in idle periods) and its
 * moderated NIC, with the same pins, costs and host. VMs share nothing, so this is the db VM's part of
 * arm-compare (statistically: RNG streams are keyed by global vCPU and queue index, which shift without the web
 * VMs).
 */
function armCompareIdleVm(patch: Partial<ScenarioInput> = {}): ScenarioInput {
  const base = BUILTIN_SCENARIOS['arm-compare'];
  return {
    ...base,
    name: 'arm-compare-db',
    schemes: ['arm-gicv3', 'arm-gicv4'],
    vms: (base.vms ?? []).filter((v) => v.name === 'db'),
    devices: (base.devices ?? []).filter((d) => d.vm === 'db'),
    ...patch,
  };
}

describe("arm-compare's idle VM: KVM's WFI trap policy under GICv4", () => {
  const r: Results = simulate(armCompareIdleVm());
  const by = (res: Results, id: string) => {
    const s = res.schemes.find((x) => x.scheme === id);
    if (!s) throw new Error(`missing ${id}`);
    return s;
  };

  it('it idles and takes interrupts while idle: GICv3 traps thousands of WFIs; conservation holds', () => {
    const v3 = by(r, 'arm-gicv3');
    expect(v3.exits.byReason.ARM_WFI).toBeGreaterThan(1000);
    expect(v3.interruptsByKind.device.delivered).toBeGreaterThan(10_000);
    for (const s of r.schemes) expect(s.conservation.ok).toBe(true);
  });

  it('GICv4, default policy: no ARM_WFI exit (TWI clear: alone on its pCPU, vlpi_count > 0); only timer/tick exits', () => {
    const v4 = by(r, 'arm-gicv4');
    expect(v4.exits.byReason.ARM_WFI ?? 0).toBe(0);
    expect(v4.exits.byReason.DOORBELL ?? 0).toBe(0);
    expect(Object.keys(v4.exits.byReason)).toEqual(['ARM_IRQ']); // host ticks and the vtimer PPI at EL2
    expect(v4.exits.byReason.ARM_IRQ).toBeLessThan(0.02 * v4.interrupts.delivered);
  });

  it('GICv4 delivery p99 is at most GICv3’s (and its p50 below)', () => {
    const p = (id: string) => by(r, id).latencyNs.delivery;
    expect(p('arm-gicv4').p99).toBeLessThanOrEqual(p('arm-gicv3').p99);
    expect(p('arm-gicv4').p50).toBeLessThan(p('arm-gicv3').p50);
  });

  it('with kvm-arm.wfi_trap_policy=trap GICv4 traps every idle WFI like GICv3 and wakes through the doorbell', () => {
    const t = simulate(
      armCompareIdleVm({ schemes: ['arm-gicv4'], schemeOptions: { 'arm-gicv4': { wfiTrapPolicy: 'trap' } } }),
    );
    const v4 = by(t, 'arm-gicv4');
    expect(v4.exits.byReason.ARM_WFI).toBeGreaterThan(1000);
    expect(v4.latencyNs.delivery.p99).toBeGreaterThan(by(r, 'arm-gicv4').latencyNs.delivery.p99);
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
