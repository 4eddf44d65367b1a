// Regression-compare logic of `pnpm bench --compare` (pure functions; nothing here is timed).

import { describe, expect, it } from 'vitest';
import {
  BenchInputError,
  type BenchReport,
  compareExitStatus,
  compareReports,
  formatCompare,
  holm,
  type Metric,
  metric,
  parseAlpha,
  parseReport,
  parseThreshold,
  REPORT_SCHEMA,
  type RowStatus,
} from '../src/compare.ts';
import { fmtValue } from '../src/format.ts';

// Six samples within ±1 % of the value: a change of several percent separates the two sides completely.
const tight = (v: number) => [0.99, 1.01, 0.995, 1.005, 1, 1.002].map((f) => v * f);
const tp = (value: number): Metric => metric(tight(value), 'ops/s', 'higher', 'throughput');
const mem = (value: number): Metric => metric(tight(value), 'MiB', 'lower', 'memory');
const ratio = (value: number): Metric => metric(tight(value), '×', 'higher', 'ratio');
const rep = (metrics: Record<string, Metric>, quick = false): BenchReport => ({
  schema: REPORT_SCHEMA,
  ivsim: '0.1.0',
  machine: {
    cpuModel: 'AMD EPYC',
    cores: 2,
    availableParallelism: 2,
    node: 'v20.20.2',
    v8: '11.3',
    platform: 'linux',
    arch: 'x64',
    totalMemMiB: 24000,
    loadAvgAtStart: 0.1,
    gitCommit: null,
    date: '2026-01-01T00:00:00.000Z',
  },
  options: { quick, sections: ['micro'], repeats: 6, scale: 1 },
  metrics,
  details: {},
});

describe('compareReports: one metric, status by direction and threshold', () => {
  it.each<[string, Metric, Metric, number, RowStatus]>([
    ['throughput unchanged', tp(100), tp(100), 0.1, 'ok'],
    ['throughput −5 % within 10 %', tp(100), tp(95), 0.1, 'ok'],
    ['throughput −9.9 % is not worse than 10 %', tp(100), tp(90.1), 0.1, 'ok'],
    ['throughput −11 % regresses', tp(100), tp(89), 0.1, 'regression'],
    ['throughput −11 % within a 20 % threshold', tp(100), tp(89), 0.2, 'ok'],
    ['throughput −3 % regresses at 2 %', tp(100), tp(97), 0.02, 'regression'],
    ['throughput +25 % improves', tp(100), tp(125), 0.1, 'improvement'],
    ['memory +5 % within 10 %', mem(200), mem(210), 0.1, 'ok'],
    ['memory +15 % regresses (lower is better)', mem(200), mem(230), 0.1, 'regression'],
    ['memory −30 % improves', mem(200), mem(140), 0.1, 'improvement'],
    ['ratio −50 % never gates', ratio(1.9), ratio(0.95), 0.1, 'info'],
    ['base 0 cannot be compared', tp(0), tp(10), 0.1, 'info'],
    ['NaN current cannot be compared', tp(10), tp(Number.NaN), 0.1, 'info'],
  ])('%s', (_name, b, c, threshold, status) => {
    const r = compareReports(rep({ m: b }), rep({ m: c }), threshold);
    expect(r.rows).toHaveLength(1);
    expect(r.rows[0].status).toBe(status);
    expect(r.regressions.map((x) => x.name)).toEqual(status === 'regression' ? ['m'] : []);
    expect(compareExitStatus(r)).toBe(status === 'regression' ? 1 : 0);
  });

  it('reports current/base as the ratio', () => {
    const r = compareReports(rep({ m: tp(200) }), rep({ m: tp(150) }), 0.1);
    expect(r.rows[0]).toMatchObject({ name: 'm', unit: 'ops/s', nBase: 6, nCurrent: 6 });
    expect(r.rows[0].base).toBeCloseTo(200.2, 9); // medians
    expect(r.rows[0].ratio).toBeCloseTo(0.75, 12);
    expect(r.rows[0].p).toBeCloseTo(1 / 924, 12); // six against six, completely separated
  });
});

describe('compareReports: whole reports', () => {
  it.each<[string, Record<string, Metric>, Record<string, Metric>, string[], 0 | 1]>([
    ['identical reports', { a: tp(1), b: mem(2) }, { a: tp(1), b: mem(2) }, [], 0],
    [
      'one regression among several',
      { a: tp(100), b: tp(100), c: mem(50) },
      { a: tp(80), b: tp(99), c: mem(50) },
      ['a'],
      1,
    ],
    ['two regressions, sorted by name', { z: tp(10), a: mem(10) }, { z: tp(1), a: mem(20) }, ['a', 'z'], 1],
    ['metric missing from the current run is not a regression', { a: tp(100), b: tp(100) }, { a: tp(100) }, [], 0],
    ['new metric is not a regression', { a: tp(100) }, { a: tp(100), n: tp(1) }, [], 0],
    ['disjoint reports', { a: tp(1) }, { b: tp(1) }, [], 0],
    ['empty reports', {}, {}, [], 0],
  ])('%s', (_name, base, current, regressions, exit) => {
    const r = compareReports(rep(base), rep(current), 0.1);
    expect(r.regressions.map((x) => x.name)).toEqual(regressions);
    expect(compareExitStatus(r)).toBe(exit);
  });

  it('marks metrics present on one side only', () => {
    const r = compareReports(rep({ a: tp(1), gone: tp(1) }), rep({ a: tp(1), fresh: tp(1) }), 0.1);
    expect(Object.fromEntries(r.rows.map((x) => [x.name, x.status]))).toEqual({
      a: 'ok',
      fresh: 'only-in-current',
      gone: 'only-in-base',
    });
  });

  it('warns when a quick run is compared with a full baseline, or across machines', () => {
    const base = rep({ a: tp(1) }, false);
    const cur = rep({ a: tp(1) }, true);
    cur.machine = { ...cur.machine, cpuModel: 'Other CPU', node: 'v22.0.0' };
    const w = compareReports(base, cur, 0.1).warnings.join('\n');
    expect(w).toMatch(/--quick run against a full baseline/);
    expect(w).toMatch(/different machines/);
    expect(w).toMatch(/different Node versions/);
    expect(compareReports(base, rep({ a: tp(1) }), 0.1).warnings).toEqual([]);
  });

  it('accepts bare { metrics } objects', () => {
    const r = compareReports({ metrics: { a: tp(10) } }, { metrics: { a: tp(5) } }, 0.1);
    expect(compareExitStatus(r)).toBe(1);
    // a metric without samples is one sample: nothing can be significant, and the comparison says so
    const one = (v: number) => ({ value: v, unit: 'ops/s', better: 'higher' as const, kind: 'throughput' as const });
    const r1 = compareReports({ metrics: { a: one(10) } }, { metrics: { a: one(5) } }, 0.1);
    expect(r1.rows[0].status).toBe('noise');
    expect(r1.warnings.join('\n')).toMatch(/too few samples \(e\.g\. a: 1 vs 1\)/);
  });

  it.each([-0.1, Number.NaN, Number.POSITIVE_INFINITY])('rejects threshold %s', (t) => {
    expect(() => compareReports(rep({}), rep({}), t)).toThrow(RangeError);
  });

  it('formats a table naming the regressions', () => {
    const text = formatCompare(
      compareReports(rep({ a: tp(100), b: ratio(2), gone: tp(1) }), rep({ a: tp(50), b: ratio(1) }), 0.1),
      fmtValue,
    );
    expect(text).toMatch(/^metric\s+baseline \(median\)\s+current \(median\)\s+ratio\s+n\s+p\s+status$/m);
    expect(text).toMatch(/^a\s+100 ops\/s\s+50.0 ops\/s\s+0.500\s+6\/6\s+0.0011\s+REGRESSION$/m);
    expect(text).toMatch(/^b .*\(not gated\)$/m);
    expect(text).toMatch(/1 baseline metric\(s\) not measured in this run: gone/);
    expect(text).toMatch(/1 regression\(s\) worse than 10% \(Holm, α = 0.05\): a$/);
  });
});

describe('parseThreshold', () => {
  it.each([
    ['10', 0.1],
    ['10%', 0.1],
    [' 2.5 ', 0.025],
    ['50%', 0.5],
  ])('%j → %d', (text, v) => expect(parseThreshold(text)).toBeCloseTo(v, 12));

  it.each(['', 'abc', '0', '100', '-5', '1e1', '10 %%'])('rejects %j', (text) => {
    expect(() => parseThreshold(text)).toThrow(BenchInputError);
  });
});

describe('parseReport (the --compare baseline)', () => {
  const good = JSON.stringify(rep({ a: tp(1), b: mem(2), c: ratio(3) }));

  it('accepts a saved report', () => {
    expect(Object.keys(parseReport(good).metrics)).toEqual(['a', 'b', 'c']);
  });

  it.each([
    ['not json', 'nope', /^base\.json: not JSON/],
    ['an array', '[]', /^base\.json: expected an object$/],
    [
      'wrong schema',
      JSON.stringify({ schema: 'other', metrics: {} }),
      /^base\.json\.schema: expected "ivsim-bench\/2"/,
    ],
    [
      'the old format (no samples)',
      JSON.stringify({ schema: 'ivsim-bench/1', metrics: {} }),
      /^base\.json\.schema: "ivsim-bench\/1" is the old format .*save the baseline again/,
    ],
    [
      'samples missing',
      JSON.stringify({ schema: REPORT_SCHEMA, metrics: { m: { ...tp(1), samples: undefined } } }),
      /^base\.json\.metrics\.m\.samples: expected a non-empty list of numbers$/,
    ],
    [
      'samples empty',
      JSON.stringify({ schema: REPORT_SCHEMA, metrics: { m: { ...tp(1), samples: [] } } }),
      /^base\.json\.metrics\.m\.samples: /,
    ],
    ['no metrics', JSON.stringify({ schema: REPORT_SCHEMA }), /^base\.json\.metrics: expected an object/],
    [
      'value not a number',
      JSON.stringify({ schema: REPORT_SCHEMA, metrics: { m: { ...tp(1), value: '1' } } }),
      /^base\.json\.metrics\.m\.value: expected a number$/,
    ],
    [
      'bad direction',
      JSON.stringify({ schema: REPORT_SCHEMA, metrics: { m: { ...tp(1), better: 'up' } } }),
      /^base\.json\.metrics\.m\.better: /,
    ],
    [
      'bad kind',
      JSON.stringify({ schema: REPORT_SCHEMA, metrics: { m: { ...tp(1), kind: 'speed' } } }),
      /^base\.json\.metrics\.m\.kind: /,
    ],
  ])('rejects %s with one line naming the field', (_name, text, msg) => {
    expect(() => parseReport(text, 'base.json')).toThrow(BenchInputError);
    expect(() => parseReport(text, 'base.json')).toThrow(msg);
  });
});

describe('holm', () => {
  it.each<[(number | null)[], number, boolean[]]>([
    [[0.01, 0.04, 0.03], 0.05, [true, false, false]], // 0.01 ≤ 0.05/3; 0.03 > 0.05/2 stops
    [[0.01, 0.02, 0.04], 0.05, [true, true, true]], // 0.01 ≤ 0.0167, 0.02 ≤ 0.025, 0.04 ≤ 0.05
    [[0.2, null, 0.001], 0.05, [false, false, true]], // null: not in the family
    [[], 0.05, []],
  ])('%j at %d', (ps, alpha, want) => expect(holm(ps, alpha)).toEqual(want));
});

describe('parseAlpha', () => {
  it.each([
    ['0.05', 0.05],
    ['.01', 0.01],
  ])('%j', (text, v) => expect(parseAlpha(text)).toBe(v));
  it.each(['0', '0.5', '1', 'x', '5%'])('rejects %j', (text) =>
    expect(() => parseAlpha(text)).toThrow(BenchInputError),
  );
});

describe('compareReports on a loaded machine (synthetic samples)', () => {
  // A deterministic generator (mulberry32) so the test has one outcome.
  const rng = (seed: number) => () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  /** One throughput sample on a shared 2-core host: ±5 % jitter, and one run in ten slowed 1.2–2× by a neighbour. */
  const noisy = (r: () => number, v: number) => {
    const jitter = 1 + 0.05 * (r() + r() + r() - 1.5) * 2;
    return (v * jitter) / (r() < 0.1 ? 1.2 + 0.8 * r() : 1);
  };
  const NAMES = Array.from({ length: 21 }, (_, i) => `m${String(i).padStart(2, '0')}`);
  const side = (r: () => number, slow: Record<string, number> = {}) =>
    Object.fromEntries(
      NAMES.map((n, i) => {
        const v = 1e6 * (i + 1);
        const xs = Array.from({ length: 6 }, () => noisy(r, v) / (slow[n] ?? 1));
        return [n, metric(xs, 'ops/s', 'higher', 'throughput')];
      }),
    );

  it('the same code against itself: at most a handful of 400 reports of 21 metrics has a false alarm', () => {
    const r = rng(1);
    let alarms = 0;
    let noiseRows = 0;
    for (let k = 0; k < 400; k++) {
      const c = compareReports(rep(side(r)), rep(side(r)), 0.1);
      if (compareExitStatus(c) !== 0) alarms++;
      noiseRows += c.rows.filter((x) => x.status === 'noise').length;
    }
    // Holm bounds the family-wise rate at α = 5 % (20 of 400); the threshold cuts it further (4 measured).
    expect(alarms).toBeLessThanOrEqual(8);
    // The noise is real: medians do move beyond 10 % without being called regressions.
    expect(noiseRows).toBeGreaterThan(50);
  });

  it('the same samples against themselves never alarm', () => {
    const s = side(rng(2));
    const c = compareReports(rep(s), rep(s), 0.1);
    expect(c.regressions).toEqual([]);
    expect(c.rows.every((x) => x.status === 'ok')).toBe(true);
  });

  it('an injected 2× slowdown of one metric is flagged, and only that one, in at least 90 % of reports', () => {
    const r = rng(3);
    let flagged = 0;
    let others = 0;
    for (let k = 0; k < 400; k++) {
      const c = compareReports(rep(side(r)), rep(side(r, { m07: 2 })), 0.1);
      if (c.regressions.some((x) => x.name === 'm07')) flagged++;
      others += c.regressions.filter((x) => x.name !== 'm07').length;
    }
    // A neighbour that slows a base run 2× hides the shift in that pair; six samples a side still find it 95 % of
    // the time (more --repeats for a noisier host).
    expect(flagged).toBeGreaterThanOrEqual(360);
    expect(others).toBeLessThanOrEqual(8);
  });

  it('a 2× slowdown of everything fails the comparison, with most metrics flagged', () => {
    const r = rng(4);
    const slow = Object.fromEntries(NAMES.map((n) => [n, 2]));
    const c = compareReports(rep(side(r)), rep(side(r, slow)), 0.1);
    expect(compareExitStatus(c)).toBe(1);
    expect(c.regressions.length).toBeGreaterThanOrEqual(18);
  });
});
