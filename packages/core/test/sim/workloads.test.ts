// Workload models (DESIGN §18): handler-work semantics per source, the NIC receive path with NAPI and moderation,
// on/off and trace arrivals, the closed loop. Each test is named by the rule it checks (WORK-, NAPI-, MOD-, ARR-, CL-).

import { describe, expect, it } from 'vitest';
import { moderationSweep } from '../../src/moderation-sweep.ts';
import { BUILTIN_SCENARIOS } from '../../src/scenario/builtin.ts';
import { COST_NAMES } from '../../src/scenario/costs.ts';
import { ScenarioError, validateScenario } from '../../src/scenario/load.ts';
import type { ScenarioInput } from '../../src/scenario/schema.ts';
import { BULK_LATENCY, LOW_LATENCY, LOWEST_LATENCY, setItr, updateItrClass } from '../../src/sim/nic.ts';
import { simulate } from '../../src/simulate.ts';

const ZERO = Object.fromEntries(COST_NAMES.map((n) => [n, 0]));
const X86 = ['bare-metal', 'x86-emul', 'x86-vmx', 'x86-apicv-pi', 'x86-eli'] as const;
const ARM = ['bare-metal', 'arm-gicv2', 'arm-gicv3', 'arm-gicv4'] as const;

/** One vCPU, one device, zero delivery costs, no host tick: a queue the theory can answer for. */
function oneQueue(device: Record<string, unknown>, duration = '200ms', handler = '1us'): ScenarioInput {
  return {
    name: 'one-queue',
    arch: 'x86',
    schemes: ['bare-metal'],
    seed: 5,
    duration,
    cpu: { freqGHz: 2 },
    costs: { preset: 'xeon-e5-kvm', overrides: ZERO },
    host: { pcpus: 1, timerHz: 0 },
    vms: [{ name: 'vm', vcpus: 1, guest: { handler: { dist: 'exponential', mean: handler } } }],
    devices: [{ name: 'dev', vm: 'vm', vector: 0x41, ...device }],
  } as ScenarioInput;
}

function nic(
  arch: 'x86' | 'arm',
  moderation?: Record<string, unknown>,
  extra: Record<string, unknown> = {},
): ScenarioInput {
  return {
    name: `nic-${arch}`,
    arch,
    schemes: arch === 'x86' ? [...X86] : [...ARM],
    seed: 3,
    duration: '20ms',
    cpu: { freqGHz: arch === 'x86' ? 2.93 : 2 },
    costs: { preset: arch === 'x86' ? 'nehalem-kvm' : 'arm-kvm-vhe' },
    host: { pcpus: 2, timerHz: 250 },
    vms: [
      {
        name: 'vm',
        vcpus: 2,
        pin: [0, 1],
        guest: {
          handler: { dist: 'fixed', value: '300ns' },
          ipi: { rate: 2000 },
          idle: { activeMean: '1ms', idleMean: '200us' },
        },
      },
    ],
    devices: [
      {
        name: 'nic',
        vm: 'vm',
        kind: 'nic',
        vector: 0x41,
        arrival: { process: 'poisson', rate: 200_000 },
        ...(moderation ? { moderation } : {}),
        napi: { perPacket: { dist: 'exponential', mean: '1us' } },
        ...extra,
      },
    ],
  } as ScenarioInput;
}

describe('handler-work semantics', () => {
  it('WORK-01 a per-interrupt source is an M/M/1/2 queue: a third interrupt coalesces and its work is lost', () => {
    const rho = 0.6;
    const r = simulate(oneQueue({ arrival: { process: 'poisson', rate: rho * 1e6 } })).schemes[0];
    const p0 = (1 - rho) / (1 - rho ** 3);
    const p1 = rho * p0;
    const p2 = rho * p1;
    expect(r.interrupts.coalesced / r.interrupts.raised).toBeCloseTo(p2, 2);
    const wq = (p1 / (1 - p2)) * 1000; // ns, 1 µs mean service
    expect(Math.abs(r.latencyNs.delivery.mean / wq - 1)).toBeLessThan(0.03);
    // One sampled handler per delivered interrupt: handler time ≈ delivered × 1 µs.
    const handlerNs = r.cpu.cycles.guestHandlers / 2;
    expect(Math.abs(handlerNs / (r.interrupts.delivered * 1000) - 1)).toBeLessThan(0.03);
  });

  it('WORK-02 a queued source keeps the work of coalesced events: handler time ≈ raised × mean', () => {
    const r = simulate(oneQueue({ kind: 'nvme', arrival: { process: 'poisson', rate: 0.6e6 } })).schemes[0];
    expect(r.interrupts.coalesced).toBeGreaterThan(0.05 * r.interrupts.raised);
    const handlerNs = r.cpu.cycles.guestHandlers / 2;
    expect(Math.abs(handlerNs / (r.interrupts.raised * 1000) - 1)).toBeLessThan(0.03);
  });

  it('WORK-03 defaults by kind: generic → per-interrupt, nic/nvme → queued; `work` overrides', () => {
    const run = (d: Record<string, unknown>) =>
      simulate(oneQueue({ arrival: { process: 'poisson', rate: 0.6e6 }, ...d }, '50ms')).schemes[0].cpu.cycles
        .guestHandlers;
    const generic = run({});
    expect(run({ kind: 'nic' })).toBeGreaterThan(1.1 * generic);
    expect(run({ kind: 'nic', work: 'per-interrupt' })).toBe(generic);
    expect(run({ work: 'queued' })).toBe(run({ kind: 'nvme' }));
  });
});

describe('NIC with NAPI', () => {
  for (const arch of ['x86', 'arm'] as const)
    for (const mod of [undefined, { minInterval: '10us' }, { adaptive: true }, { minInterval: '20us', packets: 8 }])
      it(`NAPI-01 ${arch} ${JSON.stringify(mod ?? 'no moderation')}: every packet accounted for, none stuck, under every scheme`, () => {
        const r = simulate(nic(arch, mod));
        for (const x of r.schemes) {
          const p = x.packets!;
          expect(p.conserved, x.scheme).toBe(true);
          expect(p.arrived, x.scheme).toBe(r.schemes[0].packets!.arrived);
          expect(p.dropped, x.scheme).toBe(0);
          expect(p.inRing, x.scheme).toBeLessThan(64); // a stuck NAPI would leave the ring full
          expect(p.latencyNs.p99, x.scheme).toBeLessThan(500_000);
          expect(x.conservation.ok, x.scheme).toBe(true);
        }
      });

  it('NAPI-02 the interrupt is masked while NAPI polls: batching at high load, one interrupt per packet at low load', () => {
    const hi = simulate({ ...nic('x86'), schemes: ['bare-metal'] }).schemes[0].packets!;
    expect(hi.interruptsPerPacket).toBeLessThan(0.9);
    const lo = simulate({
      ...nic('x86', undefined, { arrival: { process: 'poisson', rate: 2000 } }),
      schemes: ['bare-metal'],
      duration: '100ms',
    }).schemes[0].packets!;
    expect(lo.interruptsPerPacket).toBeGreaterThan(0.98);
    expect(lo.interruptsPerPacket).toBeLessThanOrEqual(1);
  });

  it('NAPI-03 a full RX ring drops packets, and they are counted', () => {
    const s = nic('x86', { minInterval: '200us' }, { napi: { ring: 8, perPacket: { dist: 'fixed', value: '1us' } } });
    const r = simulate({ ...s, schemes: ['bare-metal', 'x86-vmx'] });
    for (const x of r.schemes) {
      expect(x.packets!.dropped, x.scheme).toBeGreaterThan(0);
      expect(x.packets!.conserved, x.scheme).toBe(true);
    }
  });

  it('NAPI-04 the budget splits polls: budget 1 polls once per packet', () => {
    const s = nic('x86', undefined, { napi: { budget: 1, perPacket: { dist: 'exponential', mean: '1us' } } });
    const p = simulate({ ...s, schemes: ['bare-metal'] }).schemes[0].packets!;
    expect(p.polls).toBeGreaterThanOrEqual(p.processed);
  });
});

describe('moderation', () => {
  it('ITR-01 ixgbevf_update_itr classes and ixgbevf_set_itr smoothing', () => {
    // bytes_perint = bytes / (itr >> 2) µs, thresholds 10 and 20 bytes/µs.
    expect(updateItrClass(LOWEST_LATENCY, 10, 50 * 11, 200)).toBe(LOW_LATENCY);
    expect(updateItrClass(LOWEST_LATENCY, 10, 50 * 10, 200)).toBe(LOWEST_LATENCY);
    expect(updateItrClass(LOW_LATENCY, 10, 50 * 21, 200)).toBe(BULK_LATENCY);
    expect(updateItrClass(LOW_LATENCY, 10, 50 * 10, 200)).toBe(LOWEST_LATENCY);
    expect(updateItrClass(BULK_LATENCY, 10, 50 * 20, 200)).toBe(LOW_LATENCY);
    expect(updateItrClass(BULK_LATENCY, 0, 0, 200)).toBe(BULK_LATENCY);
    expect(setItr(BULK_LATENCY, 200)).toBe(Math.floor((10 * 336 * 200) / (9 * 336 + 200)));
    expect(setItr(LOW_LATENCY, 200)).toBe(200);
    let itr = 200;
    for (let k = 0; k < 50; k++) itr = setItr(BULK_LATENCY, itr);
    // Integer smoothing stalls just below IXGBE_12K_ITR (336), as the driver's own arithmetic does.
    expect(itr).toBeGreaterThan(320);
    expect(itr).toBeLessThanOrEqual(336);
  });

  it('MOD-01 moderation-sweep: interrupts fall and packet latency rises with the interval, for every scheme; the gap narrows', () => {
    const s = { ...BUILTIN_SCENARIOS['moderation-sweep'], duration: '10ms' };
    const pts = [0, 10_000, 50_000, 125_000];
    const r = moderationSweep(s, pts);
    for (const id of X86) {
      const row = pts.map((p) => r.points.find((x) => x.moderation === p && x.scheme === id)!);
      for (let k = 1; k < row.length; k++) {
        expect(row[k].deviceInterruptsPerSecond, `${id} ${pts[k]}`).toBeLessThan(row[k - 1].deviceInterruptsPerSecond);
        expect(row[k].packetLatencyNs.p50, `${id} ${pts[k]}`).toBeGreaterThan(row[k - 1].packetLatencyNs.p50);
      }
      expect(row.every((p) => p.conserved)).toBe(true);
    }
    const gap = (p: number) => {
      const at = r.points.filter((x) => x.moderation === p).map((x) => x.relativeToBareMetal);
      return Math.max(...at) - Math.min(...at);
    };
    expect(gap(125_000)).toBeLessThan(gap(0) / 3);
  });
});

describe('arrival processes', () => {
  it('ARR-01 on/off: the long-run rate is rate × on / (on + off)', () => {
    const r = simulate(
      oneQueue({ arrival: { process: 'onoff', rate: 200_000, on: '20us', off: '60us' } }, '400ms', '100ns'),
    ).schemes[0];
    expect(Math.abs(r.interrupts.raised / 0.4 / 50_000 - 1)).toBeLessThan(0.05);
  });

  it('ARR-02 a trace is replayed at its timestamps, once or every `repeat`', () => {
    const times = ['10us', '20us', '35us', '90us'];
    const once = simulate(oneQueue({ arrival: { process: 'trace', times } }, '1ms', '1us')).schemes[0];
    expect(once.interrupts.raised).toBe(4);
    expect(once.interrupts.delivered).toBe(4);
    const rep = simulate(oneQueue({ arrival: { process: 'trace', times, repeat: '100us' } }, '1ms', '1us')).schemes[0];
    expect(rep.interrupts.raised).toBe(40);
  });
});

describe('closed loop', () => {
  const closed = (N: number, schemes: string[] = ['bare-metal'], costs?: ScenarioInput['costs']) =>
    ({
      ...oneQueue({
        kind: 'nic',
        arrival: { process: 'closed', clients: N, think: { dist: 'exponential', mean: '4us' } },
        napi: { perPacket: { dist: 'exponential', mean: '1us' } },
        handler: { dist: 'fixed', value: 0 },
      }),
      schemes,
      ...(costs ? { costs } : {}),
    }) as ScenarioInput;

  it('CL-01 throughput and response time match mean-value analysis (one FCFS station + think time)', () => {
    for (const N of [2, 8]) {
      let Q = 0;
      let X = 0;
      let R = 0;
      for (let n = 1; n <= N; n++) {
        R = 1e-6 * (1 + Q);
        X = n / (R + 4e-6);
        Q = X * R;
      }
      const r = simulate(closed(N)).schemes[0];
      expect(Math.abs(r.throughput!.requestsPerSecond / X - 1), `N=${N}`).toBeLessThan(0.02);
      expect(Math.abs(r.packets!.latencyNs.mean / (R * 1e9) - 1), `N=${N}`).toBeLessThan(0.03);
    }
  });

  it('CL-02 the offered load follows the guest: slower delivery ⇒ fewer requests; throughput relative to bare metal', () => {
    const r = simulate(closed(16, ['bare-metal', 'x86-emul', 'x86-apicv-pi'], { preset: 'xeon-e5-kvm' }));
    const [bm, emul, pi] = r.schemes;
    expect(emul.throughput!.requests).toBeLessThan(bm.throughput!.requests);
    expect(emul.throughput!.relativeToBareMetal).toBeCloseTo(emul.throughput!.requests / bm.throughput!.requests, 5);
    expect(pi.throughput!.relativeToBareMetal).toBeGreaterThan(emul.throughput!.relativeToBareMetal);
    expect(bm.throughput!.relativeToBareMetal).toBe(1);
  });
});

describe('schema rules for devices', () => {
  const bad = (d: Record<string, unknown>, field: RegExp) => expect(() => validateScenario(oneQueue(d))).toThrow(field);
  it('rejects combinations that make no sense, naming the field', () => {
    const napi = { napi: { perPacket: { dist: 'fixed', value: 100 } } };
    bad({ arrival: { process: 'poisson', rate: 1 }, ...napi }, /devices\[0\]\.napi: napi applies only to kind "nic"/);
    bad({ kind: 'nic', arrival: { process: 'poisson', rate: 1 }, work: 'queued', ...napi }, /devices\[0\]\.work/);
    bad({ arrival: { process: 'poisson', rate: 1 }, moderation: { packets: 4 } }, /moderation\.packets: needs/);
    bad(
      { arrival: { process: 'poisson', rate: 1 }, moderation: { adaptive: true } },
      /moderation\.adaptive: needs napi/,
    );
    bad(
      { arrival: { process: 'closed', clients: 2, think: { dist: 'fixed', value: 1 } } },
      /devices\[0\]\.arrival: a closed/,
    );
    bad(
      {
        kind: 'nic',
        arrival: { process: 'closed', clients: 9, think: { dist: 'fixed', value: 1 } },
        napi: { ring: 8, perPacket: { dist: 'fixed', value: 1 } },
      },
      /napi\.ring: must hold/,
    );
    bad({ arrival: { process: 'trace', times: [5, 3] } }, /arrival\.times\[1\]: trace timestamps/);
    bad({ arrival: { process: 'trace', times: [5, 30], repeat: 20 } }, /arrival\.repeat/);
    bad(
      { kind: 'nic', vector: 0xec, arrival: { process: 'poisson', rate: 1 }, ...napi },
      /devices\[0\]\.vector: vector 236 of a NAPI device is shared/,
    );
    expect(() => validateScenario(oneQueue({ arrival: { process: 'onoff', rate: 1, on: 0, off: 1 } }))).toThrow(
      ScenarioError,
    );
  });
});
