// `schemeOptions` is derived from the options the descriptors declare (DESIGN §19.12): a block per scheme that
// declares any, each field typed, defaulted and described as declared; the messages are the hand-written schema's.

import { describe, expect, it } from 'vitest';
import { DESCRIPTORS } from '../../src/hv/descriptors.ts';
import { BUILTIN_SCENARIOS } from '../../src/scenario/builtin.ts';
import { validateScenario } from '../../src/scenario/load.ts';
import { scenarioReferenceMarkdown } from '../../src/scenario/reference.ts';
import { scenarioErrorMessage } from '../helpers.ts';

const base = () => structuredClone(BUILTIN_SCENARIOS['x86-small']);

const message = (schemeOptions: unknown) => scenarioErrorMessage(() => validateScenario({ ...base(), schemeOptions }));

describe('schemeOptions from the descriptors', () => {
  it('fills every declared default, block by block, in descriptor order', () => {
    const configured = DESCRIPTORS.filter((d) => Object.keys(d.options).length > 0);
    const expected = Object.fromEntries(
      configured.map((d) => [d.id, Object.fromEntries(Object.entries(d.options).map(([k, o]) => [k, o.default]))]),
    );
    expect(validateScenario(base()).schemeOptions).toEqual(expected);
    expect(Object.keys(expected)).toEqual(['x86-emul', 'x86-vmx', 'x86-apicv-pi', 'arm-gicv4']);
    const partial = validateScenario({ ...base(), schemeOptions: { 'x86-vmx': { pvEoi: false } } });
    expect(partial.schemeOptions['x86-vmx']).toEqual({ pvEoi: false });
    expect(partial.schemeOptions['x86-emul']).toEqual({ lapic: 'kernel' });
  });

  it.each([
    [
      { 'x86-vmx': { pvEoi: 'yes' } },
      'scenario.schemeOptions.x86-vmx.pvEoi: Invalid input: expected boolean, received string',
    ],
    [
      { 'x86-emul': { lapic: 'qemu' } },
      'scenario.schemeOptions.x86-emul.lapic: Invalid option: expected one of "kernel"|"userspace"',
    ],
    [
      { 'x86-eli': {} },
      'scenario.schemeOptions.x86-eli: unknown key (expected one of x86-emul, x86-vmx, x86-apicv-pi, arm-gicv4)',
    ],
    [{ 'x86-vmx': { pvEoy: true } }, 'scenario.schemeOptions.x86-vmx.pvEoy: unknown key (did you mean pvEoi?)'],
    ['none', 'scenario.schemeOptions: Invalid input: expected object, received string'],
  ])('%j is refused: %s', (input, msg) => {
    expect(message(input)).toBe(msg);
  });

  it('the scenario reference shows each declared meaning and default', () => {
    const md = scenarioReferenceMarkdown();
    for (const d of DESCRIPTORS)
      for (const [name, o] of Object.entries(d.options)) {
        const row = md.split('\n').find((l) => l.startsWith(`| \`schemeOptions.${d.id}.${name}\` |`));
        expect(row, `${d.id}.${name}`).toContain(o.meaning);
        expect(row).toContain(`\`${String(o.default)}\``);
      }
  });
});
