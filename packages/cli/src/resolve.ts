// Resolves `<scenario|file>`: a built-in scenario name, else a YAML/JSON file path; `--set path=value` overrides are
// applied to its input before validation.

import { existsSync } from 'node:fs';
import {
  applySetOverrides,
  BUILTIN_SCENARIOS,
  loadScenarioInput,
  type Scenario,
  ScenarioError,
  validateWithSets,
} from '@ivsim/core';

export function resolveScenario(arg: string, sets: readonly string[] = []): Scenario {
  return resolveScenarioInput(arg, sets).scenario;
}

/** The validated scenario and the input it came from with the overrides applied (what a sweep's points start from). */
export function resolveScenarioInput(
  arg: string,
  sets: readonly string[] = [],
): { input: unknown; scenario: Scenario } {
  // Own properties only: `constructor`, `toString` or `__proto__` are file names here, not built-ins.
  let raw: unknown;
  if (Object.hasOwn(BUILTIN_SCENARIOS, arg)) raw = BUILTIN_SCENARIOS[arg];
  else if (!existsSync(arg))
    throw new ScenarioError(
      `${arg}: no built-in scenario of that name and no such file (built-ins: ${Object.keys(BUILTIN_SCENARIOS).join(', ')})`,
    );
  else raw = loadScenarioInput(arg);
  const scenario = validateWithSets(raw, sets);
  return { input: applySetOverrides(raw, sets), scenario };
}

/** Commander collector for a repeatable `--set path=value`. */
export const collectSet = (v: string, prev: string[] = []): string[] => [...prev, v];

export const SET_HELP =
  'override a field before validation, e.g. --set devices[0].arrival.rate=200000 --set host.pcpus=4 ' +
  '(repeatable; the value is YAML: 20ms, true, [0, 1])';
