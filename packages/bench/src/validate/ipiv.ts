// IPI virtualization (Intel IPIv) against kvm-unit-tests `vmexit/ipi` as published in Zeng Guang's v7 cover letter
// (docs/costs.md F25, "context only": no cost was derived from it, so every case here is a prediction).

import type { Counters } from '@ivsim/core/internal';
import { cyclesPerExit, ipiPair, meanCycles, runCounters } from './measure.ts';
import { bound, fmtNum, pointsTolerance, type ValidationCase } from './types.ts';

const GROUP = 'ipiv';
const PRESET = 'xeon-e5-kvm';
const CITE = 'Zeng Guang, “IPI virtualization support for VM”, KVM v7 cover letter (2022), kvm-unit-tests vmexit/ipi';
/** Published averages, cycles (F25 [V]). */
export const IPIV_PUBLISHED = {
  xapic: { without: 6059, with: 4713.1 },
  x2apic: { without: 4337.85, with: 3644.8 },
};

export const IPIV_DEFINITION =
  'per-IPI cycles = mean IPI completion latency (the sender’s ICR write intent → the target’s EOI in effect), ' +
  'x86-apicv-pi, 2 vCPUs on 2 pCPUs both in guest code (the AP loops, no HLT), xeon-e5-kvm costs';

type Mode = 'xapic' | 'x2apic';

interface IpiRun {
  /** Mean completion latency, cycles. */
  perIpi: number;
  /** Mean cycles of the sender's ICR exit (0 with IPIv: the write is virtualized). */
  senderExit: number;
  ipis: number;
}

const memo = new Map<string, IpiRun>();

function measure(mode: Mode, ipiv: boolean, quick: boolean): IpiRun {
  const key = `${mode}/${ipiv}/${quick}`;
  const hit = memo.get(key);
  if (hit) return hit;
  const input = ipiPair(PRESET, 'x86-apicv-pi', quick ? 20 : 200, {
    host: { pcpus: 2, timerHz: 0, x2apic: mode === 'x2apic' },
    schemeOptions: { 'x86-apicv-pi': { ipiv } },
  });
  const c: Counters = runCounters(input, 'x86-apicv-pi');
  let senderExit = 0;
  if (!ipiv) senderExit = cyclesPerExit(c, mode === 'x2apic' ? 'MSR_WRITE' : 'APIC_WRITE');
  const r = { perIpi: meanCycles(c.completion, 10), senderExit, ipis: c.completion.count };
  memo.set(key, r);
  return r;
}

const NOTE =
  'No preset exists for the cover letter’s CPU (Sapphire Rapids), so xeon-e5-kvm’s ' +
  'costs stand in and only ratios and orderings are compared, never cycles. The benchmark’s on_cpu() round trip ' +
  'also contains steps the model does not simulate (the nop call, IRET, the done flag’s cache-line transfer, the ' +
  'loop); they are the same with and without IPIv, so the model’s relative reduction is expected larger than the ' +
  'published one. ipivSend (300) and piNotification (250) are estimates (docs/costs.md §4, HW_COMMON).';

const REDUCTION_MISS =
  'The model simulates about 1,800 of the benchmark’s 4,338–6,059 cycles per IPI (the path from the ICR write to the ' +
  'target’s EOI on E5-2450 costs); the rest of on_cpu()’s round trip is the same with and without IPIv and is not ' +
  'simulated, so the same saving is a larger fraction. The saving itself, in cycles, is not far off: ~810 against ' +
  'the published 693 (x2APIC) and 1,346 (xAPIC, where the model also lacks the xAPIC path; see ipiv.mode.order).';

function reduction(mode: Mode, quick: boolean) {
  const off = measure(mode, false, quick);
  const on = measure(mode, true, quick);
  const pub = IPIV_PUBLISHED[mode];
  const pubSaved = pub.without - pub.with;
  return {
    off,
    on,
    pct: (on.perIpi / off.perIpi - 1) * 100,
    pubPct: (pub.with / pub.without - 1) * 100,
    detail:
      `${fmtNum(off.perIpi)} → ${fmtNum(on.perIpi)} cycles (saved ${fmtNum(off.perIpi - on.perIpi)}; ` +
      `published saved ${fmtNum(pubSaved)})`,
  };
}

function orderCase(mode: Mode): ValidationCase {
  const pub = IPIV_PUBLISHED[mode];
  return {
    id: `ipiv.${mode}.order`,
    group: GROUP,
    source: {
      citation: `${CITE}: ${mode} ${fmtNum(pub.without)} → ${fmtNum(pub.with)}`,
      short: 'IPIv v7 cover letter',
      tag: 'V',
    },
    compares: `${mode}: per-IPI cycles with IPIv ÷ without (${IPIV_DEFINITION})`,
    unit: '×',
    expected: bound(0, 1, '< 1 (ordering)', true),
    kind: 'prediction',
    note: NOTE,
    run: ({ quick }) => {
      const r = reduction(mode, quick);
      return { value: r.on.perIpi / r.off.perIpi, detail: r.detail };
    },
  };
}

function reductionCase(mode: Mode, knownMiss?: string): ValidationCase {
  const pub = IPIV_PUBLISHED[mode];
  const pubPct = (pub.with / pub.without - 1) * 100;
  return {
    id: `ipiv.${mode}.reduction`,
    group: GROUP,
    source: { citation: `${CITE}: ${mode} −${Math.abs(pubPct).toFixed(2)} %`, short: 'IPIv v7 cover letter', tag: 'V' },
    compares: `${mode}: per-IPI cycles with IPIv ÷ without − 1, in % (${IPIV_DEFINITION})`,
    unit: '%',
    expected: pointsTolerance(+pubPct.toFixed(2), 10),
    kind: 'prediction',
    note: `${NOTE} Tolerance ±10 percentage points, stated before the run.`,
    knownMiss,
    run: ({ quick }) => {
      const r = reduction(mode, quick);
      return { value: r.pct, detail: r.detail };
    },
  };
}

export const IPIV_CASES: ValidationCase[] = [
  orderCase('xapic'),
  orderCase('x2apic'),
  {
    id: 'ipiv.mode.order',
    group: GROUP,
    source: {
      citation: `${CITE}: without IPIv x2APIC 4,337.85 < xAPIC 6,059`,
      short: 'IPIv v7 cover letter',
      tag: 'V',
    },
    compares: `without IPIv: per-IPI cycles x2APIC ÷ xAPIC (${IPIV_DEFINITION})`,
    unit: '×',
    expected: bound(0, 1, '< 1 (ordering)', true),
    kind: 'prediction',
    note: NOTE,
    knownMiss:
      'x86-apicv-pi prices the xAPIC ICR write exactly as the x2APIC one (one exit, icrEmulation), so the two modes ' +
      'come out equal. KVM handles the x2APIC ICR write on its irqoff fastpath (handle_fastpath_set_x2apic_icr_irqoff) ' +
      'and the xAPIC one through the APIC-write exit and kvm_apic_write_nodecode; the xAPIC guest also writes ICR2 ' +
      'first, likely a trap-like APIC-write exit of its own — which would explain why xAPIC stays 1,068 cycles ' +
      'slower even with IPIv, when the ICR write itself no longer exits. Neither difference has a published cost.',
    run: ({ quick }) => {
      const x2 = measure('x2apic', false, quick);
      const x = measure('xapic', false, quick);
      return {
        value: x2.perIpi / x.perIpi,
        detail: `x2APIC ${fmtNum(x2.perIpi)} / xAPIC ${fmtNum(x.perIpi)} cycles; ICR exit ${fmtNum(x2.senderExit)} / ${fmtNum(x.senderExit)}`,
      };
    },
  },
  reductionCase('xapic', REDUCTION_MISS),
  reductionCase('x2apic', REDUCTION_MISS),
];
