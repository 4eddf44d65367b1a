// examples/*.yaml: every example is a commented scenario that validates (schema and JSON Schema) and runs, at a
// short duration, with every interrupt accounted for; the README's tour names only examples that exist.

import { readdirSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parse as parseYaml } from 'yaml';
import { loadScenarioFile, withOverrides } from '../../src/scenario/load.ts';
import { scenarioJsonSchema } from '../../src/scenario/reference.ts';
import { simulate } from '../../src/simulate.ts';
import { check } from './json-schema-check.ts';

const root = new URL('../../../../', import.meta.url);
const dir = new URL('examples/', root);
const examples = readdirSync(dir)
  .filter((f) => f.endsWith('.yaml'))
  .sort();
const schema = scenarioJsonSchema();

describe('examples/', () => {
  it('holds 5 to 8 examples', () => {
    expect(examples.length).toBeGreaterThanOrEqual(5);
    expect(examples.length).toBeLessThanOrEqual(8);
  });

  it.each(examples)('%s: commented, valid, and runs 2 ms with conservation ok under every scheme', (f) => {
    const path = new URL(f, dir).pathname;
    const text = readFileSync(path, 'utf8');
    // The editor modeline (docs/SCENARIOS.md), then a comment that says what the example shows and how to run it.
    expect(text.split('\n')[0]).toBe('# yaml-language-server: $schema=../docs/scenario.schema.json');
    expect(text).toContain(`ivsim run examples/${f}`);
    expect(text.split('\n').filter((l) => /^\s*#/.test(l)).length).toBeGreaterThanOrEqual(5);
    const s = loadScenarioFile(path);
    expect(check(schema, schema, parseYaml(text))).toEqual([]);
    const r = simulate(withOverrides(s, { durationNs: 2_000_000 }));
    expect(r.schemes.map((x) => x.scheme)).toEqual(s.schemes);
    for (const x of r.schemes) {
      expect(x.conservation.ok, x.scheme).toBe(true);
      expect(x.interrupts.raised, x.scheme).toBeGreaterThan(0);
    }
  });

  it("the README's tour runs an example that exists and links the scenario reference", () => {
    const readme = readFileSync(new URL('README.md', root), 'utf8');
    const named = [...readme.matchAll(/examples\/([\w.-]+\.yaml)/g)].map((m) => m[1]);
    expect(named.length).toBeGreaterThan(0);
    for (const f of named) expect(examples).toContain(f);
    expect(readme).toContain('docs/SCENARIOS.md');
  });
});
