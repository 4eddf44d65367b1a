// Flags of `pnpm bench`, and the self-time summary of --profile (pure functions; nothing here is timed).

import { describe, expect, it } from 'vitest';
import { parseBenchArgs, SECTIONS } from '../src/args.ts';
import { BenchInputError } from '../src/compare.ts';
import { type CpuProfile, topSelfTime } from '../src/profile.ts';

describe('parseBenchArgs', () => {
  it('defaults: full suite, every section, 10 % threshold', () => {
    expect(parseBenchArgs([], {})).toEqual({
      help: false,
      quick: false,
      sections: [...SECTIONS],
      save: null,
      compare: null,
      threshold: 0.1,
      alpha: 0.05,
      repeats: 6,
      base: null,
      json: false,
      profile: false,
      profileScenarios: [],
      profileDir: '.',
      scale: 1,
    });
  });

  it('IVSIM_BENCH_SCALE and IVSIM_BENCH_REPEATS (for tests); --repeats wins over the variable', () => {
    expect(parseBenchArgs([], { IVSIM_BENCH_SCALE: '0.01', IVSIM_BENCH_REPEATS: '2' })).toMatchObject({
      scale: 0.01,
      repeats: 2,
    });
    expect(parseBenchArgs(['--repeats', '8'], { IVSIM_BENCH_REPEATS: '2' }).repeats).toBe(8);
    expect(() => parseBenchArgs([], { IVSIM_BENCH_SCALE: '2' })).toThrow(/^IVSIM_BENCH_SCALE: expected a number/);
    expect(() => parseBenchArgs([], { IVSIM_BENCH_REPEATS: 'x' })).toThrow(/^--repeats: /);
  });

  it.each<[string[], Partial<ReturnType<typeof parseBenchArgs>>]>([
    [['--quick'], { quick: true }],
    [['--only', 'rss,micro'], { sections: ['micro', 'rss'] }],
    [['--only=scenario'], { sections: ['scenario'] }],
    [['--only', ' ring , ring '], { sections: ['ring'] }],
    [['--save', 'a.json', '--compare', 'b.json'], { save: 'a.json', compare: 'b.json' }],
    [['--threshold', '5%'], { threshold: 0.05 }],
    [['--json', '--profile', '--profile-dir', '/tmp'], { json: true, profile: true, profileDir: '/tmp' }],
    [['-h'], { help: true }],
    // pnpm 10 forwards the `--` of `pnpm bench -- --quick` to the script
    [['--', '--quick', '--only', 'micro'], { quick: true, sections: ['micro'] }],
    [['--repeats', '9', '--alpha', '0.01'], { repeats: 9, alpha: 0.01 }],
    [['--base', 'HEAD~1', '--only', 'micro'], { base: 'HEAD~1', sections: ['micro'] }],
    // scenarios to profile: only those run, unless sections are asked for too
    [
      ['--profile', 'a.yaml', 'x86-compare'],
      { profile: true, profileScenarios: ['a.yaml', 'x86-compare'], sections: [] },
    ],
    [['--profile', 'a.yaml', '--only', 'micro'], { profileScenarios: ['a.yaml'], sections: ['micro'] }],
    [['--profile'], { profileScenarios: [], sections: [...SECTIONS] }],
  ])('%j', (argv, want) => {
    expect(parseBenchArgs(argv)).toMatchObject(want);
  });

  it.each([
    [['--bogus'], /^Unknown option '--bogus'$/],
    [['extra'], /^unexpected argument "extra" \(scenario arguments are for --profile\)$/],
    [['--repeats', '0'], /^--repeats: expected an integer in \[1, 100\]/],
    [['--repeats', '2.5'], /^--repeats: /],
    [['--alpha', '1'], /^--alpha: /],
    [['--base', ''], /^--base: expected a git revision$/],
    [['--base', 'x', '--compare', 'b.json'], /^--base and --compare: /],
    [['--only', 'micro,gpu'], /^--only: unknown section "gpu"/],
    [['--only', ','], /^--only: expected a comma list/],
    [['--save'], /argument missing/],
    [['--save', ''], /^--save: expected a file name$/],
    [['--threshold', '0'], /^--threshold: /],
    [['--quick=yes'], /--quick/],
  ])('%j is bad input (one line)', (argv, msg) => {
    let err: unknown;
    try {
      parseBenchArgs(argv);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(BenchInputError);
    expect((err as Error).message).toMatch(msg);
    expect((err as Error).message).not.toContain('\n');
  });
});

describe('topSelfTime', () => {
  const frame = (functionName: string, url = '', lineNumber = 0) => ({ functionName, url, lineNumber });
  const profile: CpuProfile = {
    nodes: [
      { id: 1, callFrame: frame('(root)') },
      { id: 2, callFrame: frame('runUntil', 'file:///repo/packages/core/dist/sim/engine.js', 171) },
      { id: 3, callFrame: frame('dispatch', 'file:///repo/packages/core/dist/sim/engine.js', 180) },
      // same function reached through another call path: merged
      { id: 4, callFrame: frame('dispatch', 'file:///repo/packages/core/dist/sim/engine.js', 180) },
      { id: 5, callFrame: frame('(garbage collector)') },
      { id: 6, callFrame: frame('', 'file:///repo/x.js', 9) },
    ],
    startTime: 0,
    endTime: 1000,
    samples: [2, 3, 4, 2, 5, 6, 2],
    timeDeltas: [100, 200, 100, 300, 50, 50, 200],
  };

  it('sums self time per function over samples and sorts by it', () => {
    expect(topSelfTime(profile, 10, '/repo/')).toEqual([
      { name: 'runUntil packages/core/dist/sim/engine.js:172', selfMs: 0.6, pct: 60 },
      { name: 'dispatch packages/core/dist/sim/engine.js:181', selfMs: 0.3, pct: 30 },
      { name: '(anonymous) x.js:10', selfMs: 0.05, pct: 5 },
      { name: '(garbage collector)', selfMs: 0.05, pct: 5 },
    ]);
  });

  it('keeps the top n', () => {
    expect(topSelfTime(profile, 1).map((r) => r.name)).toEqual(['runUntil /repo/packages/core/dist/sim/engine.js:172']);
  });

  it('falls back to hit counts when the profile has no samples', () => {
    const p: CpuProfile = {
      nodes: [
        { id: 1, callFrame: frame('a', 'file:///a.js', 0), hitCount: 3 },
        { id: 2, callFrame: frame('b', 'file:///b.js', 0), hitCount: 1 },
      ],
      startTime: 0,
      endTime: 4000,
    };
    expect(topSelfTime(p, 5)).toEqual([
      { name: 'a /a.js:1', selfMs: 3, pct: 75 },
      { name: 'b /b.js:1', selfMs: 1, pct: 25 },
    ]);
  });
});
