// Scenario validation: bad input gets one line naming the field.

import { describe, expect, it } from 'vitest';
import { BUILTIN_SCENARIOS } from '../src/scenario/builtin.ts';
import { parseScenarioText, ScenarioError, validateScenario } from '../src/scenario/load.ts';
import { parseTimeNs } from '../src/scenario/units.ts';

// biome-ignore lint/suspicious/noExplicitAny: tests mutate arbitrary scenario fields
type Loose = any;
const base = (): Loose => structuredClone(BUILTIN_SCENARIOS['x86-small']);

describe('scenario validation', () => {
  it('accepts every built-in scenario', () => {
    for (const s of Object.values(BUILTIN_SCENARIOS)) expect(() => validateScenario(s)).not.toThrow();
  });

  it.each([
    [(s: Loose) => (s.vms[0].vcpus = 0), /^scenario\.vms\[0\]\.vcpus: /],
    [(s: Loose) => (s.duration = 'soon'), /^scenario\.duration: expected a time/],
    [(s: Loose) => (s.schemes = ['arm-gicv3']), /^scenario\.schemes\[0\]: scheme arm-gicv3 is not an x86 scheme/],
    [(s: Loose) => (s.devices[0].vm = 'nope'), /^scenario\.devices\[0\]\.vm: no VM named "nope"/],
    [(s: Loose) => (s.devices[0].vector = 3), /^scenario\.devices\[0\]\.vector: vectors 0-15 are reserved/],
    [(s: Loose) => (s.costs = { preset: 'pentium' }), /^scenario\.costs\.preset: unknown preset "pentium"/],
    [
      (s: Loose) => (s.costs = { preset: 'default', overrides: { warpDrive: 1 } }),
      /^scenario\.costs\.overrides\.warpDrive: unknown cost entry/,
    ],
    [(s: Loose) => (s.host.colour = 'blue'), /^scenario\.host\.colour: unknown key/],
    [(s: Loose) => (s.vms[1].pin = [5]), /^scenario\.vms\[1\]\.pin\[0\]: pCPU 5 does not exist/],
  ])('rejects a bad field with a one-line message naming it (%#)', (mutate, re) => {
    const s = base();
    mutate(s);
    let err: unknown;
    try {
      validateScenario(s);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(ScenarioError);
    const msg = (err as Error).message;
    expect(msg).toMatch(re);
    expect(msg).not.toContain('\n');
  });

  it('reports YAML syntax errors on one line', () => {
    expect(() => parseScenarioText('name: [unclosed', 'f.yaml')).toThrow(/^f\.yaml: not valid YAML\/JSON: /);
  });

  it('parses times with units, numbers as ns', () => {
    expect(parseTimeNs('150us')).toBe(150_000);
    expect(parseTimeNs('1.5 s')).toBe(1.5e9);
    expect(parseTimeNs(250)).toBe(250);
    expect(parseTimeNs('5 parsecs')).toBeUndefined();
  });

  it('overrides replace preset entries', async () => {
    const { resolveCosts } = await import('../src/scenario/resolve-costs.ts');
    const s = validateScenario({ ...base(), costs: { preset: 'nehalem-kvm', overrides: { exitRoundTrip: 1234 } } });
    const c = resolveCosts(s);
    const { PRESETS } = await import('../src/scenario/presets.ts');
    expect(c.exitRoundTrip).toBe(1234);
    expect(c.eoiMsrEmulation).toBe(PRESETS['nehalem-kvm'].costs.eoiMsrEmulation); // the others stay the preset's
  });
});
