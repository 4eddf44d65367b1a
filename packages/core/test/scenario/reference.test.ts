// docs/SCENARIOS.md and docs/scenario.schema.json are what the schema generates (`pnpm docs:scenarios`); every field
// has a meaning; every built-in scenario is valid under the JSON Schema (checked by the small draft-07 checker
// below: no JSON Schema validator is a dependency, and the schema uses only the keywords it implements).

import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { BUILTIN_SCENARIOS } from '../../src/scenario/builtin.ts';
import { scenarioJsonSchema, scenarioReferenceMarkdown } from '../../src/scenario/reference.ts';
import { parseTimeNs, TIME_PATTERN } from '../../src/scenario/units.ts';

const docs = (f: string) => readFileSync(new URL(`../../../../docs/${f}`, import.meta.url), 'utf8');
type Json = Record<string, unknown>;

const ANNOTATIONS = new Set(['$schema', 'title', 'description', 'default', 'unit', 'definitions']);
const ASSERTIONS = new Set([
  '$ref',
  'allOf',
  'anyOf',
  'oneOf',
  'type',
  'enum',
  'const',
  'properties',
  'required',
  'additionalProperties',
  'items',
  'minItems',
  'maxItems',
  'minimum',
  'maximum',
  'exclusiveMinimum',
  'minLength',
  'pattern',
]);

const typeOk = (t: string, v: unknown) =>
  t === 'integer'
    ? Number.isInteger(v)
    : t === 'number'
      ? typeof v === 'number'
      : t === 'array'
        ? Array.isArray(v)
        : t === 'object'
          ? v !== null && typeof v === 'object' && !Array.isArray(v)
          : t === 'null'
            ? v === null
            : typeof v === t;

/** Errors of `v` against `s` (draft-07 subset), each with its path; throws on a keyword it does not implement. */
function check(root: Json, s: Json, v: unknown, path = '$'): string[] {
  for (const k of Object.keys(s))
    if (!ANNOTATIONS.has(k) && !ASSERTIONS.has(k)) throw new Error(`${path}: keyword ${k} not implemented`);
  const errs: string[] = [];
  const sub = (x: Json, val: unknown, p = path) => check(root, x, val, p);
  if (typeof s.$ref === 'string')
    errs.push(...sub((root.definitions as Json)[s.$ref.split('/').pop() as string] as Json, v));
  for (const x of (s.allOf ?? []) as Json[]) errs.push(...sub(x, v));
  if (s.anyOf && !(s.anyOf as Json[]).some((x) => sub(x, v).length === 0))
    errs.push(`${path}: no anyOf branch matches`);
  if (s.oneOf && (s.oneOf as Json[]).filter((x) => sub(x, v).length === 0).length !== 1)
    errs.push(`${path}: not exactly one oneOf branch matches`);
  if (s.type !== undefined) {
    const types = (Array.isArray(s.type) ? s.type : [s.type]) as string[];
    if (!types.some((t) => typeOk(t, v))) return [...errs, `${path}: expected ${types.join('|')}`];
  }
  if (s.enum && !(s.enum as unknown[]).includes(v)) errs.push(`${path}: not in enum`);
  if ('const' in s && s.const !== v) errs.push(`${path}: expected ${JSON.stringify(s.const)}`);
  if (typeof v === 'number') {
    if (typeof s.minimum === 'number' && v < s.minimum) errs.push(`${path}: below minimum`);
    if (typeof s.maximum === 'number' && v > s.maximum) errs.push(`${path}: above maximum`);
    if (typeof s.exclusiveMinimum === 'number' && v <= s.exclusiveMinimum) errs.push(`${path}: not above minimum`);
  }
  if (typeof v === 'string') {
    if (typeof s.minLength === 'number' && v.length < s.minLength) errs.push(`${path}: too short`);
    if (typeof s.pattern === 'string' && !new RegExp(s.pattern).test(v)) errs.push(`${path}: does not match pattern`);
  }
  if (Array.isArray(v)) {
    if (typeof s.minItems === 'number' && v.length < s.minItems) errs.push(`${path}: too few items`);
    if (typeof s.maxItems === 'number' && v.length > s.maxItems) errs.push(`${path}: too many items`);
    if (s.items) for (const [i, x] of v.entries()) errs.push(...sub(s.items as Json, x, `${path}[${i}]`));
  }
  if (v !== null && typeof v === 'object' && !Array.isArray(v)) {
    const props = (s.properties ?? {}) as Record<string, Json>;
    for (const r of (s.required ?? []) as string[]) if (!(r in v)) errs.push(`${path}.${r}: required`);
    for (const [k, x] of Object.entries(v)) {
      if (props[k]) errs.push(...sub(props[k], x, `${path}.${k}`));
      else if (s.additionalProperties === false) errs.push(`${path}.${k}: not allowed`);
    }
  }
  return errs;
}

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
    ['a bad time string', (s: Json) => (s.duration = '20 minutes'), '$.duration: does not match pattern'],
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
