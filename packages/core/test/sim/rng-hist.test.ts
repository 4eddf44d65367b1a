import { describe, expect, it } from 'vitest';
import { makeSampler } from '../../src/sim/distributions.ts';
import { RngStreams } from '../../src/sim/rng.ts';
import { toHdr } from '../../src/stats/hdr.ts';
import { bucketIndex, bucketLow, bucketWidth, LogLinearHistogram } from '../../src/stats/loglinear.ts';

describe('RngStreams', () => {
  it('each stream depends only on (seed, stream id) and its own draws', () => {
    const a = new RngStreams(42, 4);
    const b = new RngStreams(42, 4);
    const xa = [a.nextU32(2), a.nextU32(2), a.nextU32(2)];
    b.nextU32(0); // draws on another stream do not perturb stream 2
    b.nextU32(3);
    expect([b.nextU32(2), b.nextU32(2), b.nextU32(2)]).toEqual(xa);
    expect(new RngStreams(43, 4).nextU32(2)).not.toBe(xa[0]);
  });

  it('exponential sampler has the requested mean (±3%)', () => {
    const r = new RngStreams(1, 1);
    const s = makeSampler({ kind: 'exponential', meanCycles: 1000 });
    let sum = 0;
    for (let i = 0; i < 100_000; i++) sum += s(r, 0);
    expect(sum / 100_000).toBeGreaterThan(970);
    expect(sum / 100_000).toBeLessThan(1030);
  });

  it('empirical sampler only returns listed values, in proportion to weights', () => {
    const r = new RngStreams(3, 1);
    const s = makeSampler({ kind: 'empirical', cycles: [10, 20], weights: [3, 1] });
    let tens = 0;
    for (let i = 0; i < 40_000; i++) {
      const v = s(r, 0);
      expect([10, 20]).toContain(v);
      if (v === 10) tens++;
    }
    expect(tens / 40_000).toBeGreaterThan(0.73);
    expect(tens / 40_000).toBeLessThan(0.77);
  });
});

describe('log-linear histogram', () => {
  it('maps every value into a bucket whose range contains it (3 significant digits)', () => {
    for (const v of [0, 1, 2047, 2048, 2049, 4095, 4096, 123_456, 2 ** 31 + 5, 2 ** 33 + 12345, 1e12]) {
      const i = bucketIndex(v);
      expect(bucketLow(i)).toBeLessThanOrEqual(v);
      expect(v).toBeLessThan(bucketLow(i) + bucketWidth(i));
      if (v >= 2048) expect(bucketWidth(i) / bucketLow(i)).toBeLessThanOrEqual(1 / 1024);
      else expect(bucketWidth(i)).toBe(1);
    }
  });

  it('merging per-shard histograms equals recording everything in one', () => {
    const one = new LogLinearHistogram();
    const a = new LogLinearHistogram();
    const b = new LogLinearHistogram();
    for (let i = 0; i < 5000; i++) {
      const v = (i * 7919) % 100_000;
      one.record(v);
      (i % 2 ? a : b).record(v);
    }
    a.add(b);
    expect(a.count).toBe(one.count);
    expect(a.sum).toBe(one.sum);
    expect(Array.from(a.counts)).toEqual(Array.from(one.counts));
    expect(toHdr(a, 2).base64).toBe(toHdr(one, 2).base64);
  });

  it('converts to HDR percentiles in ns', () => {
    const h = new LogLinearHistogram();
    for (let i = 1; i <= 1000; i++) h.record(i * 2); // cycles at 2 GHz → 1..1000 ns
    const { summary } = toHdr(h, 2);
    expect(summary.count).toBe(1000);
    expect(summary.p50).toBeGreaterThanOrEqual(499);
    expect(summary.p50).toBeLessThanOrEqual(501);
    expect(summary.max).toBe(1000);
    expect(summary.mean).toBeCloseTo(500.5, 1);
  });
});
