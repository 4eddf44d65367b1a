// The GIC generation backends (hv/arm/gic*-backend.ts, DESIGN §19.11): one record per generation with the same
// fields in the same order, the values that tell the generations apart, and the shared core left without a
// generation test. The behaviour behind these fields is held by the ARM rule tests (arm-paths, arch-arm/*)
// and the goldens.

import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { LR_FMT_V2, LR_FMT_V3 } from '../../src/arch/arm/cpuif-block.ts';
import type { GicBackend } from '../../src/hv/arm/gic-backend.ts';
import type { GicScheme } from '../../src/hv/arm/gic-scheme.ts';
import { gicv2Backend } from '../../src/hv/arm/gicv2-backend.ts';
import { gicv3Backend } from '../../src/hv/arm/gicv3-backend.ts';
import { gicv4Backend } from '../../src/hv/arm/gicv4-backend.ts';
import { Gicv4Direct } from '../../src/hv/arm/gicv4-direct.ts';
import { ArmGicv2Scheme } from '../../src/hv/arm-gicv2.ts';
import { ArmGicv3Scheme } from '../../src/hv/arm-gicv3.ts';
import { ArmGicv4Scheme } from '../../src/hv/arm-gicv4.ts';
import { ExitReasonId } from '../../src/hv/exit-reasons.ts';
import { composeRun } from '../../src/run/compose.ts';
import { COST_NAMES } from '../../src/scenario/costs.ts';
import { validateScenario } from '../../src/scenario/load.ts';
import type { SchemeId } from '../../src/scenario/schema.ts';
import { microScenario } from '../helpers.ts';

const backends: [string, GicBackend][] = [
  ['GICv2', gicv2Backend],
  ['GICv3', gicv3Backend],
  ['GICv4', gicv4Backend],
];

/** The order of GicBackend's declaration (gic-backend.ts); a backend that reorders or drops a field fails. */
const FIELDS = [
  'name',
  'lrFormat',
  'vgicModel',
  'sgiSources',
  'nrSpis',
  'nrLpis',
  'deviceIntid',
  'createGuestIts',
  'routeDevice',
  'injectDevice',
  'sendSgi',
  'sgiWriteEnd',
  'iarIntid',
  'sgiTrapReason',
  'costKeys',
];

describe('GIC generation backends', () => {
  it.each(backends)('%s lists the GicBackend fields in declaration order', (name, b) => {
    expect(Object.keys(b)).toEqual(FIELDS);
    expect(Object.keys(b.costKeys)).toEqual(['ack', 'eoi', 'lr', 'state', 'sgiTrap']);
    expect(b.name).toBe(name);
  });

  it.each(backends)('%s reads only existing cost names', (_name, b) => {
    for (const k of Object.values(b.costKeys)) expect(COST_NAMES).toContain(k);
  });

  it('GICv2: SPIs, MMIO costs, SGI source in the IAR, one SGIR write for any target list', () => {
    const b = gicv2Backend;
    expect([b.lrFormat, b.vgicModel, b.sgiSources, b.nrSpis, b.nrLpis]).toEqual([LR_FMT_V2, 2, 8, 256, 0]);
    expect(b.deviceIntid(5)).toBe(37);
    expect(b.iarIntid((3 << 10) | 1)).toBe(1); // CPUID bits [12:10] stripped
    expect(b.createGuestIts(4)).toBeNull();
    expect(b.sgiWriteEnd(Int32Array.from([0, 1, 2, 3, 4]), 1, 5, 0)).toBe(5);
    expect(b.sgiTrapReason).toBe(ExitReasonId.ARM_MMIO);
    expect(b.costKeys.lr).toBe('lrAccessMmio');
  });

  it('GICv3: LPIs through the guest ITS, sysreg costs, one SGI1R write per 16-vCPU cluster', () => {
    const b = gicv3Backend;
    expect([b.lrFormat, b.vgicModel, b.sgiSources, b.nrSpis, b.nrLpis]).toEqual([LR_FMT_V3, 3, 1, 0, 256]);
    expect(b.deviceIntid(5)).toBe(8197);
    expect(b.iarIntid(8197)).toBe(8197);
    expect(b.createGuestIts(4)).not.toBeNull();
    const targets = Int32Array.from([100, 101, 115, 116, 130]); // VM's first vCPU is 100
    expect(b.sgiWriteEnd(targets, 0, 5, 100)).toBe(3);
    expect(b.sgiWriteEnd(targets, 3, 5, 100)).toBe(5);
    expect(b.sgiTrapReason).toBe(ExitReasonId.ARM_SYSREG);
    expect(b.costKeys.lr).toBe('lrAccessSysreg');
  });

  it("GICv4's LR path is GICv3's: every field but the name is the same value", () => {
    for (const k of FIELDS.filter((f) => f !== 'name'))
      expect(gicv4Backend[k as keyof GicBackend], k).toBe(gicv3Backend[k as keyof GicBackend]);
  });
});

describe('the shared GIC core', () => {
  it('holds no generation test (gen / version / vgic-model comparisons)', () => {
    const genTest = /\bgen\s*[!=<>]=?=?\s*\d|\bthis\.gen\b|\bvm\.gen\b|\.model\s*[!=]==?|\bversion\b|\bGicGen\b/;
    for (const f of ['gic-scheme.ts', 'gic-vm.ts']) {
      const src = readFileSync(new URL(`../../src/hv/arm/${f}`, import.meta.url), 'utf8');
      const hits = src.split('\n').filter((l) => !l.trimStart().startsWith('//') && genTest.test(l));
      expect(hits, f).toEqual([]);
    }
  });

  it('GICv4 direct injection is a component arm-gicv4 holds, not overridden hooks', () => {
    // Each scheme as the composition root builds it (its constructor sizes itself from the engine).
    const direct = (id: SchemeId) => {
      const input = microScenario(id, { arch: 'arm', costs: { preset: 'arm-kvm-vhe' } });
      const s = composeRun(validateScenario(input), id).scheme as GicScheme;
      return (s as unknown as { direct: Gicv4Direct | null }).direct;
    };
    expect(direct('arm-gicv2')).toBeNull();
    expect(direct('arm-gicv3')).toBeNull();
    expect(direct('arm-gicv4')).toBeInstanceOf(Gicv4Direct);
    for (const S of [ArmGicv2Scheme, ArmGicv3Scheme, ArmGicv4Scheme])
      expect(Object.getOwnPropertyNames(S.prototype), S.name).toEqual(['constructor']);
  });
});
