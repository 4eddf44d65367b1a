// "There is one model, and it is the one that runs": every x86 module outside an `off-path/` folder is reached
// from simulate() by its imports, and nothing inside one is. Computed from the sources, so moving a module onto
// or off the run path without moving its file fails here (docs/x86-rules.md marks the rules checked off-path).

import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, normalize, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const src = join(dirname(fileURLToPath(import.meta.url)), '../src');

function runPath(): Set<string> {
  const seen = new Set<string>();
  const stack = ['simulate.ts', 'sweep.ts'].map((f) => join(src, f));
  while (stack.length > 0) {
    const f = normalize(stack.pop() as string);
    if (seen.has(f)) continue;
    seen.add(f);
    for (const m of readFileSync(f, 'utf8').matchAll(/from '(\.[^']+)'/g)) stack.push(join(dirname(f), m[1]));
  }
  return seen;
}

const tsFiles = (dir: string): string[] =>
  readdirSync(join(src, dir), { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? tsFiles(join(dir, e.name)) : e.name.endsWith('.ts') ? [join(src, dir, e.name)] : [],
  );

describe('the x86 model that is tested is the one that runs', () => {
  const reached = runPath();
  const rel = (f: string) => relative(src, f);
  const modules = [...tsFiles('arch/x86'), ...tsFiles('hv/x86')].filter((f) => !f.endsWith('index.ts'));

  it('every module outside off-path/ is on the run path of simulate()', () => {
    const missing = modules.filter((f) => !f.includes('/off-path/') && !reached.has(f)).map(rel);
    expect(missing).toEqual([]);
  });

  it('no module inside off-path/ is', () => {
    const wired = modules.filter((f) => f.includes('/off-path/') && reached.has(f)).map(rel);
    expect(wired).toEqual([]);
  });
});
