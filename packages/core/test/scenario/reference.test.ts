// docs/SCENARIOS.md and docs/scenario.schema.json are what the schema generates (`pnpm docs:scenarios`); every field
// has a meaning; every built-in scenario is valid under the JSON Schema (json-schema-check.ts).

import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { BUILTIN_SCENARIOS } from '../../src/scenario/builtin.ts';
import { scenarioJsonSchema, scenarioReferenceMarkdown } from '../../src/scenario/reference.ts';
import { parseTimeNs, TIME_PATTERN } from '../../src/scenario/units.ts';
import { check, type Json } from './json-schema-check.ts';

const docs = (f: string) => readFileSync(new URL(`../../../../docs/${f}`, import.meta.url), 'utf8');
const schema = scenarioJsonSchema();

describe('scenario reference', () => {
  it('docs/SCENARIOS.md is current (else: pnpm docs:scenarios)', () => {
    expect(docs('SCENARIOS.md')).toBe(scenarioReferenceMarkdown());
  });

  it('docs/scenario.schema.json is current (else: pnpm docs:scenarios)', () => {
    expect(docs('scenario.schema.json')).toBe(`${JSON.stringify(schema, null, 2)}\n`);
  });

  it('every field of the schema has a meaning (.describe())', () => {
    const missing: string[] = [];
    const walk = (s: Json, path: string) => {
      for (const [k, p] of Object.entries((s.properties ?? {}) as Record<string, Json>)) {
        // A discriminator's literal is documented by its variant's heading.
        if (p.const === undefined && typeof p.description !== 'string') missing.push(`${path}.${k}`);
        walk(p, `${path}.${k}`);
      }
      for (const key of ['items', 'additionalProperties'] as const)
        if (s[key] && typeof s[key] === 'object') walk(s[key] as Json, `${path}[]`);
      for (const key of ['anyOf', 'oneOf', 'allOf'] as const) for (const x of (s[key] ?? []) as Json[]) walk(x, path);
    };
    walk(schema, 'scenario');
    for (const [name, d] of Object.entries(schema.definitions as Record<string, Json>)) walk(d, `<${name}>`);
    expect(missing).toEqual([]);
    // And the reference shows it: no row with an empty meaning or an unknown type.
    const rows = scenarioReferenceMarkdown()
      .split('\n')
      .filter((l) => l.startsWith('| `'));
    expect(rows.length).toBeGreaterThan(150);
    for (const row of rows) {
      expect(row).not.toMatch(/\| undefined \||\|\s*\|$/);
    }
  });

  it.each(Object.keys(BUILTIN_SCENARIOS))('built-in %s is valid under the JSON Schema', (name) => {
    expect(check(schema, schema, BUILTIN_SCENARIOS[name])).toEqual([]);
  });

  it.each([
    ['an unknown key', (s: Json) => (s.sed = 1), '$.sed: not allowed'],
    ['a missing field', (s: Json) => delete s.duration, '$.duration: required'],
    ['a bad time string', (s: Json) => (s.duration = '20 minutes'), '$.duration: no anyOf branch matches'],
    ['an unknown scheme', (s: Json) => (s.schemes = ['x86-foo']), '$.schemes[0]: not in enum'],
    [
      'a bad distribution',
      (s: Json) => ((s.vms as Json[])[0].guest = { handler: { dist: 'gamma' } }),
      expect.any(String),
    ],
  ])('the checker can fail: %s', (_what, mut, err) => {
    const s = structuredClone(BUILTIN_SCENARIOS['x86-small']) as unknown as Json;
    mut(s);
    expect(check(schema, schema, s)).toContainEqual(err);
  });

  it('the JSON Schema time pattern accepts exactly what parseTimeNs parses', () => {
    const re = new RegExp(TIME_PATTERN);
    const accepted = ['20ms', ' 1.5 s ', '150us', '150µs', '150µS', '3NS', '1e3ms', '2E-1s', '7MS'];
    const refused = ['20 minutes', 'ms', '1.ms', '-1ms', '20', '5μs', '5Μs', '1 ms s'];
    for (const t of accepted) expect([t, re.test(t), parseTimeNs(t) !== undefined]).toEqual([t, true, true]);
    for (const t of refused) expect([t, re.test(t), parseTimeNs(t) !== undefined]).toEqual([t, false, false]);
  });
});
