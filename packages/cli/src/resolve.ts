// Resolves `<scenario|file>`: a built-in scenario name, else a YAML/JSON file path.

import { existsSync } from 'node:fs';
import { BUILTIN_SCENARIOS, loadScenarioFile, type Scenario, ScenarioError, validateScenario } from '@ivsim/core';

export function resolveScenario(arg: string): Scenario {
  // Own properties only: `constructor`, `toString` or `__proto__` are file names here, not built-ins.
  if (Object.hasOwn(BUILTIN_SCENARIOS, arg)) return validateScenario(BUILTIN_SCENARIOS[arg]);
  if (!existsSync(arg))
    throw new ScenarioError(
      `${arg}: no built-in scenario of that name and no such file (built-ins: ${Object.keys(BUILTIN_SCENARIOS).join(', ')})`,
    );
  return loadScenarioFile(arg);
}
