// The value layers of core point one way (DESIGN §19.1, §19.5): the engine (sim/) and the schemes (hv/) share
// values only through model/ (and arch/ below hv/); across the sim/–hv/ boundary an import may bring types only
// (`import type`, or every specifier `type X`), so neither side runs the other's code at load time. And hv/ names
// the engine's types in hv/scheme.ts alone: every other scheme file sees the vCPU as a SchemeVcpu (engine fields
// read-only; TypeScript would let a plain `Vcpu` parameter write them). The check reads the import and re-export
// statements of every source file.

import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';

const SRC = resolve(import.meta.dirname, '../src');

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? sourceFiles(join(dir, e.name)) : e.name.endsWith('.ts') ? [join(dir, e.name)] : [],
  );
}

/** One import or re-export statement of a file: where it points and whether it brings values. */
interface ImportEdge {
  target: string;
  value: boolean;
  text: string;
}

const STATEMENT = /^\s*(import|export)\s+(type\s+)?([^'";]*?)\s*from\s*'([^']+)'/gms;
const BARE_IMPORT = /^\s*import\s*'([^']+)'/gm;
const DYNAMIC_IMPORT = /\bimport\(\s*'([^']+)'\s*\)/g;

/** Whether an import clause without a leading `type` still brings a value (a default, a namespace, a plain name). */
function clauseHasValue(clause: string): boolean {
  const braces = clause.match(/\{([^}]*)\}/s);
  const outside = clause
    .replace(/\{[^}]*\}/s, '')
    .replace(/,/g, '')
    .trim();
  if (outside !== '') return true; // default or `* as ns`
  if (braces === null) return true;
  return braces[1]
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s !== '')
    .some((s) => !s.startsWith('type '));
}

function importEdges(file: string, text: string): ImportEdge[] {
  const at = (spec: string) => resolve(dirname(file), spec);
  const edges: ImportEdge[] = [];
  for (const m of text.matchAll(STATEMENT)) {
    if (!m[4].startsWith('.')) continue;
    edges.push({ target: at(m[4]), value: m[2] === undefined && clauseHasValue(m[3]), text: m[0].trim() });
  }
  for (const re of [BARE_IMPORT, DYNAMIC_IMPORT])
    for (const m of text.matchAll(re))
      if (m[1].startsWith('.')) edges.push({ target: at(m[1]), value: true, text: m[0].trim() });
  return edges;
}

const layerOf = (path: string): string => relative(SRC, path).split('/')[0];

/** Imports (values only, or all) from files of layer `from` into files of layer `to`, as "file: statement". */
function importsInto(from: string, to: string, valuesOnly: boolean): string[] {
  const out: string[] = [];
  for (const f of sourceFiles(join(SRC, from)))
    for (const e of importEdges(f, readFileSync(f, 'utf8')))
      if ((e.value || !valuesOnly) && layerOf(e.target) === to)
        out.push(`${relative(SRC, f)}: ${e.text.replace(/\s+/g, ' ')}`);
  return out;
}
const valueImports = (from: string, to: string) => importsInto(from, to, true);

describe('core layers', () => {
  it('the import scan tells type-only imports from value imports', () => {
    const f = join(SRC, 'hv/x.ts');
    const edges = importEdges(
      f,
      [
        "import type { Sim } from '../sim/engine.ts';",
        "import { type Vcpu, type Sampler } from '../sim/vcpu.ts';",
        "import { RUN_GUEST, type Vcpu } from '../sim/vcpu.ts';",
        "import * as v from '../sim/vcpu.ts';",
        "export { B } from '../sim/blocking-counters.ts';",
        "export type { Counters } from '../sim/counters.ts';",
        "import {\n  PH_WORK,\n  type Vcpu,\n} from '../sim/vcpu.ts';",
        "import '../sim/engine.ts';",
      ].join('\n'),
    );
    expect(edges.map((e) => e.value)).toEqual([false, false, true, true, true, false, true, true]);
    expect(edges.every((e) => layerOf(e.target) === 'sim')).toBe(true);
  });

  it('hv/ imports no value from sim/ (shared values live in model/ or arch/)', () => {
    expect(valueImports('hv', 'sim')).toEqual([]);
  });

  it('hv/ names the engine types in scheme.ts only (the SchemeHost Pick and the SchemeVcpu view)', () => {
    expect(importsInto('hv', 'sim', false).filter((l) => !l.startsWith('hv/scheme.ts: '))).toEqual([]);
  });

  it('sim/ imports no value from hv/ (the engine only calls the DeliveryScheme type)', () => {
    expect(valueImports('sim', 'hv')).toEqual([]);
  });

  it('model/ and arch/ import no value from sim/', () => {
    expect([...valueImports('model', 'sim'), ...valueImports('arch', 'sim')]).toEqual([]);
  });
});
