// Queueing theory: cases with exact analytic answers (DESIGN §18, docs/VALIDATION.md "Queueing theory").
// - One vector of a per-interrupt source under bare metal with every delivery cost 0 and no host tick is an M/M/1/2
//   (exponential handler) or M/D/1/2 (fixed handler) loss system: one handler running (IF = 0 until its IRET), one
//   interrupt pending in IRR, a third coalesces — a lost signal and, for a pure signal, lost work. Compared: the mean
//   delivery latency (raise → handler start = wait before service, Wq) and the coalesced share (blocking p_K).
// - The closed loop (clients, think time, a NAPI NIC, zero costs) is one FCFS exponential station plus a delay
//   station: exact MVA gives its throughput X(N) and response time R(N).
// Nothing here depends on a cost preset: every cost is overridden to 0, so a pass tests the engine's time keeping,
// queueing and coalescing, independently of any published figure.

import { COST_NAMES, type Results, type ScenarioInput, simulate } from '@ivsim/core';
import type { Counters } from '@ivsim/core/internal';
import { md1k, mm1k, mva } from './analytic.ts';
import { runCounters } from './measure.ts';
import { relTolerance, type ValidationCase } from './types.ts';

const GROUP = 'queueing';
const TOL = 0.02;
const F = 2; // GHz: 1 ns = 2 cycles
const MEAN_SERVICE_NS = 1000;
const ZERO = Object.fromEntries(COST_NAMES.map((n) => [n, 0]));

/** One vCPU VM `vm` on one pCPU under bare metal, every cost 0, no host tick: the shape every case here shares. */
function zeroCost(
  name: string,
  seed: number,
  duration: string,
  vms: ScenarioInput['vms'],
  devices: ScenarioInput['devices'],
): ScenarioInput {
  return {
    name,
    arch: 'x86',
    schemes: ['bare-metal'],
    seed,
    duration,
    cpu: { freqGHz: F },
    costs: { preset: 'xeon-e5-kvm', overrides: ZERO },
    host: { pcpus: 1, timerHz: 0 },
    vms,
    devices,
  } as ScenarioInput;
}

/** One vCPU, one device at rate λ, handler `dist` with mean 1 µs, zero costs, no host tick. */
function singleVector(rho: number, dist: 'exponential' | 'fixed', quick: boolean): ScenarioInput {
  return zeroCost(
    `queueing-${dist}-${rho}`,
    20_261_201,
    quick ? '500ms' : '2s',
    [
      {
        name: 'vm',
        vcpus: 1,
        guest: {
          handler:
            dist === 'fixed'
              ? { dist: 'fixed', value: MEAN_SERVICE_NS }
              : { dist: 'exponential', mean: MEAN_SERVICE_NS },
        },
      },
    ],
    // `generic`: a per-interrupt source (a pure signal), the default for the kind.
    [{ name: 'dev', vm: 'vm', vector: 0x41, arrival: { process: 'poisson', rate: (rho * 1e9) / MEAN_SERVICE_NS } }],
  );
}

const memo = new Map<string, Counters>();
function queueRun(rho: number, dist: 'exponential' | 'fixed', quick: boolean): Counters {
  const key = `${rho}/${dist}/${quick}`;
  let c = memo.get(key);
  if (!c) {
    c = runCounters(singleVector(rho, dist, quick), 'bare-metal');
    memo.set(key, c);
  }
  return c;
}

const MM12 =
  'Gross, Shortle, Thompson & Harris, Fundamentals of Queueing Theory (4th ed.) §2.5, M/M/1/K with K = 2: ' +
  'p_n = ρ^n(1 − ρ)/(1 − ρ³), Wq = p_1 / (μ(1 − p_2)), blocking p_2';
const MD12 = 'Gross et al. §5.1.9, M/G/1/K by the departure-epoch embedded Markov chain, deterministic service, K = 2';

function singleVectorCases(dist: 'exponential' | 'fixed', rhos: number[]): ValidationCase[] {
  const name = dist === 'exponential' ? 'mm12' : 'md12';
  const model = (rho: number) =>
    dist === 'exponential'
      ? mm1k(rho / MEAN_SERVICE_NS, MEAN_SERVICE_NS, 2)
      : md1k(rho / MEAN_SERVICE_NS, MEAN_SERVICE_NS, 2);
  const source = {
    citation: dist === 'exponential' ? MM12 : MD12,
    short: dist === 'exponential' ? 'M/M/1/2' : 'M/D/1/2',
    tag: 'analytic' as const,
  };
  const setup =
    `one vector, bare-metal, all costs 0, no host tick, Poisson arrivals at ρ/1 µs, ${dist} 1 µs handler ` +
    '(a per-interrupt source)';
  return rhos.flatMap((rho): ValidationCase[] => [
    {
      id: `${GROUP}.${name}.rho-${rho}.wait`,
      group: GROUP,
      source,
      compares: `${setup}: mean delivery latency (raise → handler start), ns`,
      unit: 'ns',
      expected: relTolerance(model(rho).Wq, TOL),
      kind: 'prediction',
      run: ({ quick }) => {
        const c = queueRun(rho, dist, quick);
        return { value: c.delivery.sum / c.delivery.count / F, detail: `${c.delivered} delivered` };
      },
    },
    {
      id: `${GROUP}.${name}.rho-${rho}.loss`,
      group: GROUP,
      source,
      compares: `${setup}: coalesced share of raised interrupts (blocking probability)`,
      unit: 'share',
      expected: relTolerance(model(rho).blocking, TOL),
      kind: 'prediction',
      run: ({ quick }) => {
        const c = queueRun(rho, dist, quick);
        return { value: c.coalesced / c.raised, detail: `${c.raised} raised` };
      },
    },
  ]);
}

// ---- closed loop against MVA ----------------------------------------------------------------------------------

const D_NS = 1000;
const Z_NS = 4000;

function closedLoop(N: number, quick: boolean): ScenarioInput {
  return zeroCost(
    `queueing-closed-${N}`,
    20_261_202,
    quick ? '100ms' : '400ms',
    [{ name: 'vm', vcpus: 1, guest: { handler: { dist: 'fixed', value: 0 } } }],
    [
      {
        name: 'nic',
        vm: 'vm',
        kind: 'nic',
        vector: 0x41,
        arrival: { process: 'closed', clients: N, think: { dist: 'exponential', mean: Z_NS } },
        napi: { ring: Math.max(512, N), perPacket: { dist: 'exponential', mean: D_NS } },
        handler: { dist: 'fixed', value: 0 },
      },
    ],
  );
}

const closedMemo = new Map<string, Results>();
function closedRun(N: number, quick: boolean): Results {
  const key = `${N}/${quick}`;
  let r = closedMemo.get(key);
  if (!r) {
    r = simulate(closedLoop(N, quick));
    closedMemo.set(key, r);
  }
  return r;
}

const MVA =
  'Lazowska, Zahorjan, Graham & Sevcik, Quantitative System Performance (1984) ch. 6: exact MVA, one FCFS ' +
  'exponential station (D) and a delay station (Z)';

function closedCases(populations: number[]): ValidationCase[] {
  const setup = `closed loop, N clients, think Exp(4 µs), NAPI poll Exp(1 µs) per request, bare-metal, all costs 0`;
  const source = { citation: MVA, short: 'MVA', tag: 'analytic' as const };
  return populations.flatMap((N): ValidationCase[] => {
    const m = mva(D_NS / 1e9, Z_NS / 1e9, N)[N - 1];
    return [
      {
        id: `${GROUP}.mva.n-${N}.throughput`,
        group: GROUP,
        source,
        compares: `${setup.replace('N clients', `${N} clients`)}: requests per second X(N)`,
        unit: 'req/s',
        expected: relTolerance(m.X, TOL),
        kind: 'prediction',
        run: ({ quick }) => {
          const t = closedRun(N, quick).schemes[0].throughput!;
          return { value: t.requestsPerSecond, detail: `${t.requests} requests` };
        },
      },
      {
        id: `${GROUP}.mva.n-${N}.response`,
        group: GROUP,
        source,
        compares: `${setup.replace('N clients', `${N} clients`)}: mean response time R(N) (arrival → processed), ns`,
        unit: 'ns',
        expected: relTolerance(m.R * 1e9, TOL),
        kind: 'prediction',
        run: ({ quick }) => {
          const t = closedRun(N, quick).schemes[0].throughput!;
          return { value: t.latencyNs.mean, detail: `${t.latencyNs.count} responses` };
        },
      },
    ];
  });
}

export const QUEUEING_CASES: ValidationCase[] = [
  ...singleVectorCases('exponential', [0.2, 0.5, 0.7, 0.9]),
  ...singleVectorCases('fixed', [0.5, 0.9]),
  ...closedCases([1, 4, 16]),
];
