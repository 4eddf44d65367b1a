// Validation reports every issue at once, one per line with its path; an unknown key names the key meant.

import { describe, expect, it } from 'vitest';
import { BUILTIN_SCENARIOS } from '../../src/scenario/builtin.ts';
import { ScenarioError, validateScenario } from '../../src/scenario/load.ts';
import { allowedKeysAt, editDistance, formatPath, nearestKey, parsePath } from '../../src/scenario/paths.ts';
import { scenarioSchema } from '../../src/scenario/schema.ts';

// biome-ignore lint/suspicious/noExplicitAny: tests mutate arbitrary scenario fields
type Loose = any;
const small = (): Loose => structuredClone(BUILTIN_SCENARIOS['x86-small']);

function issues(input: unknown): string[] {
  try {
    validateScenario(input);
  } catch (e) {
    expect(e).toBeInstanceOf(ScenarioError);
    return (e as Error).message.split('\n');
  }
  throw new Error('accepted');
}

describe('all issues at once', () => {
  it('an unknown scheme is named with the schemes of the arch, then every other issue follows, one per line', () => {
    const s = small();
    s.schemes = ['x86-foo', 'x86-vmx'];
    s.host.pcpu = 2;
    s.vms[0].vcpus = 0;
    s.costs = { preset: 'defualt' };
    delete s.duration;
    expect(issues(s)).toEqual([
      'scenario.schemes[0]: unknown scheme "x86-foo" (expected one of bare-metal, x86-emul, x86-vmx, x86-apicv-pi, x86-eli, x86-avic)',
      'scenario.host.pcpu: unknown key (did you mean pcpus?)',
      expect.stringMatching(/^scenario\.vms\[0\]\.vcpus: .*>=1/),
      'scenario.duration: missing (a required field)',
      'scenario.costs.preset: unknown preset "defualt" (did you mean default?)',
    ]);
  });

  it('an ARM file is offered the ARM schemes', () => {
    const s = structuredClone(BUILTIN_SCENARIOS['arm-compare']) as Loose;
    s.schemes = ['arm-gicv5'];
    expect(issues(s)[0]).toBe(
      'scenario.schemes[0]: unknown scheme "arm-gicv5" (expected one of bare-metal, arm-gicv2, arm-gicv3, arm-gicv4)',
    );
  });

  it.each([
    ['a top-level typo', (s: Loose) => (s.sed = 7), 'scenario.sed: unknown key (did you mean seed?)'],
    ['a case slip', (s: Loose) => (s.cpu.freqghz = 2), 'scenario.cpu.freqghz: unknown key (did you mean freqGHz?)'],
    ['a transposition', (s: Loose) => (s.vms[0].vcpsu = 2), 'scenario.vms[0].vcpsu: unknown key (did you mean vcpus?)'],
    [
      'a cost entry',
      (s: Loose) => (s.costs = { preset: 'default', overrides: { exitRoundTrp: 9 } }),
      'scenario.costs.overrides.exitRoundTrp: unknown cost entry (did you mean exitRoundTrip?)',
    ],
    [
      'a key of the variant the discriminator names',
      (s: Loose) => (s.devices[0].arrival = { process: 'closed', client: 4, think: { dist: 'fixed', value: 1000 } }),
      'scenario.devices[0].arrival.client: unknown key (did you mean clients?)',
    ],
    [
      'nothing near: the allowed keys',
      (s: Loose) => (s.host.colour = 'blue'),
      expect.stringMatching(/^scenario\.host\.colour: unknown key \(expected one of pcpus, timerHz, x2apic, /),
    ],
  ])('%s', (_what, mut, line) => {
    const s = small();
    mut(s);
    expect(issues(s)).toContainEqual(line);
  });

  it('a mangled file lists 50 issues and how many more, not one line per element', () => {
    const s = small();
    s.vms = Array.from({ length: 200 }, (_, i) => ({ name: `v${i}`, vcpus: 0 }));
    const lines = issues(s);
    expect(lines).toHaveLength(51);
    // 200 vCPU counts, and the NIC's VM that no longer exists.
    expect(lines[50]).toBe('(151 more issues)');
  });

  it('a key that is not a plain name is quoted, so an issue stays on one line', () => {
    const s = small();
    s['bad\nkey'] = 1;
    expect(issues(s)).toEqual([expect.stringMatching(/^scenario\["bad\\nkey"\]: unknown key \(expected one of /)]);
  });
});

describe('paths', () => {
  it('parsePath reads keys, dashes and indices, and refuses the malformed', () => {
    expect(parsePath('devices[0].arrival.rate')).toEqual(['devices', 0, 'arrival', 'rate']);
    expect(parsePath('schemeOptions.x86-vmx.pvEoi')).toEqual(['schemeOptions', 'x86-vmx', 'pvEoi']);
    expect(parsePath('vms[1][2]')).toEqual(['vms', 1, 2]);
    for (const bad of ['', '.a', 'a.', 'a..b', '[0]', 'a[x]', 'a b', 'a[0]b', 'a=1']) expect(parsePath(bad)).toBeNull();
    expect(formatPath(parsePath('devices[0].arrival.rate') ?? [])).toBe('scenario.devices[0].arrival.rate');
  });

  it('allowedKeysAt follows lists, wrappers and the variant a discriminated union names', () => {
    const s = small();
    expect(allowedKeysAt(scenarioSchema, ['host'], s)).toContain('pcpus');
    expect(allowedKeysAt(scenarioSchema, ['devices', 0, 'arrival'], s).sort()).toEqual(['process', 'rate']);
    s.devices[0].arrival = { process: 'onoff' };
    expect(allowedKeysAt(scenarioSchema, ['devices', 0, 'arrival'], s).sort()).toEqual([
      'off',
      'on',
      'process',
      'rate',
    ]);
    expect(allowedKeysAt(scenarioSchema, ['seed'], s)).toEqual([]);
  });

  it('editDistance counts a transposition as one edit; nearestKey refuses what is not a typo', () => {
    expect(editDistance('vcpsu', 'vcpus')).toBe(1);
    expect(editDistance('kitten', 'sitting')).toBe(3);
    expect(nearestKey('pcpu', ['pcpus', 'timerHz'])).toBe('pcpus');
    expect(nearestKey('colour', ['pcpus', 'costs'])).toBeUndefined();
  });
});
