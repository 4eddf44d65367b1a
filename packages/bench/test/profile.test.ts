// --profile: the CPU profile's functions are named by their TypeScript source (source maps of dist/), on any
// scenario file. Runs packages/bench/dist (built by the global setup).

import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { resolveProfileTargets } from '../src/profile-targets.ts';
import { SourceMapper } from '../src/source-map.ts';

const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
const dir = mkdtempSync(join(tmpdir(), 'ivsim-profile-test-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** 0-based line of the first line containing `needle`. */
const lineOf = (file: string, needle: string) =>
  readFileSync(file, 'utf8')
    .split('\n')
    .findIndex((l) => l.includes(needle));

describe('SourceMapper', () => {
  it('maps a method of the compiled engine to its .ts line', () => {
    const js = join(ROOT, 'packages/core/dist/sim/event-loop.js');
    const ts = join(ROOT, 'packages/core/src/sim/event-loop.ts');
    const jsLine = lineOf(js, 'dispatch(type, e, a0, a1) {');
    const tsLine = lineOf(ts, 'protected dispatch(type: number');
    expect(jsLine).toBeGreaterThanOrEqual(0);
    expect(tsLine).toBeGreaterThanOrEqual(0);
    const col = readFileSync(js, 'utf8').split('\n')[jsLine].indexOf('dispatch');
    const p = new SourceMapper().original(pathToFileURL(js).href, jsLine, col);
    expect(p).toEqual({ source: ts, line: tsLine + 1 });
  });

  it('returns null for a script without a map, or a node: builtin', () => {
    const m = new SourceMapper();
    expect(m.original('node:internal/timers', 10, 0)).toBeNull();
    expect(m.original(join(dir, 'absent.js'), 0, 0)).toBeNull();
  });
});

describe('--profile on a scenario file (the bench as users run it: node on dist/)', () => {
  // A child process, not this one: vitest transforms the modules it loads (shifting their lines), node does not.
  it('profiles an example file and names the hot functions by packages/core/src/*.ts:line', () => {
    const r = spawnSync(
      process.execPath,
      [
        join(ROOT, 'packages/bench/dist/main.js'),
        '--profile',
        join(ROOT, 'examples/two-vms-nic-200k.yaml'),
        '--profile-dir',
        dir,
      ],
      { cwd: dir, encoding: 'utf8', env: { ...process.env, IVSIM_BENCH_SCALE: '0.05' }, timeout: 120_000 },
    );
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/== profile: two-vms-nic-200k, [\d.]+ ms virtual/);
    const rows = r.stdout
      .slice(r.stdout.indexOf('function (source-mapped to .ts)'))
      .split('\n')
      .filter((l) => /^\d+\s+[\d.]+%\s/.test(l));
    expect(rows.length).toBeGreaterThan(5);
    const ours = rows.filter((l) => l.includes('packages/core/'));
    expect(ours.length).toBeGreaterThan(2);
    for (const l of ours) expect(l).toMatch(/ packages\/core\/src\/[\w/-]+\.ts:\d+$/);
    const profile = JSON.parse(readFileSync(join(dir, 'bench-two-vms-nic-200k.cpuprofile'), 'utf8'));
    expect(profile.nodes.length).toBeGreaterThan(0);
  });

  it('a bad file is one line naming the file and the field, exit 2', () => {
    expect(() => resolveProfileTargets([join(ROOT, 'packages/bench/test/no-such.yaml')], 1)).toThrow(
      /^--profile .*no-such\.yaml: .*cannot read scenario file/,
    );
    const r = spawnSync(process.execPath, [join(ROOT, 'packages/bench/dist/main.js'), '--profile', 'no-such.yaml'], {
      cwd: dir,
      encoding: 'utf8',
    });
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/^error: --profile no-such\.yaml: no-such\.yaml: cannot read scenario file \(ENOENT\)\n$/);
  });
});
