// `pnpm validate`: the framework's verdicts, exit status and outputs (with made-up cases, so they can fail), and
// the CI small form — every real case with --quick, in-process.

import { describe, expect, it } from 'vitest';
import { CASES, checkRegistry, selectCases } from '../src/validate/registry.ts';
import { parseValidateArgs, runCase, runValidate, ValidateInputError } from '../src/validate/runner.ts';
import { bound, relTolerance, type ValidationCase } from '../src/validate/types.ts';

function fake(id: string, value: number | (() => number), expected = relTolerance(100, 0.05)): ValidationCase {
  return {
    id: `fake.${id}`,
    group: 'fake',
    source: { citation: 'a made-up figure', short: 'made up', tag: 'U' },
    compares: 'a constant',
    unit: 'cycles',
    expected,
    kind: 'prediction',
    run: () => ({ value: typeof value === 'number' ? value : value() }),
  };
}

function capture(argv: string[], cases: ValidationCase[]) {
  const out: string[] = [];
  const err: string[] = [];
  const files = new Map<string, string>();
  const code = runValidate(
    argv,
    { out: (s) => out.push(s), err: (s) => err.push(s), writeFile: (f, t) => files.set(f, t) },
    cases,
  );
  return { code, out: out.join('\n'), err: err.join('\n'), files };
}

describe('verdicts and exit status', () => {
  it('a value inside its range passes; the suite exits 0', () => {
    expect(runCase(fake('in', 104), false).verdict).toBe('PASS');
    expect(capture([], [fake('in', 104)]).code).toBe(0);
  });

  it('a value outside its range is a MISS and the suite exits 1, even if every other case passes', () => {
    const r = runCase(fake('out', 106), false);
    expect(r.verdict).toBe('MISS');
    expect(r.error).toBeCloseTo(6, 10);
    const c = capture([], [fake('in', 100), fake('out', 106)]);
    expect(c.code).toBe(1);
    expect(c.out).toMatch(/fake\.out .* MISS/);
  });

  it('a case that throws is an ERROR (exit 1) with its message, not a crash', () => {
    const boom = fake('boom', () => {
      throw new Error('no exits seen');
    });
    const r = runCase(boom, false);
    expect(r.verdict).toBe('ERROR');
    expect(r.message).toBe('no exits seen');
    expect(capture([], [boom]).code).toBe(1);
  });

  it('an ordering is strict: equal is a MISS', () => {
    const e = bound(0, 1, '< 1', true);
    expect(runCase(fake('eq', 1, e), false).verdict).toBe('MISS');
    expect(runCase(fake('lt', 0.99, e), false).verdict).toBe('PASS');
    expect(runCase(fake('incl', 1, bound(0, 1, '≤ 1')), false).verdict).toBe('PASS');
  });

  it('a non-finite simulated value is an ERROR', () => {
    expect(runCase(fake('nan', Number.NaN), false).verdict).toBe('ERROR');
  });
});

describe('arguments', () => {
  it.each([
    [['--bogus'], /^error: Unknown option '--bogus'$/],
    [['extra'], /^error: Unexpected argument 'extra'/],
    [['--case', 'nope'], /^error: --case: no case or group matches "nope" \(groups: fake\)$/],
    [['--case', ','], /^error: --case: expected an id or group$/],
    [['--json', ''], /^error: --json: expected a file name$/],
    [['--json=--quick'], /^error: --json: expected a file name, got "--quick"$/],
  ])('%j exits 2 with one line', (argv, msg) => {
    const c = capture(argv, [fake('in', 100)]);
    expect(c.code).toBe(2);
    expect(c.err.split('\n')).toHaveLength(1);
    expect(c.err).toMatch(msg);
    expect(c.out).toBe('');
  });

  it('--case selects by id, group, prefix and comma list', () => {
    const cases = [fake('a', 100), fake('b', 100), { ...fake('c', 100), id: 'other.c', group: 'other' }];
    expect(selectCases(cases, ['fake']).map((c) => c.id)).toEqual(['fake.a', 'fake.b']);
    expect(selectCases(cases, ['fake.b']).map((c) => c.id)).toEqual(['fake.b']);
    expect(selectCases(cases, ['oth*']).map((c) => c.id)).toEqual(['other.c']);
    expect(selectCases([...cases, fake('ab', 1)], ['fake.a']).map((c) => c.id)).toEqual(['fake.a']);
    expect(selectCases([fake('x.y', 1), fake('xy', 1)], ['fake.x']).map((c) => c.id)).toEqual(['fake.x.y']);
    expect(parseValidateArgs(['--case', 'fake.a,other', '--quick'], cases)).toMatchObject({
      quick: true,
      cases: ['fake.a', 'other'],
    });
  });

  it('a registry with a duplicate id or an empty range is refused', () => {
    expect(() => checkRegistry([fake('a', 1), fake('a', 2)])).toThrow(/duplicate/);
    expect(() => checkRegistry([fake('a', 1, bound(2, 1, 'x'))])).toThrow(/empty/);
    expect(() => parseValidateArgs(['--bogus'])).toThrow(ValidateInputError);
  });
});

describe('outputs', () => {
  const cases = [fake('in', 100), fake('out', 120)];

  it('--json FILE is valid JSON with every case, its verdict, expected range and simulated value', () => {
    const c = capture(['--json', 'r.json'], cases);
    const j = JSON.parse(c.files.get('r.json') as string);
    expect(j.summary).toEqual({ total: 2, pass: 1, miss: 1, error: 0 });
    expect(j.cases.map((x: { id: string }) => x.id)).toEqual(['fake.in', 'fake.out']);
    expect(j.cases[1]).toMatchObject({ verdict: 'MISS', simulated: 120, target: 100, lo: 95, hi: 105, tag: 'U' });
  });

  it('--json - puts the JSON on stdout and the table on stderr', () => {
    const c = capture(['--json', '-'], cases);
    expect(JSON.parse(c.out).cases).toHaveLength(2);
    expect(c.err).toMatch(/^ivsim .* validation/);
  });

  it('--markdown prints a Markdown table per group with source, expected, simulated, error, verdict', () => {
    const c = capture(['--markdown'], cases);
    expect(c.out).toMatch(
      /^\| case \| kind \| source \| expected \| simulated \| error \| verdict \| also measured \|$/m,
    );
    expect(c.out).toMatch(/^\| fake\.out \| prediction \| made up \[U\] \| 100 ±5 % \| 120 \| \+20\.0 % \| MISS \|/m);
  });

  it('the same command prints the same table (deterministic, no wall-clock value)', () => {
    const real = selectCases(CASES, ['dall.x86.vipi', 'first-order.arm-gicv3']);
    expect(capture(['--quick'], real).out).toBe(capture(['--quick'], real).out);
  });
});

describe('CI small form: every case with --quick', () => {
  checkRegistry(CASES);
  const results = CASES.map((c) => [c, runCase(c, true)] as const);

  it.each(results.map(([c, r]) => [c.id, c, r] as const))(
    '%s: passes, or still misses as documented (knownMiss)',
    (_id, c, r) => {
      expect(r.message).toBeNull();
      expect(r.verdict).toBe(c.knownMiss ? 'MISS' : 'PASS');
    },
  );

  it('every case cites its source with a tag and states what it compares', () => {
    for (const c of CASES) {
      expect(c.source.citation.length, c.id).toBeGreaterThan(10);
      expect(['V', 'S', 'U', 'analytic']).toContain(c.source.tag);
      expect(c.source.tag, `${c.id}: an unverified figure is never a target`).not.toBe('U');
      expect(c.compares.length, c.id).toBeGreaterThan(10);
    }
  });
});
