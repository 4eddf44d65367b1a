// Dall et al. ISCA'16 / ATC'17 microbenchmarks (docs/costs.md F4–F18) through the engine. Most of these figures
// are the ones the presets were derived from (derivation checks); the split-mode virtual IPI is not, and neither
// is its ordering against VHE (predictions).

import type { SchemeId } from '@ivsim/core';
import { cyclesPerExit, ipiPair, meanCycles, micro, presetFreq, runCounters } from './measure.ts';
import { bound, fmtNum, relTolerance, type ValidationCase } from './types.ts';

const GROUP = 'dall';
const TOL = 0.05; // the composite tests' tolerance (docs/costs.md §3): one path, fixed costs

const ipiMs = (quick: boolean) => (quick ? 20 : 200);

/** Mean virtual-IPI latency (sender's IPI intent → first instruction of the target's handler), cycles. */
function meanVirtualIpi(preset: string, scheme: SchemeId, quick: boolean): { mean: number; n: number } {
  const c = runCounters(ipiPair(preset, scheme, ipiMs(quick)), scheme);
  return { mean: meanCycles(c.delivery, 10), n: c.delivery.count };
}

/** ARM virtual IRQ completion: the guest's GICV_EOIR write = completion − delivery − the 1 µs handler body. */
function armCompletion(preset: string): number {
  const c = runCounters(micro(preset, 'arm-gicv2'), 'arm-gicv2');
  if (c.completion.count !== c.delivery.count) throw new Error('completion and delivery counts differ');
  return meanCycles(c.completion) - meanCycles(c.delivery) - 1000 * presetFreq(preset);
}

const VIPI_DEF =
  'mean IPI delivery latency (sender intent → target handler), 2 vCPUs on 2 pCPUs both in guest code, cycles';

export const DALL_CASES: ValidationCase[] = [
  {
    id: 'dall.x86.virq-completion',
    group: GROUP,
    source: {
      citation: 'Dall et al. ISCA’16 Table II, KVM x86 (Xeon E5-2450): virtual IRQ completion',
      short: 'Dall ISCA’16 T.II',
      tag: 'S',
    },
    compares: 'xeon-e5-kvm, x86-vmx, PV EOI off: cycles per EOI MSR_WRITE exit (exit + emulation + entry)',
    unit: 'cycles',
    expected: relTolerance(1556, TOL),
    kind: 'derivation',
    note: 'eoiMsrEmulation = 1,556 − 1,300 (F5 − F4, docs/costs.md §4.1): the engine must charge exactly that path.',
    run: () => {
      const c = runCounters(micro('xeon-e5-kvm', 'x86-vmx'), 'x86-vmx');
      return { value: cyclesPerExit(c, 'MSR_WRITE') };
    },
  },
  {
    id: 'dall.x86.io-kernel',
    group: GROUP,
    source: {
      citation: 'Dall et al. ATC’17 Table 2, KVM x86 (Xeon E5-2450): I/O exit handled in the kernel',
      short: 'Dall ATC’17 T.2',
      tag: 'S',
    },
    compares: 'xeon-e5-kvm, x86-emul (in-kernel LAPIC): cycles per decoded APIC_ACCESS exit',
    unit: 'cycles',
    expected: relTolerance(2565, TOL),
    kind: 'derivation',
    note: 'apicMmioEmulation = 2,565 − 1,300 (F12 − F4, docs/costs.md §3.2).',
    run: () => {
      const c = runCounters(micro('xeon-e5-kvm', 'x86-emul'), 'x86-emul');
      return { value: cyclesPerExit(c, 'APIC_ACCESS') };
    },
  },
  {
    id: 'dall.x86.vipi',
    group: GROUP,
    source: {
      citation: 'Dall et al. ATC’17 Table 2, KVM x86 (Xeon E5-2450): virtual IPI',
      short: 'Dall ATC’17 T.2',
      tag: 'S',
    },
    compares: `xeon-e5-kvm, x86-vmx (x2APIC, PV EOI off): ${VIPI_DEF}`,
    unit: 'cycles',
    expected: relTolerance(3102, TOL),
    kind: 'derivation',
    note:
      'ipiLatency (190) is the residual of 3,102 after the path’s other steps, several of them estimates ' +
      '(icrEmulation, kickHandling, injectEvent; docs/costs.md §3.4). Both vCPUs send, so a few IPIs meet a busy target.',
    run: ({ quick }) => {
      const r = meanVirtualIpi('xeon-e5-kvm', 'x86-vmx', quick);
      return { value: r.mean, detail: `${r.n} IPIs` };
    },
  },
  {
    id: 'dall.arm-vhe.virq-completion',
    group: GROUP,
    source: {
      citation: 'Dall et al. ISCA’16 Table II, KVM ARM (X-Gene): virtual IRQ completion',
      short: 'Dall ISCA’16 T.II',
      tag: 'S',
    },
    compares: 'arm-kvm-vhe, arm-gicv2: the guest’s GICV_EOIR write = completion − delivery − handler body, cycles',
    unit: 'cycles',
    expected: relTolerance(71, TOL),
    kind: 'derivation',
    note:
      'vgicEoiMmio = 71 (F8). The figure was measured on X-Gene and is carried to Seattle unchanged (a guest GICV ' +
      'access, independent of VHE): an assumption, docs/costs.md §4.4.',
    run: () => ({ value: armCompletion('arm-kvm-vhe') }),
  },
  {
    id: 'dall.arm-vhe.vipi',
    group: GROUP,
    source: {
      citation: 'Dall et al. ATC’17 Table 2, KVM ARM VHE-style (AMD Seattle): virtual IPI',
      short: 'Dall ATC’17 T.2',
      tag: 'S',
    },
    compares: `arm-kvm-vhe, arm-gicv2: ${VIPI_DEF}`,
    unit: 'cycles',
    expected: relTolerance(2526, TOL),
    kind: 'derivation',
    note: 'ipiLatency (118) is the residual of 2,526 after the path’s other steps (docs/costs.md §3.4, §3.6).',
    run: ({ quick }) => {
      const r = meanVirtualIpi('arm-kvm-vhe', 'arm-gicv2', quick);
      return { value: r.mean, detail: `${r.n} IPIs` };
    },
  },
  {
    id: 'dall.arm-split.virq-completion',
    group: GROUP,
    source: {
      citation: 'Dall et al. ISCA’16 Table II, KVM ARM split-mode (X-Gene): virtual IRQ completion',
      short: 'Dall ISCA’16 T.II',
      tag: 'S',
    },
    compares: 'arm-kvm-split, arm-gicv2: the guest’s GICV_EOIR write, cycles',
    unit: 'cycles',
    expected: relTolerance(71, TOL),
    kind: 'derivation',
    note: 'vgicEoiMmio = 71 (F8).',
    run: () => ({ value: armCompletion('arm-kvm-split') }),
  },
  {
    id: 'dall.arm.vipi-split-over-vhe',
    group: GROUP,
    source: {
      citation: 'Dall et al. ATC’17 Table 2 (Seattle): split-mode virtual IPI 13,121 > VHE-style 2,526',
      short: 'Dall ATC’17 T.2',
      tag: 'S',
    },
    compares: 'virtual IPI arm-kvm-split (arm-gicv2) ÷ arm-kvm-vhe (arm-gicv2), same definition as dall.*.vipi',
    unit: '×',
    expected: bound(1, Number.POSITIVE_INFINITY, '> 1 (ordering)', true),
    kind: 'prediction',
    note:
      'arm-kvm-split’s IPI path uses no virtual-IPI figure: its exit and VGIC state come from the ISCA’16 hypercall ' +
      '(F6, F9), its SGI trap from F7, and kickHandling / ipiLatency are estimates (docs/costs.md §4.3). The ' +
      'published ordering is on one machine (Seattle); the two presets are two machines (X-Gene, Seattle).',
    run: ({ quick }) => {
      const split = meanVirtualIpi('arm-kvm-split', 'arm-gicv2', quick).mean;
      const vhe = meanVirtualIpi('arm-kvm-vhe', 'arm-gicv2', quick).mean;
      return {
        value: split / vhe,
        detail: `split ${fmtNum(split)} / VHE ${fmtNum(vhe)} cycles; published 13,121 / 2,526 = 5.19×`,
      };
    },
  },
  {
    id: 'dall.arm-split.vipi',
    group: GROUP,
    source: {
      citation: 'Dall et al. ATC’17 Table 2, KVM ARM split-mode (AMD Seattle): virtual IPI 13,121',
      short: 'Dall ATC’17 T.2',
      tag: 'S',
    },
    compares: `arm-kvm-split (X-Gene costs), arm-gicv2: ${VIPI_DEF}`,
    unit: 'cycles',
    expected: relTolerance(13121, 0.15),
    kind: 'prediction',
    note:
      'Tolerance ±15 %, stated before the run: the figure is from Seattle, the preset from X-Gene; the two ' +
      'machines’ split-mode hypercalls agree within 1.4 % (6,500 vs 6,413, F6/F18), their in-kernel I/O exits do ' +
      'not (7,370 vs 8,034, 9 %). kickHandling and ipiLatency are estimates.',
    knownMiss:
      'The engine charges the whole VGIC save/restore at VM entry (GicScheme.beforeEntry), while split-mode KVM ' +
      'saves the VGIC state on the exit path (ISCA’16 Table III’s 3,250 is the saving): the sender’s SGI leaves ' +
      '3,250 cycles early. With the save on the exit side the same entries give 12,886 (−1.8 %; docs/costs.md §4.3).',
    run: ({ quick }) => {
      const r = meanVirtualIpi('arm-kvm-split', 'arm-gicv2', quick);
      return { value: r.mean, detail: `${r.n} IPIs` };
    },
  },
];
