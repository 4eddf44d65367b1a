// The scenario reference, generated from the zod schema: a JSON Schema for editors (docs/scenario.schema.json) and
// the field-by-field reference (docs/SCENARIOS.md) rendered from that JSON Schema — path, type, unit, default,
// bounds and meaning (each field's `.describe()`). `pnpm docs:scenarios` writes both; a test fails when either
// differs from what this module produces, so the documents cannot drift from the schema.

import { z } from 'zod';
import { scenarioSchema } from './schema.ts';
import { formatNs } from './units.ts';

type Json = Record<string, unknown>;

/**
 * The scenario's JSON Schema (draft-07, which every YAML/JSON editor plugin reads), describing the input a file may
 * contain. Cross-field rules (a device's `vm` must exist, pin lists as long as `vcpus`, …) are not expressible
 * here; `ivsim validate` checks them. Units are in the descriptions (what an editor shows on hover), not in a
 * keyword of their own, so strict validators (Ajv's default) accept the file.
 */
export function scenarioJsonSchema(): Json {
  const out = annotatedJsonSchema();
  const walk = (v: unknown): void => {
    if (Array.isArray(v)) for (const x of v) walk(x);
    else if (v !== null && typeof v === 'object') {
      const o = v as Json;
      if (typeof o.unit === 'string') {
        const unit = o.unit === 'ns' ? 'a time: ns, or a string with a unit such as "20ms"' : `unit: ${o.unit}`;
        o.description = o.description === undefined ? `(${unit})` : `${String(o.description)} (${unit})`;
        delete o.unit;
      }
      // A time is a number or a string: one branch each, so that every keyword applies to one type (Ajv's
      // strictTypes refuses a union `type` with type-specific keywords beside it).
      if (Array.isArray(o.type) && o.type.length === 2 && o.type.includes('number') && o.type.includes('string')) {
        const { type: _t, pattern, minimum, maximum, exclusiveMinimum, ...rest } = o;
        const num: Json = { type: 'number' };
        for (const [k, x] of Object.entries({ minimum, maximum, exclusiveMinimum })) if (x !== undefined) num[k] = x;
        for (const k of Object.keys(o)) delete o[k];
        Object.assign(o, rest, { anyOf: [num, { type: 'string', ...(pattern ? { pattern } : {}) }] });
      }
      for (const x of Object.values(o)) walk(x);
    }
  };
  walk(out);
  return out;
}

/** The JSON Schema with a `unit` keyword on the fields that have one: what docs/SCENARIOS.md is rendered from. */
function annotatedJsonSchema(): Json {
  const js = z.toJSONSchema(scenarioSchema, {
    target: 'draft-7',
    io: 'input',
    // zod leaves out a default it cannot show on the input side of a transform (times); it is a valid input too.
    override: (ctx) => {
      const def = ctx.zodSchema._zod.def as { type: string; defaultValue?: unknown };
      if (def.type === 'default' && !('default' in ctx.jsonSchema))
        (ctx.jsonSchema as Json).default = structuredClone(def.defaultValue);
    },
  }) as Json;
  return { $schema: js.$schema, title: 'ivsim scenario', ...js };
}

// ---- Markdown ----

interface Row {
  path: string;
  type: string;
  unit: string;
  dflt: string;
  bounds: string;
  meaning: string;
}

interface Section {
  title: string;
  intro?: string;
  rows: Row[];
  /** Variant tables of a discriminated union (title → rows). */
  variants?: { title: string; rows: Row[] }[];
}

const SAFE = Number.MAX_SAFE_INTEGER;
const esc = (s: string) => s.replace(/\|/g, '\\|');
const code = (v: unknown) => `\`${typeof v === 'string' ? v : JSON.stringify(v)}\``;

function num(n: number): string {
  if (Math.abs(n) >= 1e7 && Number.isInteger(Math.log10(Math.abs(n)))) return `1e${Math.log10(Math.abs(n))}`;
  return n.toLocaleString('en-US');
}

/** GitHub's heading anchor: lower case, punctuation other than `-` and `_` dropped, spaces to dashes. */
export function anchor(title: string): string {
  return title
    .toLowerCase()
    .replace(/[^a-z0-9 _-]/g, '')
    .replace(/ /g, '-');
}

const unitOf = (s: Json) => (typeof s.unit === 'string' ? s.unit : undefined);

class Renderer {
  readonly sections: Section[] = [];
  constructor(readonly defs: Record<string, Json>) {}

  /** draft-07 ignores keywords beside `$ref`, so zod writes a described reference as `allOf: [{ $ref }]`. */
  static norm(s: Json): Json {
    const all = s.allOf as Json[] | undefined;
    if (all?.length === 1 && typeof all[0].$ref === 'string') {
      const { allOf: _a, ...rest } = s;
      return { ...rest, $ref: all[0].$ref };
    }
    return s;
  }

  private resolve(s0: Json): Json {
    const s = Renderer.norm(s0);
    const ref = s.$ref as string | undefined;
    return ref ? { ...this.defs[ref.replace('#/definitions/', '')], ...s, $ref: ref } : s;
  }

  private variantsOf(s: Json): Json[] | undefined {
    const alts = (s.anyOf ?? s.oneOf) as Json[] | undefined;
    return alts?.map((a) => this.resolve(a));
  }

  /** The discriminator of a union whose every variant is an object with one const property in common. */
  private discriminator(alts: Json[]): string | undefined {
    const first = alts[0]?.properties as Record<string, Json> | undefined;
    if (!first) return undefined;
    return Object.keys(first).find((k) =>
      alts.every((a) => (a.properties as Record<string, Json> | undefined)?.[k]?.const !== undefined),
    );
  }

  type(s0: Json, path: string): string {
    const s = Renderer.norm(s0);
    const ref = s.$ref as string | undefined;
    if (ref) {
      const name = ref.replace('#/definitions/', '');
      return `[${name.toLowerCase()}](#${anchor(name)})`;
    }
    if (s.unit === 'ns') return 'time';
    if (s.const !== undefined) return code(s.const);
    if (Array.isArray(s.enum)) return s.enum.map(code).join(' \\| ');
    const alts = this.variantsOf(s);
    if (alts) {
      const tag = this.discriminator(alts);
      if (tag)
        return `[object](#${anchor(path)}) by \`${tag}\`: ${alts.map((a) => code((a.properties as Record<string, Json>)[tag].const)).join(', ')}`;
      return alts.map((a) => this.type(a, path)).join(' or ');
    }
    if (s.type === 'array') return `list of ${this.type(this.resolve(s.items as Json), `${path}[]`)}`;
    if (s.type === 'object') return s.properties ? `[object](#${anchor(path)})` : 'object';
    // An unconstrained value (a sweep axis's values): whatever the swept field accepts.
    return s.type === undefined ? 'any value' : String(s.type);
  }

  bounds(s: Json): string {
    const b: string[] = [];
    if (typeof s.exclusiveMinimum === 'number') b.push(`> ${num(s.exclusiveMinimum)}`);
    else if (typeof s.minimum === 'number' && !(s.minimum === 0 && s.unit === 'ns') && s.minimum !== -SAFE)
      b.push(`≥ ${num(s.minimum)}`);
    if (typeof s.maximum === 'number' && s.maximum !== SAFE) b.push(`≤ ${num(s.maximum)}`);
    if (s.minLength === 1) b.push('non-empty');
    if (typeof s.minItems === 'number' || typeof s.maxItems === 'number') {
      const lo = typeof s.minItems === 'number' ? num(s.minItems) : '0';
      const hi = typeof s.maxItems === 'number' ? num(s.maxItems) : '∞';
      b.push(`${lo} … ${hi} entries`);
      const items = s.items as Json | undefined;
      const inner = items ? this.bounds(this.resolve(items)) : '';
      if (inner) b.push(`each ${inner}`);
    }
    return b.join(', ');
  }

  /** `raw`: the field as written (its default); `prop`: what it resolves to. */
  private dflt(raw: Json, prop: Json, required: boolean): string {
    if (required) return 'required';
    if (!('default' in raw)) return '—';
    const d = raw.default;
    // An object with fields of its own is documented field by field, defaults included.
    if (d !== null && typeof d === 'object' && !Array.isArray(d) && Object.keys(d).length > 1) {
      const alts = this.variantsOf(prop) ?? [prop];
      if (!prop.$ref && alts.some((a) => a.properties !== undefined)) return "its fields'";
    }
    if (prop.unit === 'ns' && typeof d === 'number') return code(formatNs(d));
    return code(d);
  }

  /** A table for the object `s` at `path`, then sections for the objects inside it (depth first). */
  object(title: string, s: Json, path: string, intro?: string): void {
    const section: Section = { title, intro, rows: [] };
    this.sections.push(section);
    section.rows = this.rows(s, path);
  }

  private rows(s: Json, path: string): Row[] {
    const props = (s.properties ?? {}) as Record<string, Json>;
    const required = new Set((s.required ?? []) as string[]);
    const rows: Row[] = [];
    const later: (() => void)[] = [];
    for (const [key, raw0] of Object.entries(props)) {
      const raw = Renderer.norm(raw0);
      const p = path === '' ? key : `${path}.${key}`;
      const prop = this.resolve(raw);
      rows.push({
        path: p,
        type: this.type(raw, p),
        unit: unitOf(prop) ?? (prop.items ? (unitOf(this.resolve(prop.items as Json)) ?? '') : ''),
        dflt: this.dflt(raw, prop, required.has(key)),
        bounds: this.bounds(prop),
        meaning: typeof raw.description === 'string' ? raw.description : String(prop.description ?? ''),
      });
      if (raw.$ref) continue; // documented once, in its own section
      later.push(() => this.children(prop, p));
    }
    for (const f of later) f();
    return rows;
  }

  /** Sections for what a field contains: an object, a list of objects, a union with object variants. */
  private children(s: Json, path: string): void {
    if (s.type === 'object' && s.properties) return this.object(path, s, path);
    if (s.type === 'array' && s.items) {
      const items = this.resolve(s.items as Json);
      if (!(s.items as Json).$ref) this.children(items, `${path}[]`);
      return;
    }
    const alts = this.variantsOf(s);
    if (!alts) return;
    const tag = this.discriminator(alts);
    if (tag) return this.union(path, alts, tag, path);
    for (const a of alts) this.children(a, path);
  }

  union(title: string, alts: Json[], tag: string, path: string, intro?: string): void {
    const section: Section = { title, intro, rows: [], variants: [] };
    this.sections.push(section);
    for (const a of alts) {
      const value = (a.properties as Record<string, Json>)[tag].const;
      const props = { ...(a.properties as Record<string, Json>) };
      delete props[tag];
      section.variants?.push({
        title: `\`${tag}: ${String(value)}\``,
        rows: this.rows({ ...a, properties: props }, path),
      });
    }
  }
}

function table(rows: Row[]): string[] {
  const out = ['| field | type | unit | default | bounds | meaning |', '| --- | --- | --- | --- | --- | --- |'];
  for (const r of rows)
    out.push(`| \`${r.path}\` | ${r.type} | ${r.unit} | ${esc(r.dflt)} | ${r.bounds} | ${esc(r.meaning)} |`);
  return out;
}

const INTRO = `# Scenario file reference

<!-- Generated from packages/core/src/scenario/schema.ts by \`pnpm docs:scenarios\`; do not edit by hand. A test
(packages/core/test/scenario/reference.test.ts) fails when this file or docs/scenario.schema.json is out of date. -->

A scenario is one experiment: a host, its VMs and devices, the guests' behaviour, and the delivery schemes to compare
on that same workload (DESIGN §5). It is a YAML or JSON file; \`ivsim validate FILE\` checks it and reports every
problem at once, one line each with the field's path (an unknown key names the key it is nearest to), exit 2.
Commented examples to start from are in [\`examples/\`](../examples/); \`ivsim scenarios --show NAME\` prints a
built-in as YAML. \`ivsim run FILE --set path=value\` overrides any field below before validation (e.g.
\`--set devices[0].arrival.rate=200000 --set host.pcpus=4\`; the value is YAML).

- **Times** (type *time*) are a number of nanoseconds or a string with a unit: \`150us\`, \`20ms\`, \`1.5s\`
  (units \`ns\`, \`us\`, \`µs\`, \`ms\`, \`s\`); at most 1e15 ns.
- **Rates** (unit 1/s) are events per second of virtual time; **costs** are CPU cycles at \`cpu.freqGHz\`.
- **default**: the value taken when the field is absent; *required*: the field must be given; —: absent means
  unset (the meaning says what that does); *its fields'*: an absent object takes the defaults of its fields.
- Paths: \`vms[]\` is every entry of the list \`vms\`; in \`--set\` and in error messages an entry has its index,
  \`vms[0].vcpus\`.
- Checks between fields (a device's \`vm\` must name a VM, \`pin\` has one pCPU per vCPU, vectors do not collide,
  the schemes belong to \`arch\`, …) are not in the tables; validation reports them at the field concerned.

For editors, [\`scenario.schema.json\`](scenario.schema.json) is the same schema as JSON Schema (draft-07): with the
YAML language server (VS Code's YAML extension and others) put
\`# yaml-language-server: $schema=../docs/scenario.schema.json\` (the path relative to the file) on a scenario's
first line, as the examples do, for completion, hover text and checks as you type.
`;

/** docs/SCENARIOS.md. */
export function scenarioReferenceMarkdown(): string {
  const js = annotatedJsonSchema();
  const defs = (js.definitions ?? {}) as Record<string, Json>;
  const r = new Renderer(defs);
  r.object('Top level', js, '', String(js.description ?? ''));
  for (const [name, def] of Object.entries(defs)) {
    const alts = (def.anyOf ?? def.oneOf) as Json[];
    const tag = Object.keys((alts[0].properties ?? {}) as Json)[0];
    r.union(name, alts, tag, `<${name.toLowerCase()}>`, String(def.description ?? ''));
  }
  const out = [INTRO];
  for (const s of r.sections) {
    out.push(`## ${s.title}`, '');
    if (s.intro) out.push(s.intro, '');
    if (s.rows.length > 0) out.push(...table(s.rows), '');
    for (const v of s.variants ?? []) out.push(`### ${v.title}`, '', ...table(v.rows), '');
  }
  return `${out.join('\n').trimEnd()}\n`;
}
