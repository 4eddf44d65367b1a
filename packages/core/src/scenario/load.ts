// Scenario loading and validation. Every failure is a ScenarioError carrying one line that names the path of
// the bad field and what was expected (DESIGN §5); the CLI prints it and exits 2.

import { readFileSync } from 'node:fs';
import { parse as parseYaml } from 'yaml';
import type { z } from 'zod';
import { PRESETS } from './presets.ts';
import { isCostName } from './resolve-costs.ts';
import { type Scenario, scenarioSchema } from './schema.ts';

export class ScenarioError extends Error {
  override readonly name = 'ScenarioError';
}

function formatPath(path: readonly PropertyKey[]): string {
  let out = 'scenario';
  for (const p of path) out += typeof p === 'number' ? `[${p}]` : `.${String(p)}`;
  return out;
}

function issueLine(issue: z.core.$ZodIssue): string {
  return `${formatPath(issue.path)}: ${issue.message}`;
}

/** Validates an already-parsed object (from YAML, JSON or code). */
export function validateScenario(input: unknown): Scenario {
  const r = scenarioSchema.safeParse(input);
  if (!r.success) throw new ScenarioError(issueLine(r.error.issues[0]));
  const s = r.data;
  if (!PRESETS[s.costs.preset])
    throw new ScenarioError(
      `scenario.costs.preset: unknown preset "${s.costs.preset}" (known: ${Object.keys(PRESETS).join(', ')})`,
    );
  for (const k of Object.keys(s.costs.overrides))
    if (!isCostName(k)) throw new ScenarioError(`scenario.costs.overrides.${k}: unknown cost entry`);
  return s;
}

/** Parses YAML or JSON text (JSON is YAML) and validates it. */
export function parseScenarioText(text: string, source = 'scenario'): Scenario {
  let obj: unknown;
  try {
    obj = parseYaml(text);
  } catch (e) {
    const msg = e instanceof Error ? e.message.split('\n')[0] : String(e);
    throw new ScenarioError(`${source}: not valid YAML/JSON: ${msg}`);
  }
  if (obj === null || typeof obj !== 'object' || Array.isArray(obj))
    throw new ScenarioError(`${source}: expected a mapping (object) at the top level`);
  return validateScenario(obj);
}

export function loadScenarioFile(path: string): Scenario {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code ?? 'error';
    throw new ScenarioError(`${path}: cannot read scenario file (${code})`);
  }
  return parseScenarioText(text, path);
}
