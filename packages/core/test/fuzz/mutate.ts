// Scenario fuzzing (DESIGN §14): seeded mutations of every built-in scenario — wrong types, missing fields,
// extreme numbers, NaN strings, 2^53+1, huge arrays, unknown keys, `__proto__`/`constructor` keys, deep nesting,
// duplicate keys, dangling references, cyclic YAML anchors, alias bombs, non-UTF-8 bytes. Each case is the bytes
// of a scenario file plus whether the validator must reject it (`mustReject`; otherwise it may accept, and an
// accepted scenario is checked further by the callers). Used in-process (fuzz.test.ts) and through the CLI
// (packages/cli/test/fuzz-cli.test.ts); `pnpm soak:fuzz` runs both at soak size.

import { stringify } from 'yaml';
import { BUILTIN_SCENARIOS } from '../../src/scenario/builtin.ts';

export interface FuzzCase {
  /** What was done, for the failure message (with the seed and index, enough to reproduce). */
  what: string[];
  bytes: Uint8Array;
  mustReject: boolean;
}

/** mulberry32: small, seedable, good enough to pick mutations. */
export function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

type Json = null | boolean | number | string | Json[] | { [k: string]: Json };
type Path = (string | number)[];
const TIME_STRING = /^\s*\d+(\.\d+)?(e[+-]?\d+)?\s*(ns|us|µs|ms|s)\s*$/i;

/** Every path in the object (containers and leaves). */
function paths(v: Json, prefix: Path = [], out: Path[] = []): Path[] {
  if (v !== null && typeof v === 'object') {
    for (const [k, x] of Object.entries(v)) {
      const p = [...prefix, Array.isArray(v) ? Number(k) : k];
      out.push(p);
      paths(x as Json, p, out);
    }
  }
  return out;
}

function get(root: Json, p: Path): Json {
  let v: Json = root;
  for (const k of p) v = (v as Record<string | number, Json>)[k];
  return v;
}

function set(root: Json, p: Path, value: Json | undefined): void {
  const parent = get(root, p.slice(0, -1)) as Record<string | number, Json>;
  const k = p[p.length - 1];
  if (value === undefined) {
    if (Array.isArray(parent)) parent.splice(k as number, 1);
    else delete parent[k];
  } else if (k === '__proto__')
    Object.defineProperty(parent, k, { value, enumerable: true, writable: true, configurable: true });
  else parent[k] = value;
}

// Values that no numeric field accepts (every field is bounded, ≥ 0, ≤ 1e15).
const HOSTILE_NUMBERS = [
  -1,
  -1e308,
  1e308,
  2 ** 53 + 1,
  2 ** 64,
  Number.NaN,
  Number.POSITIVE_INFINITY,
  -Number.MAX_VALUE,
];
// Values some fields accept (0 Hz timer, sub-ns times that still round to ≥ 1 cycle, …): may be accepted.
const EDGE_NUMBERS = [0, -0, 0.5, 1, 1e-300, 5e-324, 255, 256, 4096, 4097, 65_536, 1e12, 1e15];
const NAN_STRINGS = ['NaN', '1e400', '-1ms', '0x10', 'Infinity', ' ', '', '5', '1e400ms', '12 parsecs', '١٢ms'];
const UNKNOWN_KEYS = ['__proto__', 'constructor', 'toString', 'hasOwnProperty', 'valueOf', 'nmae', 'sed', 'vcpu', 'x'];

/** A value of another JSON type than `v`. */
function otherType(v: Json, r: () => number): Json {
  const choices: Json[] = ['not-a-value', 7, true, null, [], {}, [1, 2], { a: 1 }];
  const kind = (x: Json) => (x === null ? 'null' : Array.isArray(x) ? 'array' : typeof x);
  const ok = choices.filter((c) => kind(c) !== kind(v));
  return ok[Math.floor(r() * ok.length)];
}

const enc = new TextEncoder();

function serialize(obj: Json, r: () => number): string {
  // JSON keeps an own `__proto__` key as written, and big documents go as JSON (the YAML parser is slow on
  // megabytes: the file-size limit bounds that, fuzzing it 10^4 times would only cost time); YAML otherwise.
  const json = JSON.stringify(obj, null, r() < 0.5 ? 2 : 0);
  return r() < 0.5 || json.length > 100_000 || json.includes('"__proto__"') ? json : stringify(obj);
}

/** Replaces the value of top-level key `key` in YAML text (block style from `stringify`). */
function yamlWith(obj: Json, key: string, valueYaml: string): string {
  const o = { ...(obj as Record<string, Json>) };
  delete o[key];
  return `${stringify(o)}${key}: ${valueYaml}\n`;
}

interface Mutation {
  what: string;
  mustReject: boolean;
  /** The path it changed: a later mutation of the same subtree (or an ancestor) may undo it. */
  path?: Path;
  text?: string;
  bytes?: Uint8Array;
}
type Mutator = (obj: Json, r: () => number) => Mutation;

const pick = <T>(a: readonly T[], r: () => number): T => a[Math.floor(r() * a.length)];

function leafPaths(obj: Json): Path[] {
  return paths(obj).filter((p) => {
    const v = get(obj, p);
    return v === null || typeof v !== 'object';
  });
}

const MUTATORS: Record<string, Mutator> = {
  wrongType(obj, r) {
    const p = pick(leafPaths(obj), r);
    const old = get(obj, p);
    const v = otherType(old, r);
    set(obj, p, v);
    // A number in place of a time string ("250ms" → 7) is a valid time in ns; a list in place of 'spread' /
    // 'per-vcpu' is the other arm of those unions.
    const mayBeTime = typeof old === 'string' && TIME_STRING.test(old) && typeof v === 'number';
    const otherArm = (old === 'spread' || old === 'per-vcpu') && Array.isArray(v);
    return { what: `wrongType ${p.join('.')} = ${JSON.stringify(v)}`, mustReject: !mayBeTime && !otherArm, path: p };
  },
  missing(obj, r) {
    const p = pick(paths(obj), r);
    set(obj, p, undefined);
    return { what: `missing ${p.join('.')}`, mustReject: false, path: p };
  },
  hostileNumber(obj, r) {
    const nums = leafPaths(obj).filter((p) => typeof get(obj, p) === 'number');
    if (nums.length === 0) return { what: 'hostileNumber (none)', mustReject: false };
    const p = pick(nums, r);
    const v = pick(HOSTILE_NUMBERS, r);
    set(obj, p, v); // NaN/±Infinity are written as YAML .nan / .inf (fuzzCase)
    return { what: `hostileNumber ${p.join('.')} = ${v}`, mustReject: true, path: p };
  },
  edgeNumber(obj, r) {
    const nums = leafPaths(obj).filter((p) => typeof get(obj, p) === 'number');
    if (nums.length === 0) return { what: 'edgeNumber (none)', mustReject: false };
    const p = pick(nums, r);
    const v = pick(EDGE_NUMBERS, r);
    set(obj, p, v);
    return { what: `edgeNumber ${p.join('.')} = ${v}`, mustReject: false, path: p };
  },
  nanString(obj, r) {
    const p = pick(
      leafPaths(obj).filter((q) => typeof get(obj, q) === 'number' || TIME_STRING.test(String(get(obj, q)))),
      r,
    );
    const v = pick(NAN_STRINGS, r);
    set(obj, p, v);
    return { what: `nanString ${p.join('.')} = ${JSON.stringify(v)}`, mustReject: true, path: p };
  },
  hugeArray(obj, r) {
    const o = obj as Record<string, Json>;
    const which = pick(['schemes', 'vms', 'pin', 'values', 'queues', 'devices'], r);
    const n = pick([5_000, 70_000], r);
    if (which === 'schemes') o.schemes = Array(n).fill('bare-metal');
    else if (which === 'vms') o.vms = Array.from({ length: n }, () => ({ name: 'dup', vcpus: 1 }));
    else if (which === 'devices')
      o.devices = Array.from({ length: n }, () => ({
        name: 'd',
        vm: 'nowhere',
        vector: 65,
        arrival: { process: 'poisson', rate: 1 },
      }));
    else if (which === 'pin') (o.vms as Record<string, Json>[])[0].pin = Array(n).fill(0);
    else if (which === 'queues')
      o.devices = [
        {
          name: 'd',
          vm: (o.vms as Record<string, Json>[])[0].name,
          vector: 65,
          queues: Array(n).fill(0),
          arrival: { process: 'poisson', rate: 1 },
        },
      ];
    else (o.vms as Record<string, Json>[])[0].guest = { handler: { dist: 'empirical', values: Array(n).fill(-1) } };
    // Every variant breaks a rule: too many schemes / duplicate VM names / dangling device VMs / pin length / queue
    // vectors past 255 / negative empirical values.
    // Ends the case, as JSON (later object mutations would only walk the huge list again).
    return { what: `hugeArray ${which} × ${n}`, mustReject: true, text: JSON.stringify(obj) };
  },
  unknownKey(obj, r) {
    const objs = [[], ...paths(obj)].filter((p) => {
      const v = get(obj, p as Path);
      return v !== null && typeof v === 'object' && !Array.isArray(v);
    }) as Path[];
    const p = pick(objs, r);
    const k = pick(UNKNOWN_KEYS, r);
    set(obj, [...p, k], 1);
    return { what: `unknownKey ${[...p, k].join('.')}`, mustReject: true, path: [...p, k] };
  },
  danglingRef(obj, r) {
    const o = obj as Record<string, Json>;
    const vms = o.vms as Record<string, Json>[];
    const kind = pick(['device.vm', 'pin', 'queues', 'preset'], r);
    if (kind === 'device.vm')
      o.devices = [{ name: 'd', vm: 'no-such-vm', vector: 65, arrival: { process: 'poisson', rate: 1 } }];
    else if (kind === 'pin') vms[0].pin = Array(Math.min(4096, Math.max(1, Number(vms[0].vcpus) || 1))).fill(100_000);
    else if (kind === 'queues')
      o.devices = [
        { name: 'd', vm: vms[0].name, vector: 65, queues: [5000], arrival: { process: 'poisson', rate: 1 } },
      ];
    else o.costs = { preset: 'constructor' };
    return { what: `danglingRef ${kind}`, mustReject: true };
  },
  deepNesting(obj, r) {
    const depth = pick([40, 1_000, 3_000], r);
    const key = pick(['description', 'vms', 'host', 'seed'], r);
    return {
      what: `deepNesting ${key} depth ${depth}`,
      mustReject: true,
      text: yamlWith(obj, key, `${'['.repeat(depth)}${']'.repeat(depth)}`),
    };
  },
  duplicateKey(obj, r) {
    const keys = Object.keys(obj as object);
    const k = pick(keys, r);
    return {
      what: `duplicateKey ${k}`,
      mustReject: true,
      text: `${stringify(obj)}${k}: ${JSON.stringify((obj as Record<string, Json>)[k])}\n`,
    };
  },
  cyclicAnchor(obj, r) {
    const v = pick(['&a [*a]', '&a {x: *a}', '&a [1, [2, *a]]'], r);
    const key = pick(['vms', 'host', 'devices', 'schemeOptions'], r);
    return { what: `cyclicAnchor ${key}: ${v}`, mustReject: true, text: yamlWith(obj, key, v) };
  },
  aliasBomb(obj, r) {
    const lines = ['a0: &a0 [x, x, x, x, x, x, x, x, x, x]'];
    for (let i = 1; i < 10; i++)
      lines.push(
        `a${i}: &a${i} [${Array(10)
          .fill(`*a${i - 1}`)
          .join(', ')}]`,
      );
    const key = pick(['description', 'vms', 'name'], r);
    return {
      what: `aliasBomb under ${key}`,
      mustReject: true,
      text: yamlWith(obj, key, `\n  ${lines.join('\n  ')}`),
    };
  },
  nonUtf8(obj, r) {
    const text = enc.encode(serialize(obj, r));
    const at = Math.floor(r() * text.length);
    const bad = pick(
      [[0xff], [0xc3, 0x28], [0xe2, 0x82], [0xed, 0xa0, 0x80], [0xf5, 0x80, 0x80, 0x80], [0xc0, 0xaf]],
      r,
    );
    const bytes = new Uint8Array(text.length + bad.length);
    bytes.set(text.subarray(0, at));
    bytes.set(bad, at);
    bytes.set(text.subarray(at), at + bad.length);
    return { what: `nonUtf8 ${bad.map((b) => b.toString(16)).join(' ')} at byte ${at}`, mustReject: true, bytes };
  },
};

export const MUTATOR_NAMES = Object.keys(MUTATORS);

/** Case `i` of the run with `seed`: one to three mutations of one built-in. */
export function fuzzCase(seed: number, i: number): FuzzCase {
  const r = rng((seed ^ Math.imul(i + 1, 0x9e3779b1)) >>> 0);
  const names = Object.keys(BUILTIN_SCENARIOS);
  const name = names[Math.floor(r() * names.length)];
  const obj = structuredClone(BUILTIN_SCENARIOS[name]) as unknown as Json;
  const what = [`seed ${seed} case ${i}: ${name}`];
  const done: Mutation[] = [];
  // Must reject if some must-reject mutation was not overwritten by a later one on the same subtree (unmarked
  // mutations — dangling references, whole-list replacements — may touch anything: they end the must-reject
  // claims before them).
  const related = (a: Path, b: Path) => a.slice(0, b.length).join('\0') === b.slice(0, a.length).join('\0');
  const mustRejectNow = () =>
    done.some(
      (m, i) =>
        m.mustReject &&
        done.slice(i + 1).every((l) => l.path !== undefined && m.path !== undefined && !related(l.path, m.path)),
    );
  const n = 1 + Math.floor(r() * r() * 3);
  for (let k = 0; k < n; k++) {
    const name = MUTATOR_NAMES[Math.floor(r() * MUTATOR_NAMES.length)];
    let m: Mutation;
    try {
      m = MUTATORS[name](obj, r);
    } catch {
      // An earlier mutation removed what this one edits (vms no longer a list, …): the object may be half-changed,
      // so claim nothing about it.
      m = { what: `${name} (not applicable)`, mustReject: false };
    }
    what.push(m.what);
    done.push(m);
    const mustReject = mustRejectNow();
    // Text- and byte-level mutations end the case (they are not objects any more).
    if (m.bytes) return { what, bytes: m.bytes, mustReject };
    if (m.text) return { what, bytes: enc.encode(m.text), mustReject };
  }
  const hasSpecial = JSON.stringify(obj, (_k, v) =>
    typeof v === 'number' && !Number.isFinite(v) ? '__SPECIAL__' : v,
  ).includes('__SPECIAL__');
  const text = hasSpecial ? stringify(obj) : serialize(obj, r); // YAML writes NaN/±Infinity as .nan/.inf
  return { what, bytes: enc.encode(text), mustReject: mustRejectNow() };
}
