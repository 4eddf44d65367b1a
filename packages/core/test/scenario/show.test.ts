// `ivsim scenarios --show NAME`: every built-in printed as YAML parses back to the same validated scenario.

import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { BUILTIN_SCENARIOS, builtinScenarioNames } from '../../src/scenario/builtin.ts';
import { ScenarioError, validateScenario } from '../../src/scenario/load.ts';
import { builtinScenarioYaml } from '../../src/scenario/show.ts';

describe('built-in scenarios as YAML', () => {
  it.each(builtinScenarioNames())('%s round-trips through YAML', (name) => {
    const text = builtinScenarioYaml(name);
    expect(text.startsWith(`# ivsim built-in scenario "${name}"`)).toBe(true);
    expect(validateScenario(parse(text))).toEqual(validateScenario(BUILTIN_SCENARIOS[name]));
  });

  it('an unknown name (or an inherited property) is a ScenarioError listing the built-ins', () => {
    for (const bad of ['nope', 'constructor', '__proto__']) {
      expect(() => builtinScenarioYaml(bad)).toThrow(ScenarioError);
      expect(() => builtinScenarioYaml(bad)).toThrow(/built-ins: x86-compare/);
    }
  });
});
