// Flags of `pnpm bench`, and the self-time summary of --profile (pure functions; nothing here is timed).

import { describe, expect, it } from 'vitest';
import { parseBenchArgs, SECTIONS } from '../src/args.ts';
import { BenchInputError } from '../src/compare.ts';
import { type CpuProfile, topSelfTime } from '../src/profile.ts';

describe('parseBenchArgs', () => {
  it('defaults: full suite, every section, 10 % threshold', () => {
    expect(parseBenchArgs([])).toEqual({
      help: false,
      quick: false,
      sections: [...SECTIONS],
      save: null,
      compare: null,
      threshold: 0.1,
      json: false,
      profile: false,
      profileDir: '.',
    });
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
  ])('%j', (argv, want) => {
    expect(parseBenchArgs(argv)).toMatchObject(want);
  });

  it.each([
    [['--bogus'], /^Unknown option '--bogus'$/],
    [['extra'], /^Unexpected argument 'extra'/],
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
