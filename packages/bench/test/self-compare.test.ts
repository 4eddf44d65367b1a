// A real (fast-form) run saved, the same code run again and compared with it: passes on this loaded machine; the
// same baseline with every sample made twice as fast (i.e. the current code 2× slower): fails, naming the metrics.
// Micro section only (IVSIM_BENCH_SCALE=0.02: seconds), six samples a side as by default. Needs dist/.

import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import type { BenchReport } from '../src/compare.ts';

const MAIN = fileURLToPath(new URL('../dist/main.js', import.meta.url));
const dir = mkdtempSync(join(tmpdir(), 'ivsim-self-compare-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const bench = (...argv: string[]) =>
  spawnSync(process.execPath, [MAIN, '--quick', '--only', 'micro', ...argv], {
    cwd: dir,
    encoding: 'utf8',
    env: { ...process.env, IVSIM_BENCH_SCALE: '0.02', IVSIM_BENCH_REPEATS: '' },
    timeout: 300_000,
  });

describe('a real run compared with a saved one', () => {
  it('the same code saved twice passes; an injected 2× slowdown fails', () => {
    const saved = bench('--save', 'base.json');
    expect(saved.stderr).toBe('');
    expect(saved.status).toBe(0);
    const base = JSON.parse(readFileSync(join(dir, 'base.json'), 'utf8')) as BenchReport;
    expect(base.options.repeats).toBe(6);

    const again = bench('--compare', 'base.json');
    expect(again.status, again.stdout.slice(again.stdout.indexOf('== compare'))).toBe(0);
    expect(again.stdout).toMatch(/^no regression worse than 10% \(Holm, α = 0\.05\)/m);
    expect(again.stdout).not.toMatch(/too few samples/);

    // The baseline twice as fast: the current code is a 2× slowdown of every micro metric.
    const fast = structuredClone(base);
    for (const m of Object.values(fast.metrics)) {
      m.samples = m.samples.map((x) => 2 * x);
      m.value *= 2;
    }
    writeFileSync(join(dir, 'fast.json'), JSON.stringify(fast));
    const slow = bench('--compare', 'fast.json');
    expect(slow.status).toBe(1);
    // Which metrics clear Holm depends on how noisy this run's samples were (a neighbour's burst can widen one
    // task's spread past a 2× shift), so the test asks for flagged micro metrics, not a particular one.
    expect(slow.stdout).toMatch(/^micro\.\S+\s.*REGRESSION$/m);
    expect(slow.stdout).toMatch(/^\d+ regression\(s\) worse than 10% \(Holm, α = 0\.05\): micro\./m);
  }, 600_000);
});
