// The rank statistics behind `--compare` (pure functions; nothing here is timed).

import { describe, expect, it } from 'vitest';
import { mannWhitneyLess, median, minimumP } from '../src/stats.ts';

/** P(U_x ≤ U_observed) by enumerating every split of the pooled values into the two sizes (the definition). */
function bruteForceLess(x: number[], y: number[]): number {
  const all = [...x, ...y];
  const n = x.length;
  const u = (xs: number[], ys: number[]) =>
    xs.reduce((a, v) => a + ys.filter((w) => v > w).length + ys.filter((w) => v === w).length / 2, 0);
  const obs = u(x, y);
  let hit = 0;
  let total = 0;
  const pick = (start: number, chosen: number[]) => {
    if (chosen.length === n) {
      const xs = chosen.map((i) => all[i]);
      const ys = all.filter((_, i) => !chosen.includes(i));
      total++;
      if (u(xs, ys) <= obs) hit++;
      return;
    }
    for (let i = start; i < all.length; i++) pick(i + 1, [...chosen, i]);
  };
  pick(0, []);
  return hit / total;
}

describe('median', () => {
  it.each<[number[], number]>([
    [[3], 3],
    [[3, 1, 2], 2],
    [[4, 1, 3, 2], 2.5],
    [[5, 5, 1], 5],
  ])('%j → %d', (xs, m) => expect(median(xs)).toBe(m));
  it('is NaN for no samples', () => expect(median([])).toBeNaN());
});

describe('mannWhitneyLess (one-sided: x tends to be smaller than y)', () => {
  it('completely separated samples reach the minimum p = 1 / C(n + m, n)', () => {
    expect(mannWhitneyLess([1, 2, 3], [4, 5, 6])).toBeCloseTo(1 / 20, 12);
    expect(mannWhitneyLess([1, 2, 3, 4, 5, 6], [7, 8, 9, 10, 11, 12])).toBeCloseTo(1 / 924, 12);
    expect(minimumP(6, 6)).toBeCloseTo(1 / 924, 12);
    expect(minimumP(3, 5)).toBeCloseTo(1 / 56, 12);
  });

  it('the other direction is (almost) certain', () => {
    expect(mannWhitneyLess([4, 5, 6], [1, 2, 3])).toBe(1);
  });

  it.each<[number[], number[]]>([
    [
      [1.5, 3.1, 0.2, 4.4],
      [2.2, 5.9, 3.3, 6.1, 0.9],
    ],
    [
      [10, 20, 30, 40, 50, 60],
      [15, 25, 35, 45, 55, 65],
    ],
    [
      [7, 1, 9],
      [2, 8, 3, 4, 6, 5],
    ],
    [[1], [2, 3, 0.5]],
  ])('exact tail equals enumeration: %j vs %j', (x, y) => {
    expect(mannWhitneyLess(x, y)).toBeCloseTo(bruteForceLess(x, y), 12);
    expect(mannWhitneyLess(y, x)).toBeCloseTo(bruteForceLess(y, x), 12);
  });

  it.each<[number[], number[]]>([
    [
      [1, 2, 2, 3, 4, 4],
      [2, 3, 4, 5, 5, 6],
    ],
    [
      [10, 10, 10, 12, 12, 15, 15],
      [10, 12, 15, 15, 18, 18, 20],
    ],
  ])('with ties (normal approximation, tie-corrected) close to the exact permutation tail: %j vs %j', (x, y) => {
    expect(Math.abs(mannWhitneyLess(x, y) - bruteForceLess(x, y))).toBeLessThan(0.02);
    expect(Math.abs(mannWhitneyLess(y, x) - bruteForceLess(y, x))).toBeLessThan(0.02);
  });

  it('every value equal gives no evidence', () => {
    expect(mannWhitneyLess([2, 2, 2], [2, 2, 2])).toBe(1);
  });

  it('an empty side gives no evidence', () => {
    expect(mannWhitneyLess([], [1, 2])).toBe(1);
  });
});
