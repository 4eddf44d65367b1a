// `--set path=value` overrides (`ivsim run F --set devices[0].arrival.rate=200000 --set host.pcpus=4`): applied to the
// scenario's input, in order, before it is validated, so an override passes through the same schema as the file
// and cannot smuggle in what a file could not. Values are YAML (a scalar such as 200000, 20ms, true, x86-vmx, or a
// flow collection such as [0, 1]).

import { parse as parseYaml } from 'yaml';
import { ScenarioError, validateScenario } from './load.ts';
import { formatPath, type PathSegment, parsePath, setAtPath } from './paths.ts';
import { type Scenario, scenarioSchema } from './schema.ts';

export interface SetOverride {
  /** As given, `path=value`: named in errors. */
  text: string;
  path: PathSegment[];
  value: unknown;
}

/** Parses one `path=value`; a malformed one is a ScenarioError naming it. */
export function parseSetOverride(text: string): SetOverride {
  const eq = text.indexOf('=');
  if (eq < 0) throw new ScenarioError(`--set ${text}: expected path=value (e.g. host.pcpus=4)`);
  const path = parsePath(text.slice(0, eq).trim());
  if (path === null || path.length === 0)
    throw new ScenarioError(
      `--set ${text}: "${text.slice(0, eq)}" is not a field path (keys joined by dots, list indices in brackets: devices[0].arrival.rate)`,
    );
  let value: unknown;
  try {
    value = parseYaml(text.slice(eq + 1));
  } catch (e) {
    throw new ScenarioError(`--set ${text}: the value is not valid YAML (${(e as Error).message.split('\n')[0]})`);
  }
  return { text, path, value };
}

/**
 * Applies `--set`-style overrides (`"devices[0].arrival.rate=200000"`, values parsed as YAML) in order to a copy of
 * a scenario input and returns the copy, not yet validated. Takes and returns `unknown`: it runs before validation,
 * on a parsed file as well as on a {@link ScenarioInput}.
 *
 * @throws {@link ScenarioError} naming the `--set` when its path is not a field of the schema or it is malformed.
 */
export function applySetOverrides(input: unknown, sets: readonly string[]): unknown {
  if (sets.length === 0) return input;
  if (input === null || typeof input !== 'object' || Array.isArray(input))
    throw new ScenarioError('--set: the scenario is not a mapping');
  const copy = structuredClone(input) as Record<string, unknown>;
  for (const o of sets.map(parseSetOverride))
    try {
      setAtPath(scenarioSchema, copy, o.path, o.value);
    } catch (e) {
      throw new ScenarioError(`--set ${o.text}: ${(e as Error).message}`);
    }
  return copy;
}

/**
 * Applies the overrides (applySetOverrides) and validates; an issue at (or inside) an overridden field says which
 * --set put it there, so `--set host.pcpus=0` is not mistaken for a problem of the file.
 *
 * @throws {@link ScenarioError} as applySetOverrides and validateScenario do.
 */
export function validateWithSets(input: unknown, sets: readonly string[]): Scenario {
  const next = applySetOverrides(input, sets);
  try {
    return validateScenario(next);
  } catch (e) {
    if (!(e instanceof ScenarioError) || sets.length === 0) throw e;
    const parsed = sets.map(parseSetOverride).map((o) => ({ text: o.text, at: formatPath(o.path) }));
    const lines = e.message.split('\n').map((line) => {
      const from = parsed.filter(
        (o) => line.startsWith(`${o.at}:`) || line.startsWith(`${o.at}.`) || line.startsWith(`${o.at}[`),
      );
      return from.length > 0 ? `${line} (from --set ${from[from.length - 1].text})` : line;
    });
    throw new ScenarioError(lines.join('\n'));
  }
}
