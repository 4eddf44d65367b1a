// Field paths of a scenario (`devices[0].arrival.rate`): what keys the schema allows at a path (for the
// did-you-mean of an unknown key), the nearest allowed key by edit distance, and `--set path=value` overrides
// applied to a scenario's input before it is validated. The schema is walked through zod's own definitions, so a
// field added to schema.ts is known here without a second list.

import type { z } from 'zod';

export type PathSegment = string | number;

/** `scenario.devices[0].arrival.rate`; a key that is not a plain name is quoted (`scenario["a b"]`), so a path
 * is always one line. */
export function formatPath(path: readonly PropertyKey[]): string {
  let out = 'scenario';
  for (const p of path)
    out +=
      typeof p === 'number'
        ? `[${p}]`
        : /^[A-Za-z0-9_$-]+$/.test(String(p))
          ? `.${String(p)}`
          : `[${JSON.stringify(String(p))}]`;
  return out;
}

/** Parses `a.b[0].c-d` into segments; null when malformed. Keys are letters, digits, `_` and `-`. */
export function parsePath(text: string): PathSegment[] | null {
  const re = /([A-Za-z0-9_-]+)|\[(\d+)\]|(\.)/gy;
  const out: PathSegment[] = [];
  let expectKey = true; // at the start and after a dot: a key must follow
  let m: RegExpExecArray | null = re.exec(text);
  while (m !== null) {
    if (m[1] !== undefined) {
      if (!expectKey) return null;
      out.push(m[1]);
      expectKey = false;
    } else if (m[2] !== undefined) {
      if (expectKey) return null;
      out.push(Number(m[2]));
    } else {
      if (expectKey) return null;
      expectKey = true;
    }
    if (re.lastIndex === text.length) break;
    m = re.exec(text);
  }
  if (m === null || re.lastIndex !== text.length || expectKey) return null;
  return out;
}

type Schema = z.core.$ZodType;
// biome-ignore lint/suspicious/noExplicitAny: zod's definitions are a tagged union read by `type`
type AnyDef = any;

/** The schemas that describe a value at this node: wrappers (default, optional, pipe, …) removed, unions spread. */
function concrete(s: Schema, value: unknown): Schema[] {
  const def: AnyDef = s._zod.def;
  switch (def.type) {
    case 'optional':
    case 'nullable':
    case 'default':
    case 'prefault':
    case 'readonly':
    case 'catch':
    case 'nonoptional':
      return concrete(def.innerType, value);
    case 'pipe':
      return concrete(def.in, value);
    case 'lazy':
      return concrete(def.getter(), value);
    case 'union': {
      let options: Schema[] = def.options;
      const tag: string | undefined = def.discriminator;
      // A discriminated union: the variant the value names, when it names one.
      if (tag !== undefined && value !== null && typeof value === 'object' && tag in value) {
        const picked = options.filter((o) => {
          const lit: AnyDef = (o as AnyDef)._zod.def.shape?.[tag]?._zod.def;
          return lit?.type === 'literal' && lit.values.includes((value as Record<string, unknown>)[tag]);
        });
        if (picked.length > 0) options = picked;
      }
      return options.flatMap((o) => concrete(o, value));
    }
    default:
      return [s];
  }
}

const isObject = (s: Schema) => (s._zod.def as AnyDef).type === 'object';
const isArray = (s: Schema) => (s._zod.def as AnyDef).type === 'array';

/** Walks `path` from `root` along `input`: the concrete schemas at its end and the value found there. */
function schemasAt(root: Schema, path: readonly PropertyKey[], input: unknown): { schemas: Schema[]; value: unknown } {
  let schemas = concrete(root, input);
  let value = input;
  for (const seg of path) {
    const next: Schema[] = [];
    const child =
      value !== null && typeof value === 'object' ? (value as Record<PropertyKey, unknown>)[seg as string] : undefined;
    for (const s of schemas) {
      const def: AnyDef = s._zod.def;
      if (typeof seg === 'number' && isArray(s)) next.push(...concrete(def.element, child));
      else if (typeof seg === 'string' && isObject(s) && Object.hasOwn(def.shape, seg))
        next.push(...concrete(def.shape[seg], child));
    }
    schemas = next;
    value = child;
  }
  return { schemas, value };
}

/** The keys the schema allows in the object at `path` (empty when no object is allowed there). */
export function allowedKeysAt(root: Schema, path: readonly PropertyKey[], input: unknown): string[] {
  const keys = new Set<string>();
  for (const s of schemasAt(root, path, input).schemas)
    if (isObject(s)) for (const k of Object.keys((s._zod.def as AnyDef).shape)) keys.add(k);
  return [...keys];
}

/** Optimal-string-alignment distance (Levenshtein plus adjacent transpositions), case-insensitive. */
export function editDistance(a: string, b: string): number {
  const s = a.toLowerCase();
  const t = b.toLowerCase();
  const d: number[][] = Array.from({ length: s.length + 1 }, (_, i) => [i, ...new Array<number>(t.length).fill(0)]);
  for (let j = 1; j <= t.length; j++) d[0][j] = j;
  for (let i = 1; i <= s.length; i++)
    for (let j = 1; j <= t.length; j++) {
      const cost = s[i - 1] === t[j - 1] ? 0 : 1;
      d[i][j] = Math.min(d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + cost);
      if (i > 1 && j > 1 && s[i - 1] === t[j - 2] && s[i - 2] === t[j - 1])
        d[i][j] = Math.min(d[i][j], d[i - 2][j - 2] + 1);
    }
  return d[s.length][t.length];
}

/** The allowed key nearest to `key`, if near enough to be a typo of it (about a third of its letters). */
export function nearestKey(key: string, allowed: readonly string[]): string | undefined {
  const limit = Math.max(1, Math.min(3, Math.floor(key.length / 3)));
  let best: string | undefined;
  let bestD = Number.POSITIVE_INFINITY;
  for (const k of allowed) {
    const dist = editDistance(key, k);
    if (dist < bestD) [best, bestD] = [k, dist];
  }
  return bestD <= limit ? best : undefined;
}

/** "(did you mean pcpus?)" or "(expected one of a, b, c)". */
export function keyHint(key: string, allowed: readonly string[]): string {
  if (allowed.length === 0) return '';
  const near = nearestKey(key, allowed);
  return near !== undefined ? ` (did you mean ${near}?)` : ` (expected one of ${allowed.join(', ')})`;
}

const kindOf = (v: unknown) =>
  v === null ? 'null' : Array.isArray(v) ? 'a list' : typeof v === 'object' ? 'an object' : `a ${typeof v}`;

/**
 * Sets `path` to `value` in a scenario input (a plain object, modified in place), refusing a path the schema does
 * not have: an unknown key (with the nearest allowed one), an index past the end of a list, a step into a value that
 * is not an object or a list. Missing objects on the way are created. Throws an Error naming the path.
 */
export function setAtPath(root: Schema, input: Record<string, unknown>, path: readonly PathSegment[], value: unknown) {
  let node: unknown = input;
  for (let i = 0; i < path.length; i++) {
    const seg = path[i];
    const here = path.slice(0, i);
    const last = i === path.length - 1;
    if (typeof seg === 'number') {
      if (!Array.isArray(node)) throw new Error(`${formatPath(here)} is ${kindOf(node)}, not a list`);
      if (seg >= node.length)
        throw new Error(
          `${formatPath(here)} has ${node.length} ${node.length === 1 ? 'entry' : 'entries'}; [${seg}] is past its end`,
        );
    } else {
      if (node === null || typeof node !== 'object' || Array.isArray(node))
        throw new Error(`${formatPath(here)} is ${kindOf(node)}, not an object`);
      const allowed = allowedKeysAt(root, here, input);
      if (!allowed.includes(seg)) throw new Error(`${formatPath([...here, seg])}: unknown key${keyHint(seg, allowed)}`);
    }
    const obj = node as Record<PropertyKey, unknown>;
    if (last) obj[seg] = value;
    else {
      if (obj[seg] === undefined) {
        if (typeof path[i + 1] === 'number')
          throw new Error(`${formatPath([...here, seg])} is not set (no list to index)`);
        obj[seg] = {};
      }
      node = obj[seg];
    }
  }
}
