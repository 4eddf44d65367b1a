// Scenario builders and measurements shared by the case groups. Only @ivsim/core's public API: validateScenario,
// runScheme (one scheme's counters), simulate (results with the bare-metal reference), PRESETS, EXIT_REASONS.

import {
  EXIT_REASONS,
  type ExitReason,
  PRESETS,
  type ScenarioInput,
  type SchemeId,
  validateScenario,
} from '@ivsim/core';
import { type Counters, runScheme } from '@ivsim/core/internal';

export const presetFreq = (preset: string): number => PRESETS[preset].freqGHz;

/**
 * One VM with one vCPU on one pCPU at the preset's clock, a periodic device at 10K/s, fixed 1 µs handlers, no host
 * ticks, no idle — the shape of a Dall et al. microbenchmark loop (one operation repeated on an otherwise quiet
 * vCPU). x86 guests trap every EOI (no PV EOI) and use the in-kernel LAPIC, as the papers' guests did.
 */
export function micro(preset: string, scheme: SchemeId, patch: Partial<ScenarioInput> = {}): ScenarioInput {
  const arm = scheme.startsWith('arm-');
  return {
    name: `validate-${preset}-micro`,
    arch: arm ? 'arm' : 'x86',
    schemes: [scheme],
    seed: 1,
    duration: '5ms',
    cpu: { freqGHz: presetFreq(preset) },
    costs: { preset },
    host: { pcpus: 1, timerHz: 0 },
    ...(arm ? {} : { schemeOptions: { 'x86-vmx': { pvEoi: false }, 'x86-emul': { lapic: 'kernel' } } }),
    vms: [{ name: 'vm', vcpus: 1, guest: { handler: { dist: 'fixed', value: 1000 } } }],
    devices: [{ name: 'dev', vm: 'vm', vector: 0x41, arrival: { process: 'periodic', rate: 10_000 } }],
    ...patch,
  } as ScenarioInput;
}

/**
 * The virtual-IPI loop: two vCPUs on two pCPUs, both in guest code, IPIs the only interrupt source (no device,
 * no host tick, no idle) at 1,000/s per vCPU, so almost every IPI finds both vCPUs running.
 */
export function ipiPair(preset: string, scheme: SchemeId, durationMs: number, patch: Partial<ScenarioInput> = {}) {
  return micro(preset, scheme, {
    name: `validate-${preset}-vipi`,
    duration: `${durationMs}ms`,
    host: { pcpus: 2, timerHz: 0 },
    vms: [
      {
        name: 'vm',
        vcpus: 2,
        guest: {
          handler: { dist: 'fixed', value: 1000 },
          ipi: { rate: 1000, handler: { dist: 'fixed', value: 500 } },
        },
      },
    ],
    devices: [],
    ...patch,
  });
}

export function runCounters(input: ScenarioInput, scheme: SchemeId): Counters {
  return runScheme(validateScenario(input), scheme).counters;
}

export function reasonIndex(r: ExitReason): number {
  const i = EXIT_REASONS.indexOf(r);
  if (i < 0) throw new Error(`unknown exit reason ${r}`);
  return i;
}

/** Mean cycles of one exit of `reason` (the exit, its handling and its share of the next VM entry). */
export function cyclesPerExit(c: Counters, reason: ExitReason, minExits = 10): number {
  const i = reasonIndex(reason);
  if (c.exits[i] < minExits) throw new Error(`only ${c.exits[i]} ${reason} exits (need ≥ ${minExits})`);
  return c.exitCycles[i] / c.exits[i];
}

/** Mean of a latency histogram in cycles (exact: the histogram keeps the integer sum). */
export function meanCycles(h: { sum: number; count: number }, minCount = 10): number {
  if (h.count < minCount) throw new Error(`only ${h.count} samples (need ≥ ${minCount})`);
  return h.sum / h.count;
}
