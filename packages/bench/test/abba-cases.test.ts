// The cross-commit bench's cases (abba-cases.ts) are scenarios the model accepts: a case that stopped validating
// would make every ABBA run fail in its first child, after minutes of others. And abba.js's command line: --help,
// and one line with exit 2 for bad input, --pool on a checkout without ShardPool included (it runs
// packages/bench/dist, built by the global setup).

import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { BUILTIN_SCENARIOS, COST_NAMES, validateScenario } from '@ivsim/core';
import { describe, expect, it } from 'vitest';
import { BENCH_CASES, benchCase } from '../src/abba-cases.ts';

describe('ABBA bench cases', () => {
  it.each(Object.keys(BENCH_CASES))('%s validates and runs on the shard count its name gives', (name) => {
    const c = benchCase(name, 1e6, BUILTIN_SCENARIOS as Record<string, Record<string, unknown>>, COST_NAMES);
    const s = validateScenario(c.scenario);
    expect(s.duration).toBe(1e6);
    expect(c.shards).toBe(name.includes('/') ? Number(name.split('/')[1]) : 0);
  });

  it('the bare-metal queue zeroes every cost and has no host timer', () => {
    const s = validateScenario(
      benchCase('bare-queue', 1e6, BUILTIN_SCENARIOS as Record<string, Record<string, unknown>>, COST_NAMES).scenario,
    );
    expect(s.host.timerHz).toBe(0);
    expect(Object.values(s.costs.overrides ?? {}).every((v) => v === 0)).toBe(true);
    expect(Object.keys(s.costs.overrides ?? {}).length).toBe(COST_NAMES.length);
  });

  it('names an unknown case in its error', () => {
    expect(() => benchCase('nope', 1e6, {}, COST_NAMES)).toThrow(/unknown case "nope"/);
  });
});

describe('abba.js command line', () => {
  const ABBA = fileURLToPath(new URL('../dist/abba.js', import.meta.url));
  const abba = (...args: string[]) => spawnSync(process.execPath, [ABBA, ...args], { encoding: 'utf8' });

  it('--help prints the usage and every case, exit 0', () => {
    const r = abba('--help');
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/^usage: node packages\/bench\/dist\/abba\.js /);
    for (const name of Object.keys(BENCH_CASES)) expect(r.stdout).toContain(`\n  ${name} `);
  });

  it.each([
    [['--bogus'], /^abba: Unknown option '--bogus' \(--help for usage\)$/],
    [['--case', 'nope', 'a', 'b'], /^abba: --case: unknown "nope" \(known: x86-compare, /],
    [['--duration', 'soon', 'a', 'b'], /^abba: --duration: expected a time like 250ms, got "soon"$/],
    [['a'], /^abba: give at least two checkout directories/],
  ])('bad input %j is one line on stderr, exit 2', (args, re) => {
    const r = abba(...args);
    expect(r.status).toBe(2);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr.trim()).toMatch(re);
  });

  it('--pool against a checkout whose workers have no ShardPool is one line naming it, exit 2', () => {
    // A checkout that predates ShardPool: today's core, and a workers package that exports only ParallelRun.
    const dir = mkdtempSync(join(tmpdir(), 'abba-old-'));
    try {
      const dist = (pkg: string) => new URL(`../../${pkg}/dist/index.js`, import.meta.url).href;
      for (const [pkg, body] of [
        ['core', `export * from ${JSON.stringify(dist('core'))};`],
        ['workers', `export { ParallelRun } from ${JSON.stringify(dist('workers'))};`],
      ]) {
        mkdirSync(join(dir, 'packages', pkg, 'dist'), { recursive: true });
        writeFileSync(join(dir, 'packages', pkg, 'dist', 'index.js'), body);
      }
      const r = abba('--case', 'big-vm/2', '--duration', '1us', '--pool', dir, dir);
      expect(r.status).toBe(2);
      expect(r.stderr.trim().split('\n')).toHaveLength(1);
      expect(r.stderr.trim()).toMatch(/^abba: .*abba-old-.*: abba-child: --pool: .* has no ShardPool/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
