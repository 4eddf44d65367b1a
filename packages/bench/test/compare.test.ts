// Regression-compare logic of `pnpm bench --compare` (pure functions; nothing here is timed).

import { describe, expect, it } from 'vitest';
import {
  BenchInputError,
  type BenchReport,
  compareExitStatus,
  compareReports,
  formatCompare,
  type Metric,
  parseReport,
  parseThreshold,
  REPORT_SCHEMA,
  type RowStatus,
} from '../src/compare.ts';
import { fmtValue } from '../src/format.ts';

const tp = (value: number): Metric => ({ value, unit: 'ops/s', better: 'higher', kind: 'throughput' });
const mem = (value: number): Metric => ({ value, unit: 'MiB', better: 'lower', kind: 'memory' });
const ratio = (value: number): Metric => ({ value, unit: '×', better: 'higher', kind: 'ratio' });
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
  options: { quick, sections: ['micro'] },
  metrics,
  details: {},
});

describe('compareReports: one metric, status by direction and threshold', () => {
  it.each<[string, Metric, Metric, number, RowStatus]>([
    ['throughput unchanged', tp(100), tp(100), 0.1, 'ok'],
    ['throughput −5 % within 10 %', tp(100), tp(95), 0.1, 'ok'],
    ['throughput exactly −10 % is not worse than 10 %', tp(100), tp(90), 0.1, 'ok'],
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
    expect(r.rows[0]).toMatchObject({ name: 'm', base: 200, current: 150, ratio: 0.75, unit: 'ops/s' });
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
  });

  it.each([-0.1, Number.NaN, Number.POSITIVE_INFINITY])('rejects threshold %s', (t) => {
    expect(() => compareReports(rep({}), rep({}), t)).toThrow(RangeError);
  });

  it('formats a table naming the regressions', () => {
    const text = formatCompare(
      compareReports(rep({ a: tp(100), b: ratio(2), gone: tp(1) }), rep({ a: tp(50), b: ratio(1) }), 0.1),
      fmtValue,
    );
    expect(text).toMatch(/^metric\s+baseline\s+current\s+ratio\s+status$/m);
    expect(text).toMatch(/^a\s+100 ops\/s\s+50.0 ops\/s\s+0.500\s+REGRESSION$/m);
    expect(text).toMatch(/^b .*\(not gated\)$/m);
    expect(text).toMatch(/1 baseline metric\(s\) not measured in this run: gone/);
    expect(text).toMatch(/1 regression\(s\) worse than 10%: a$/);
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
      /^base\.json\.schema: expected "ivsim-bench\/1"/,
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
