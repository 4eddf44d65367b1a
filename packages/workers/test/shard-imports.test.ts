// A shard worker loads the engine and the schemes only (DESIGN §19.10): not zod, YAML, the built-in scenarios, the
// scenario reference or the results code, which the main thread has already used. Checked in a fresh process whose
// module resolution reports every module the shard task loads.

import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const shardTask = fileURLToPath(new URL('../dist/shard-task.js', import.meta.url));
const js = (code: string) => `data:text/javascript,${encodeURIComponent(code)}`;
const hooks = js(
  "export async function resolve(s, c, next) { const r = await next(s, c); process.stderr.write('MOD ' + r.url + '\\n'); return r; }",
);
const register = js(`import { register } from 'node:module'; register(${JSON.stringify(hooks)});`);

/** URLs of every module `file` loads (itself included). */
function modulesOf(file: string): string[] {
  const r = spawnSync(
    process.execPath,
    ['--import', register, '--input-type=module', '-e', `await import(${JSON.stringify(file)})`],
    { encoding: 'utf8' },
  );
  if (r.status !== 0) throw new Error(`loading ${file} failed: ${r.stderr}`);
  return r.stderr
    .split('\n')
    .filter((l) => l.startsWith('MOD '))
    .map((l) => l.slice(4));
}

describe('shard worker imports', () => {
  it('loads the engine, not zod, yaml, the built-in scenarios, the reference or the results code', () => {
    const mods = modulesOf(shardTask);
    expect(mods.some((m) => m.endsWith('/sim/engine.js'))).toBe(true); // the hook saw the engine load
    const unwanted = mods.filter((m) =>
      /\/(zod|yaml)@|\/scenario\/(schema|builtin|reference|load)\.js$|\/stats\/results\.js$|\/core\/dist\/index\.js$/.test(
        m,
      ),
    );
    expect(unwanted).toEqual([]);
  });
});
