// One composition root (DESIGN §19.12): run/compose.ts is the only code of any package, source or test, that
// constructs the engine or calls a scheme factory, and what it builds follows the descriptors and the options.

import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { DESCRIPTORS, type SchemeConfig } from '../../src/hv/descriptors.ts';
import { composeRun, runParts, runsBare, schemeConfig } from '../../src/run/compose.ts';
import { validateScenario } from '../../src/scenario/load.ts';
import { microScenario } from '../helpers.ts';

const packages = fileURLToPath(new URL('../../../', import.meta.url));

function tsFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    if (e.name === 'node_modules' || e.name === 'dist') return [];
    const p = join(dir, e.name);
    return e.isDirectory() ? tsFiles(p) : e.name.endsWith('.ts') ? [p] : [];
  });
}

// `new Sim(` and the registry's entry lookup, outside comments and string literals of this test.
const BUILDS = /\bnew Sim\s*\(|\bschemeEntry\s*\(/;

describe('the composition root', () => {
  it('is the only place that constructs a Sim or calls a scheme factory', () => {
    const files = tsFiles(packages);
    expect(files.length).toBeGreaterThan(100);
    const self = fileURLToPath(import.meta.url);
    const hits = files
      .filter((f) => f !== self && !f.endsWith(join('core', 'src', 'run', 'compose.ts')))
      .filter((f) => !f.endsWith(join('core', 'src', 'hv', 'registry.ts')))
      .flatMap((f) =>
        readFileSync(f, 'utf8')
          .split('\n')
          .filter((l) => !l.trimStart().startsWith('//') && BUILDS.test(l))
          .map((l) => `${relative(packages, f)}: ${l.trim()}`),
      );
    expect(hits).toEqual([]);
    // The scan sees the root itself (so it would see a copy elsewhere).
    const root = readFileSync(join(packages, 'core', 'src', 'run', 'compose.ts'), 'utf8');
    expect(root).toMatch(/new Sim\(/);
    expect(root).toMatch(/schemeEntry\(/);
  });

  it('pins a scheme that is not virtualized 1:1 and gives each scheme its options block', () => {
    const s = validateScenario({
      ...microScenario('x86-apicv-pi', { schemeOptions: { 'x86-apicv-pi': { ipiv: true } } }),
      host: { pcpus: 1, timerHz: 0 },
      vms: [{ name: 'vm', vcpus: 2 }],
      devices: [],
    });
    for (const d of DESCRIPTORS) {
      if (!(d.arch as readonly string[]).includes('x86')) continue;
      const sim = composeRun(s, d.id);
      expect(sim.scheme.id).toBe(d.id);
      expect(sim.scheme.virtualized).toBe(d.virtualized);
      // Bare metal: every vCPU a physical CPU; the virtualized schemes share the host's one pCPU.
      expect(runParts(s, d.id).topo.pcpus).toBe(d.virtualized ? 1 : 2);
      expect(runsBare(d.id)).toBe(!d.virtualized);
      // A topology built for the run is used as given (the parallel runner builds it once per run).
      const topo = runParts(s, d.id).topo;
      expect(runParts(s, d.id, [d.id], topo).topo).toBe(topo);
    }
    expect(schemeConfig(s, 'x86-apicv-pi')).toEqual({ ipiv: true });
    expect(schemeConfig(s, 'x86-vmx')).toEqual({ pvEoi: true });
    expect(schemeConfig(s, 'x86-eli')).toEqual({});
    // The config types follow the declarations (checked by tsc -p tsconfig.test.json).
    const emul: SchemeConfig<'x86-emul'> = { lapic: 'userspace' };
    // @ts-expect-error -- not one of the declared values
    const bad: SchemeConfig<'x86-emul'> = { lapic: 'qemu' };
    // @ts-expect-error -- a boolean option
    const vmx: SchemeConfig<'x86-vmx'> = { pvEoi: 'yes' };
    expect([emul, bad, vmx].length).toBe(3);
  });
});
