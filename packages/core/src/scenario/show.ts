// A built-in scenario as a YAML file a user can copy and edit (`ivsim scenarios --show NAME`): the input as written
// in builtin.ts (defaults stay implicit), under a header that says how to run it. It parses back to the same
// scenario (tested).

import { stringify } from 'yaml';
import { BUILTIN_SCENARIOS } from './builtin.ts';
import { ScenarioError } from './load.ts';

/**
 * A built-in scenario as YAML text to save and edit (`ivsim scenarios --show NAME`), under a comment header; it
 * parses back to the same scenario.
 *
 * @throws {@link ScenarioError} when `name` is not a built-in (the message lists the built-ins).
 */
export function builtinScenarioYaml(name: string): string {
  if (!Object.hasOwn(BUILTIN_SCENARIOS, name))
    throw new ScenarioError(
      `${name}: no built-in scenario of that name (built-ins: ${Object.keys(BUILTIN_SCENARIOS).join(', ')})`,
    );
  const header =
    `# ivsim built-in scenario "${name}" — save as ${name}.yaml, edit, then: ivsim run ${name}.yaml\n` +
    '# Times are ns or strings with a unit ("150us", "20ms"); rates are per second. docs/DESIGN.md §5, §12.\n';
  return header + stringify(BUILTIN_SCENARIOS[name], { lineWidth: 0 });
}
