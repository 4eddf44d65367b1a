// `--hlog`: the histograms as an HdrHistogram interval log, read back with hdr-histogram-js's own log reader.

import { BUILTIN_SCENARIOS, simulate } from '@ivsim/core';
import * as hdr from 'hdr-histogram-js';
import { describe, expect, it } from 'vitest';
import { formatHlog } from '../src/hlog.ts';

describe('HdrHistogram interval log', () => {
  const r = simulate(BUILTIN_SCENARIOS['x86-small']);
  const log = formatHlog(r);

  it('has one tagged interval per scheme and kind that decodes to the run’s histograms', () => {
    expect(log).toMatch(/^#\[Histogram log format version 1\.3\]/);
    const expected = r.schemes.flatMap((s) => [`${s.scheme}.delivery`, `${s.scheme}.completion`]);
    expect(hdr.listTags(log).sort()).toEqual([...expected].sort());
    const reader = new hdr.HistogramLogReader(log);
    const seen: string[] = [];
    for (let h = reader.nextIntervalHistogram(); h !== null; h = reader.nextIntervalHistogram()) {
      seen.push(h.tag);
      const [scheme, kind] = h.tag.split('.') as [string, 'delivery' | 'completion'];
      const s = r.schemes.find((x) => x.scheme === scheme);
      expect(s).toBeDefined();
      const summary = s!.latencyNs[kind];
      expect(h.totalCount).toBe(summary.count);
      expect(h.getValueAtPercentile(99)).toBe(summary.p99);
      expect(h.getValueAtPercentile(99.9)).toBe(summary.p999);
      // The interval is the run's virtual time.
      expect(h.startTimeStampMsec).toBe(0);
      expect(h.endTimeStampMsec).toBeCloseTo(r.durationNs / 1e6, 6);
    }
    expect(seen).toEqual(expected);
  });
});
