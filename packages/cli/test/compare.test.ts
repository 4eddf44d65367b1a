// `ivsim compare`: the tests behind its verdicts, and the two claims users rely on — two seeds of one scenario are
// "no significant change"; x86-vmx against the same scenario with the exit round trip doubled is flagged.

import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  BUILTIN_SCENARIOS,
  type Results,
  resolveCosts,
  type ScenarioInput,
  simulate,
  validateScenario,
} from '@ivsim/core';
import * as hdr from 'hdr-histogram-js';
import { describe, expect, it } from 'vitest';
import { compareResults, formatComparison } from '../src/compare.ts';
import {
  holm,
  latencyResolutionNs,
  pairedTest,
  percentileSe,
  verdicts,
  welchTest,
  zTest,
} from '../src/significance.ts';

const CLI = new URL('../dist/main.js', import.meta.url).pathname;
const cli = (...args: string[]) => spawnSync(process.execPath, [CLI, ...args], { encoding: 'utf8' });
const dir = mkdtempSync(join(tmpdir(), 'ivsim-compare-'));

const small = BUILTIN_SCENARIOS['x86-small'] as ScenarioInput;
const doubled: ScenarioInput = {
  ...small,
  costs: {
    preset: small.costs?.preset ?? 'default',
    overrides: { exitRoundTrip: 2 * resolveCosts(validateScenario(small)).exitRoundTrip },
  },
};
const run = (s: ScenarioInput, seed: number, schemes?: ('x86-vmx' | 'bare-metal')[]): Results =>
  simulate(s, { seed, schemes });
const save = (name: string, r: Results) => {
  const f = join(dir, name);
  writeFileSync(f, JSON.stringify(r));
  return f;
};

describe('significance tests', () => {
  it("Welch's t-test matches the closed form for 2 degrees of freedom", () => {
    // a = {0, 2}, b = {4, 6}: t = 4/√2, df = 2, and the t(2) CDF is 1/2 + t/(2√(2 + t²)).
    const t = 4 / Math.SQRT2;
    const p = 2 * (1 - (0.5 + t / (2 * Math.sqrt(2 + t * t))));
    expect(welchTest([0, 2], [4, 6])).toBeCloseTo(p, 6);
    expect(welchTest([1, 2, 3], [1, 2, 3])).toBe(1);
    expect(welchTest([1, 1], [2, 2])).toBe(0); // no spread, a difference: certain
    // Paired: differences {1, 3}: t = 2 / (√2/√2) = 2 with 1 df, whose CDF is 1/2 + atan(t)/π.
    expect(pairedTest([10, 20], [11, 23])).toBeCloseTo(2 * (1 - (0.5 + Math.atan(2) / Math.PI)), 6);
  });

  it('the z-test of a difference, and a percentile standard error from order statistics', () => {
    expect(zTest(10, 1, 10, 1)).toBe(1);
    expect(zTest(0, 1, 1.959963984540054 * Math.SQRT2, 1)).toBeCloseTo(0.05, 6);
    // 10,000 values 1…10,000: the median's 95 % interval spans ±98 order statistics, so its SE is ~50.
    const h = hdr.build({ bitBucketSize: 64, useWebAssembly: false, numberOfSignificantValueDigits: 3 });
    for (let v = 1; v <= 10_000; v++) h.recordValue(v);
    expect(percentileSe(h, 50)).toBeGreaterThan(47);
    expect(percentileSe(h, 50)).toBeLessThan(53);
    expect(latencyResolutionNs(1024)).toBe(2);
  });

  it('Holm–Bonferroni rejects step-down and ignores untested entries', () => {
    expect(holm([0.01, 0.04, 0.03, null], 0.05)).toEqual([true, false, false, false]);
    expect(holm([0.001, 0.02, 0.04], 0.05)).toEqual([true, true, true]);
    const v = verdicts(
      [
        { p: 0.001, resolved: true },
        { p: 0.001, resolved: false },
        { p: 0.5, resolved: true },
        { p: null, resolved: true },
        { p: 1, resolved: false },
      ],
      0.05,
      [false, false, false, false, true],
    );
    expect(v).toEqual(['significant', 'within resolution', 'within noise', 'untested', 'no change']);
  });
});

describe('compare: one run per side', () => {
  const a = run(small, 1);
  const b = run(small, 2);

  it('two seeds of one scenario: no significant change', () => {
    const c = compareResults(['a.json'], [a], ['b.json'], [b]);
    expect(c.mode).toBe('single');
    expect(c.rows.length).toBe(5 * 6 + 4 * 2); // 6 percentiles per scheme; exits/s and % bm for the 4 virtualized
    expect(c.significant).toBe(0);
    // The seeds do differ: the verdict is not "identical", it is "within the noise".
    expect(c.rows.some((r) => r.verdict === 'within noise')).toBe(true);
    expect(formatComparison(c)).toMatch(/^verdict: no significant change/m);
  });

  it('x86-vmx against the exit round trip doubled: flagged', () => {
    const d = run(doubled, 1, ['x86-vmx']);
    const c = compareResults(['a.json'], [a], ['d.json'], [d]);
    const sig = c.rows.filter((r) => r.verdict === 'significant');
    expect(sig.length).toBeGreaterThan(0);
    expect(sig.every((r) => r.scheme === 'x86-vmx' && r.new > r.old)).toBe(true);
    expect(c.rows.find((r) => r.metric === 'delivery.p50')?.verdict).toBe('significant');
    expect(formatComparison(c)).toMatch(/^verdict: \d+ significant changes? \(x86-vmx dlv p50/m);
  });
});

describe('compare: seeds as replicas', () => {
  it('3 seeds vs 3 other seeds (Welch): no significant change; the same 3 seeds with the exit round trip doubled (paired): exits/s and % of bare metal flagged', () => {
    const base = [1, 2, 3].map((seed) => run(small, seed, ['x86-vmx']));
    const other = [4, 5, 6].map((seed) => run(small, seed, ['x86-vmx']));
    const slow = [1, 2, 3].map((seed) => run(doubled, seed, ['x86-vmx']));
    const f = (n: number) => Array.from({ length: n }, (_, i) => `r${i}.json`);
    const same = compareResults(f(3), base, f(3), other);
    expect(same.mode).toBe('replicas');
    expect(same.rows.every((r) => r.p !== null)).toBe(true); // exits/s and % bm are tested too
    expect(same.significant).toBe(0);
    const c = compareResults(f(3), base, f(3), [slow[2], slow[0], slow[1]]); // paired by seed, not by position
    expect(c.mode).toBe('paired');
    expect(c.rows.find((r) => r.metric === 'cpu.relativeToBareMetal')?.verdict).toBe('significant');
    expect(c.rows.find((r) => r.metric === 'exits.perSecond')?.verdict).toBe('significant');
    expect(compareResults(f(3), base, f(3), [...base].reverse()).rows.every((r) => r.verdict === 'no change')).toBe(
      true,
    );
    expect(() => compareResults(f(2), [base[0], base[0]], f(3), other)).toThrow(/seed 1 appears twice/);
    expect(() => compareResults(f(1), [base[0]], f(3), other)).toThrow(/at least 2 runs on each side/);
  });
});

describe('ivsim compare (the command)', () => {
  it('prints the verdict, exits 0; --fail-on-change exits 1 on a flagged change; bad files exit 2', () => {
    const a = save('a.json', run(small, 1));
    const b = save('b.json', run(small, 2));
    const d = save('d.json', run(doubled, 1, ['x86-vmx']));
    const same = cli('compare', a, b);
    expect(same.status).toBe(0);
    expect(same.stdout).toContain('verdict: no significant change');
    const flagged = cli('compare', a, d, '--fail-on-change');
    expect(flagged.stdout).toContain('SIGNIFICANT');
    expect(flagged.status).toBe(1);
    const bad = join(dir, 'bad.json');
    writeFileSync(bad, '{"hello": 1}');
    const r = cli('compare', a, bad);
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/bad\.json: not an ivsim results file/);
    expect(cli('compare', a).status).toBe(2);
    const rep = cli('compare', '--old', a, save('a2.json', run(small, 3)), '--new', b, save('b2.json', run(small, 4)));
    expect(rep.status).toBe(0);
    expect(rep.stdout).toContain("Welch's t-test on the replicas (2 vs 2 seeds)");
  });

  it('--json - writes the comparison as JSON on stdout (table on stderr); --json FILE too; a bad path exits 2 first', () => {
    const a = save('ja.json', run(small, 1));
    const d = save('jd.json', run(doubled, 1, ['x86-vmx']));
    const r = cli('compare', a, d, '--json', '-');
    expect(r.status).toBe(0);
    const c = JSON.parse(r.stdout);
    expect(c.mode).toBe('single');
    expect(c.significant).toBeGreaterThan(0);
    const row = c.rows.find(
      (x: { scheme: string; metric: string }) => x.scheme === 'x86-vmx' && x.metric === 'delivery.p50',
    );
    expect(row.verdict).toBe('significant');
    expect(r.stderr).toMatch(/verdict: \d+ significant change/);
    const f = join(dir, 'cmp.json');
    expect(cli('compare', a, d, '--json', f).status).toBe(0);
    expect(JSON.parse(readFileSync(f, 'utf8'))).toEqual(c);
    const bad = cli('compare', a, d, '--json', join(dir, 'no/such/dir/c.json'));
    expect(bad.status).toBe(2);
    expect(bad.stderr).toMatch(/^.*--json: cannot write .*does not exist/);
  });
});
