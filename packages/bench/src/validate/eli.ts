// ELI (ASPLOS 2012) on the closed-loop netperf-like workload (DESIGN §18, docs/VALIDATION.md "ELI closed-loop").
// Published: baseline KVM with device assignment 60–65 % of bare metal [S], ELI 97–100 % [V], a 1.3–1.6× gain [V],
// with over 150K physical interrupts per second per core even with coalescing and hybrid polling [V].
//
// Every input below was fixed before the first run and none is tuned to the ratios compared:
// - nehalem-kvm costs (the ELI testbed's Xeon X5570, 2.93 GHz; SplitX's 2,000-cycle exit, docs/costs.md §4.2 — the
//   old calibration on x86-compare is gone, see calibration.nehalem-kvm); host tick 250 Hz;
// - x86-vmx is the ELI-era baseline: PV EOI off (Linux 3.6 came after the paper's guests), an x2APIC guest (ELI's
//   exitless EOI needs it, so the paper's guests had it);
// - one vCPU on a dedicated pCPU (the paper's 1-vCPU guest [U]);
// - a CPU-bound closed loop: 32 outstanding requests (a TCP window's worth), a fixed 20 µs round trip outside the
//   guest, NAPI (budget 64, no ITR: NAPI is the paper's "hybrid polling"), 0.5 µs of softirq stack work and 3 µs of
//   application work per request, 0.5 µs hard-IRQ handler — estimates, chosen so that the *bare-metal* interrupt rate
//   is above the published 150K/s (the workload's input, checked by eli.interrupt-rate), not from any ratio;
// - "% of bare metal" = requests completed relative to bare metal (throughput.relativeToBareMetal).

import { type Results, type ScenarioInput, simulate } from '@ivsim/core';
import { bound, type ValidationCase } from './types.ts';

const GROUP = 'eli';
const CITE = 'Gordon et al., “ELI: Bare-Metal Performance for I/O Virtualization”, ASPLOS 2012';

interface Workload {
  clients: number;
  roundTrip: string;
  softirq: string;
  app: string;
}

/** The declared workload (above) and, for the sensitivity table, its neighbours. */
export const ELI_WORKLOAD: Workload = { clients: 32, roundTrip: '20us', softirq: '0.5us', app: '3us' };
const NEIGHBOURS: Workload[] = [
  ELI_WORKLOAD,
  { ...ELI_WORKLOAD, clients: 8 },
  { ...ELI_WORKLOAD, roundTrip: '50us' },
  { ...ELI_WORKLOAD, softirq: '1us' },
  { ...ELI_WORKLOAD, app: '5us' },
  { ...ELI_WORKLOAD, app: '2us', softirq: '1us' },
];

export function eliScenario(w: Workload, quick: boolean): ScenarioInput {
  return {
    name: 'eli-netperf-like',
    arch: 'x86',
    schemes: ['bare-metal', 'x86-vmx', 'x86-eli'],
    seed: 2012,
    // The declared workload always runs 200 ms: a closed loop's sample path differs per scheme, so a ratio to bare
    // metal carries sampling noise (40 ms put ELI at 100.01 %); the sensitivity neighbours run 40 ms in --quick.
    duration: quick && w !== ELI_WORKLOAD ? '40ms' : '200ms',
    cpu: { freqGHz: 2.93 },
    costs: { preset: 'nehalem-kvm' },
    host: { pcpus: 1, timerHz: 250, x2apic: true },
    schemeOptions: { 'x86-vmx': { pvEoi: false } },
    vms: [{ name: 'vm', vcpus: 1, guest: { handler: { dist: 'exponential', mean: '1us' } } }],
    devices: [
      {
        name: 'nic',
        vm: 'vm',
        kind: 'nic',
        vector: 0x41,
        arrival: {
          process: 'closed',
          clients: w.clients,
          think: { dist: 'fixed', value: w.roundTrip },
          app: { dist: 'exponential', mean: w.app },
        },
        napi: { ring: 512, budget: 64, perPacket: { dist: 'exponential', mean: w.softirq } },
        handler: { dist: 'fixed', value: '500ns' },
      },
    ],
  } as ScenarioInput;
}

const memo = new Map<string, Results>();
function eliRun(w: Workload, quick: boolean): Results {
  const key = `${JSON.stringify(w)}/${quick}`;
  let r = memo.get(key);
  if (!r) {
    r = simulate(eliScenario(w, quick));
    memo.set(key, r);
  }
  return r;
}

interface Ratios {
  baseline: number;
  eli: number;
  gain: number;
  bmIrqPerSec: number;
  vmxIrqPerSec: number;
  vmxExitsPerIrq: number;
}

function ratios(w: Workload, quick: boolean): Ratios {
  const r = eliRun(w, quick);
  const dur = r.durationNs / 1e9;
  const [bm, vmx, eli] = r.schemes;
  const irq = (x: (typeof r.schemes)[number]) => x.interrupts.raisedBySource.device / dur;
  const baseline = vmx.throughput!.relativeToBareMetal;
  return {
    baseline,
    eli: eli.throughput!.relativeToBareMetal,
    gain: eli.throughput!.requests / vmx.throughput!.requests,
    bmIrqPerSec: irq(bm),
    vmxIrqPerSec: irq(vmx),
    vmxExitsPerIrq: vmx.exits.total / Math.max(1, vmx.interrupts.raisedBySource.device),
  };
}

const pct = (x: number) => `${(x * 100).toFixed(1)} %`;

function sensitivity(quick: boolean) {
  return {
    title: 'ELI closed loop: the declared workload (first row) and its neighbours',
    header: ['clients', 'round trip', 'softirq', 'app', 'bm irqs/s', 'vmx irqs/s', 'baseline', 'ELI', 'gain'],
    rows: NEIGHBOURS.map((w) => {
      const x = ratios(w, quick);
      return [
        String(w.clients),
        w.roundTrip,
        w.softirq,
        w.app,
        Math.round(x.bmIrqPerSec).toLocaleString('en-US'),
        Math.round(x.vmxIrqPerSec).toLocaleString('en-US'),
        pct(x.baseline),
        pct(x.eli),
        `${x.gain.toFixed(2)}×`,
      ];
    }),
  };
}

const MISS_CAUSE =
  'The model charges x86-vmx about 5,400 cycles per interrupt — two exits (external interrupt, EOI MSR write) of ' +
  'SplitX’s 2,000-cycle direct cost plus the host handler (644), the injection (394) and the EOI emulation (394). At ' +
  'the ~112K interrupts/s x86-vmx takes here, 60–65 % of bare metal needs roughly 9,200–10,500 cycles per ' +
  'interrupt: about 1,900–2,500 more per exit. That is the size SplitX (F3) gives the indirect cost of an exit — cache and TLB ' +
  'pollution that “can in certain cases be an order of magnitude higher” than the direct cost — which every preset ' +
  'sets to 0 (exitIndirect, docs/costs.md §2) because the hot-loop composites the presets derive from already contain ' +
  'theirs. A real netperf guest between interrupts is not a hot loop. Setting exitIndirect from this case would be ' +
  'fitting it to the result it validates, so it stays 0 and the miss stays.';

export const ELI_CASES: ValidationCase[] = [
  {
    id: `${GROUP}.interrupt-rate`,
    group: GROUP,
    source: { citation: `${CITE} §1: “over 150K physical interrupts per second”`, short: 'ELI §1', tag: 'V' },
    compares: 'the workload’s input: device interrupts per second under bare metal (NAPI, no ITR)',
    unit: 'irqs/s',
    expected: bound(150_000, Number.POSITIVE_INFINITY, '≥ 150,000 (the workload’s input)'),
    kind: 'derivation',
    note: 'Checks that the case runs at the published interrupt rate; the per-request work was chosen for it.',
    run: ({ quick }) => {
      const x = ratios(ELI_WORKLOAD, quick);
      return { value: x.bmIrqPerSec, detail: `x86-vmx takes ${Math.round(x.vmxIrqPerSec).toLocaleString('en-US')}/s` };
    },
  },
  {
    id: `${GROUP}.baseline`,
    group: GROUP,
    source: {
      citation: `${CITE} §5, Fig. 3 (via Note-VMX): baseline KVM with device assignment`,
      short: 'ELI §5',
      tag: 'S',
    },
    compares: 'x86-vmx (PV EOI off) requests completed relative to bare metal, closed loop, %',
    unit: '%',
    expected: { target: 62.5, lo: 60, hi: 65, text: '60–65 %', error: 'points' },
    kind: 'prediction',
    knownMiss: MISS_CAUSE,
    run: ({ quick }) => {
      const x = ratios(ELI_WORKLOAD, quick);
      return {
        value: x.baseline * 100,
        detail: `${x.vmxExitsPerIrq.toFixed(2)} exits per interrupt`,
        tables: [sensitivity(quick)],
      };
    },
  },
  {
    id: `${GROUP}.eli`,
    group: GROUP,
    source: { citation: `${CITE}, abstract: ELI 97–100 % of bare metal`, short: 'ELI abstract', tag: 'V' },
    compares: 'x86-eli requests completed relative to bare metal, closed loop, %',
    unit: '%',
    expected: { target: 98.5, lo: 97, hi: 100, text: '97–100 %', error: 'points' },
    kind: 'prediction',
    run: ({ quick }) => ({ value: ratios(ELI_WORKLOAD, quick).eli * 100 }),
  },
  {
    id: `${GROUP}.gain`,
    group: GROUP,
    source: { citation: `${CITE}, abstract: 1.3–1.6× throughput over baseline KVM`, short: 'ELI abstract', tag: 'V' },
    compares: 'x86-eli requests / x86-vmx requests, closed loop',
    unit: '×',
    expected: { target: 1.45, lo: 1.3, hi: 1.6, text: '1.3–1.6×', error: 'relative' },
    kind: 'prediction',
    knownMiss: `The gain is ELI over the baseline, so it misses with eli.baseline. ${MISS_CAUSE.split('. ')[0]}.`,
    run: ({ quick }) => ({ value: ratios(ELI_WORKLOAD, quick).gain }),
  },
];
