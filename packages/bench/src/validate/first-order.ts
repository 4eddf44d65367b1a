// The first-order law of virtualization overhead (the consistency check of the ELI paper, ASPLOS'12 §5): the
// share of guest CPU lost ≈ exit rate × cycles per exit / f. At low interrupt rates it is nearly an identity of
// the accounting (an exit's cycles are taken from guest work), so a pass says the accounting is consistent — not
// that any cost is right. What it can show is where it stops holding, and why.

import { type ScenarioInput, type SchemeId, simulate } from '@ivsim/core';
import { presetFreq } from './measure.ts';
import { bound, type DetailTable, fmtNum, type ValidationCase } from './types.ts';

const GROUP = 'first-order';
export const LAW_RATES = [1_000, 3_000, 10_000, 30_000, 100_000, 300_000];
/** Rates at which the law is asserted (the rest are reported). */
export const LOW_RATES = LAW_RATES.filter((r) => r <= 10_000);
export const LAW_TOLERANCE_PCT = 10;

interface LawPoint {
  rate: number;
  raised: number;
  coalescedShare: number;
  exitsPerSec: number;
  cyclesPerExit: number;
  /** exits/s × cycles per exit / f. */
  predicted: number;
  /** rate × (exit cycles per raised interrupt at the lowest rate) / f: the law extrapolated linearly. */
  linear: number;
  /** 1 − relativeToBareMetal. */
  lost: number;
  /** Guest handler share of the run (the time the guest spends in handlers anyway). */
  handlerShare: number;
  /**
   * The whole accounting: (exit cycles + hardware-assist cycles − the bare-metal reference's own per-interrupt
   * cycles) ÷ the reference's guest work. Equal to `lost` when handler work is the same under both.
   */
  accounting: number;
}

function scenario(scheme: SchemeId, preset: string, rate: number, quick: boolean): ScenarioInput {
  return {
    name: `validate-first-order-${scheme}-${rate}`,
    arch: scheme.startsWith('arm-') ? 'arm' : 'x86',
    schemes: [scheme],
    seed: 7,
    duration: quick ? '50ms' : '500ms',
    cpu: { freqGHz: presetFreq(preset) },
    costs: { preset },
    host: { pcpus: 1, timerHz: 0 },
    vms: [{ name: 'vm', vcpus: 1, guest: { handler: { dist: 'exponential', mean: 2000 } } }],
    devices: [{ name: 'dev', vm: 'vm', vector: 0x41, arrival: { process: 'poisson', rate } }],
  } as ScenarioInput;
}

function sweep(scheme: SchemeId, preset: string, quick: boolean): LawPoint[] {
  const f = presetFreq(preset) * 1e9;
  let perInterrupt = 0;
  return LAW_RATES.map((rate, i) => {
    const res = simulate(scenario(scheme, preset, rate, quick), { schemes: ['bare-metal', scheme] });
    const bm = res.schemes[0].cpu.cycles;
    const r = res.schemes[1];
    const sec = res.durationNs / 1e9;
    const exitCycles = Object.values(r.exits.cyclesByReason).reduce((s, x) => s + x, 0);
    const exitsPerSec = r.exits.total / sec;
    if (i === 0) perInterrupt = exitCycles / r.interrupts.raised;
    return {
      rate,
      raised: r.interrupts.raised,
      coalescedShare: r.interrupts.coalesced / r.interrupts.raised,
      exitsPerSec,
      cyclesPerExit: r.exits.total > 0 ? exitCycles / r.exits.total : 0,
      predicted: exitCycles / sec / f,
      linear: (rate * perInterrupt) / f,
      lost: 1 - r.cpu.relativeToBareMetal,
      handlerShare: r.cpu.cycles.guestHandlers / (sec * f),
      accounting:
        (exitCycles + r.cpu.cycles.hardwareAssist + r.cpu.cycles.guestHandlers - bm.hardwareAssist - bm.guestHandlers) /
        bm.guestWork,
    };
  });
}

const pct = (x: number) => `${(x * 100).toFixed(2)} %`;
const dev = (lost: number, pred: number) => (pred > 0 ? (lost / pred - 1) * 100 : 0);

function lawCase(scheme: SchemeId, preset: string, knownMiss?: string): ValidationCase {
  return {
    id: `first-order.${scheme}`,
    group: GROUP,
    source: {
      citation: 'first-order law: lost share = exits/s × cycles per exit / f (ELI, ASPLOS’12 §5 consistency check)',
      short: 'first-order law',
      tag: 'analytic',
    },
    compares:
      `${preset}, ${scheme}, 1 vCPU, one Poisson device: max |(1 − relativeToBareMetal) ÷ (exits/s × cycles/exit ÷ f) − 1| ` +
      `over ${LOW_RATES.map((r) => `${r / 1000}K`).join(', ')}/s`,
    unit: '%',
    expected: bound(0, LAW_TOLERANCE_PCT, `≤ ${LAW_TOLERANCE_PCT} %`),
    kind: 'derivation',
    note:
      'Tolerance stated before the run: the law holds within 10 % while exits take < ~10 % of the CPU. It is ' +
      'close to an identity (exit cycles are removed from guest work), so this is a check of the accounting, not ' +
      'evidence for any cost; the rate sweep shows where and why it bends. Handlers: exponential, mean 2 µs; no ' +
      'host tick; the guest never idles.',
    knownMiss,
    run: ({ quick }) => {
      const pts = sweep(scheme, preset, quick);
      const worst = Math.max(
        ...pts.filter((p) => LOW_RATES.includes(p.rate)).map((p) => Math.abs(dev(p.lost, p.predicted))),
      );
      const table: DetailTable = {
        title: `First-order law, ${scheme} (${preset})`,
        header: [
          'rate/s',
          'exits/s',
          'cycles/exit',
          'predicted',
          'linear from 1K',
          'lost (1 − rel)',
          'lost ÷ predicted',
          'accounting',
          'coalesced',
          'handlers',
        ],
        rows: pts.map((p) => [
          fmtNum(p.rate),
          fmtNum(p.exitsPerSec),
          fmtNum(p.cyclesPerExit),
          pct(p.predicted),
          pct(p.linear),
          pct(p.lost),
          `${(p.lost / p.predicted).toFixed(3)}`,
          pct(p.accounting),
          pct(p.coalescedShare),
          pct(p.handlerShare),
        ]),
      };
      const top = pts[pts.length - 1];
      return {
        value: worst,
        detail: `at ${fmtNum(top.rate)}/s: lost ${pct(top.lost)}, predicted ${pct(top.predicted)}, linear ${pct(top.linear)}`,
        tables: [table],
      };
    },
  };
}

export const FIRST_ORDER_CASES: ValidationCase[] = [
  lawCase(
    'x86-vmx',
    'xeon-e5-kvm',
    'The law leaves out what the bare-metal reference spends per interrupt itself — IDT vectoring and the native ' +
      'EOI, 150 + 100 cycles (HW_COMMON estimates) — which the virtualized guest does not spend in guest work ' +
      '(the vector is injected at entry, inside the exit’s cycles, and the PV EOI is a memory write). With PV EOI ' +
      'x86-vmx takes about one exit (~2,160 cycles) per interrupt, so the lost share is 250 / 2,160 ≈ 11.6 % below ' +
      'exits × cost: just outside the 10 % stated before the run. The accounting column (exits + assists − the ' +
      'reference’s own) closes exactly.',
  ),
  lawCase('x86-emul', 'xeon-e5-kvm'),
  lawCase('arm-gicv3', 'arm-kvm-vhe'),
];
