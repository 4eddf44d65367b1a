// The scheme descriptors (DESIGN §19.8) are true: each scheme reads only the cost keys of the families its
// descriptor declares (traced through a recording cost table while it runs the built-ins), every key is in exactly
// one family, presets carry no other architecture's families, validation names a missing key and its scheme, the
// descriptor modules import no scheme code, and the exit reasons schemes add append after the shared ones.

import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { Arch } from '../../src/hv/descriptor.ts';
import { COST_FAMILIES, DESCRIPTORS, familiesRead, type SchemeId, wholeVmsReason } from '../../src/hv/descriptors.ts';
import { EXIT_REASONS, ExitReasonId } from '../../src/model/vocabulary.ts';
import { composeSim, runParts } from '../../src/run/compose.ts';
import { BUILTIN_SCENARIOS } from '../../src/scenario/builtin.ts';
import { COST_NAMES, type CostTable } from '../../src/scenario/costs.ts';
import { ScenarioError, validateScenario } from '../../src/scenario/load.ts';
import { PRESETS } from '../../src/scenario/presets.ts';
import type { ScenarioInput } from '../../src/scenario/schema.ts';

/** Keys a scheme run reads from its cost table (the engine's reads included). */
function keysRead(input: ScenarioInput, scheme: SchemeId): Set<string> {
  const s = validateScenario({ ...input, duration: '1ms' });
  const parts = runParts(s, scheme);
  const read = new Set<string>();
  const table = parts.costs;
  // Recording starts after construction: the engine derives exitHalf from exitRoundTrip for every scheme when it is
  // built, and uses it only on an exit, which bare metal never takes.
  let recording = false;
  const costs = new Proxy(table, {
    get(t, k) {
      if (recording && typeof k === 'string') read.add(k);
      return t[k as keyof CostTable];
    },
  });
  const sim = composeSim({ ...parts, costs });
  recording = true;
  const end = parts.topo.durationCycles;
  sim.start();
  sim.runUntil(end);
  sim.finish(end);
  return read;
}

const declared = (id: SchemeId, arch: Arch) => new Set(familiesRead(id, arch).flatMap((f) => Object.keys(f.meanings)));

// The built-ins small enough to trace every scheme of (fleet is the x86 schemes at scale: x86-compare covers them).
const TRACED = Object.entries(BUILTIN_SCENARIOS).filter(([name]) => name !== 'fleet');

describe('scheme descriptors', () => {
  it.each(TRACED)('%s: every cost key a scheme reads is in a family its descriptor declares', (_name, input) => {
    const s = validateScenario(input);
    const run: SchemeId[] = s.schemes.includes('bare-metal') ? s.schemes : ['bare-metal', ...s.schemes];
    for (const id of run) {
      const allowed = declared(id, s.arch);
      const stray = [...keysRead(input as ScenarioInput, id)].filter((k) => !allowed.has(k));
      expect(stray, `${id} on ${s.arch}`).toEqual([]);
    }
  });

  it('every cost key is in exactly one family, and every family has an id of its own', () => {
    expect(new Set(COST_NAMES).size).toBe(COST_NAMES.length);
    const ids = COST_FAMILIES.map((f) => f.id);
    expect(new Set(ids).size).toBe(ids.length);
  });

  it('a preset carries only families the schemes of one architecture read (no other-architecture filler)', () => {
    const readOn = (arch: Arch) => new Set(DESCRIPTORS.flatMap((d) => [...declared(d.id, arch)]));
    // `default` is the exception on purpose: xeon-e5-kvm plus the GIC families, for ARM scenarios naming no preset.
    for (const p of Object.values(PRESETS).filter((x) => x.name !== 'default')) {
      const keys = Object.keys(p.costs);
      const fits = (['x86', 'arm'] as const).filter((a) => keys.every((k) => readOn(a).has(k)));
      expect(fits.length, p.name).toBeGreaterThan(0);
    }
  });

  it('validation names the first missing key and the scheme that reads it', () => {
    const input = { ...(BUILTIN_SCENARIOS['x86-small'] as ScenarioInput), costs: { preset: 'arm-kvm-vhe' } };
    expect(() => validateScenario(input)).toThrow(ScenarioError);
    expect(() => validateScenario(input)).toThrow(
      /^scenario\.costs\.preset: preset arm-kvm-vhe has no cost eoiLocal, which scheme bare-metal reads \(cost family x86-lapic\); set costs\.overrides\.eoiLocal or choose a preset with that family$/,
    );
    // Supplying the family's keys through overrides is enough for that scheme.
    const fixed = { ...input, schemes: ['bare-metal'], costs: { preset: 'arm-kvm-vhe', overrides: { eoiLocal: 100 } } };
    expect(validateScenario(fixed).schemes).toEqual(['bare-metal']);
  });

  it('the descriptor modules import no scheme code (only descriptor data and types)', () => {
    const seen = new Set<string>();
    const visit = (file: string) => {
      if (seen.has(file)) return;
      seen.add(file);
      const src = readFileSync(new URL(`../../src/hv/${file}`, import.meta.url), 'utf8');
      for (const m of src.matchAll(/^import (type )?[^;]*? from '([^']+)';/gms)) {
        if (m[1]) continue; // a type import is erased
        const to = m[2].replace(/^\.\//, '');
        expect(/^(descriptor|common-costs|[\w-]+\.desc)\.ts$/.test(to), `${file} imports ${m[2]}`).toBe(true);
        visit(to);
      }
    };
    visit('descriptors.ts');
    expect(seen.size).toBeGreaterThan(3);
  });

  it('exit reasons are unique; the shared ones keep their indices and schemes append theirs', () => {
    expect(new Set(EXIT_REASONS).size).toBe(EXIT_REASONS.length);
    expect(ExitReasonId.EXTERNAL_INTERRUPT).toBe(0);
    expect(ExitReasonId.VMCALL).toBe(18);
    const added = DESCRIPTORS.flatMap((d) => d.exitReasons as readonly string[]);
    expect(EXIT_REASONS.slice(EXIT_REASONS.length - added.length)).toEqual(added);
  });
});

describe('wholeVms: schemes whose VMs never span shards', () => {
  it('x86-avic alone declares it, with its reason (the IPI write reads the target’s IsRunning)', () => {
    const whole = DESCRIPTORS.filter((d) => wholeVmsReason(d.id) !== null).map((d) => d.id);
    expect(whole).toEqual(['x86-avic']);
    expect(wholeVmsReason('x86-avic')).toMatch(/IsRunning/);
  });
});
