// A small draft-07 JSON Schema checker for tests: no JSON Schema validator is a dependency, and the scenario's
// schema uses only the keywords implemented here (an unknown keyword throws, so a new one cannot pass unchecked).

export type Json = Record<string, unknown>;

// No `unit`: the exported schema carries units in its descriptions (strict validators refuse unknown keywords).
const ANNOTATIONS = new Set(['$schema', 'title', 'description', 'default', 'definitions']);
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
export function check(root: Json, s: Json, v: unknown, path = '$'): string[] {
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
