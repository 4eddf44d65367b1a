// Conversion of the merged log-linear histogram to an HdrHistogram (hdr-histogram-js) in nanoseconds, for the
// percentiles and the compressed base64 histogram of the results JSON (DESIGN §5). Done once per scheme.

import * as hdr from 'hdr-histogram-js';
import { bucketLow, bucketWidth, type LogLinearHistogram } from './loglinear.ts';

export interface LatencySummary {
  count: number;
  mean: number;
  p50: number;
  p90: number;
  p99: number;
  p999: number;
  max: number;
}

export interface ConvertedHistogram {
  summary: LatencySummary;
  /** Same summary in cycles (exact mean/max; percentiles at 3 significant digits). */
  summaryCycles: LatencySummary;
  base64: string;
}

const round1 = (x: number) => Math.round(x * 10) / 10;

export function toHdr(h: LogLinearHistogram, freqGHz: number): ConvertedHistogram {
  const ns = hdr.build({
    bitBucketSize: 64,
    useWebAssembly: false,
    lowestDiscernibleValue: 1,
    highestTrackableValue: 2 ** 40,
    numberOfSignificantValueDigits: 3,
    autoResize: true,
  });
  const cyc = hdr.build({
    bitBucketSize: 64,
    useWebAssembly: false,
    lowestDiscernibleValue: 1,
    highestTrackableValue: 2 ** 45,
    numberOfSignificantValueDigits: 3,
    autoResize: true,
  });
  const c = h.counts;
  for (let i = 0; i < c.length; i++) {
    const n = c[i];
    if (n === 0) continue;
    const mid = bucketLow(i) + (bucketWidth(i) - 1) / 2;
    ns.recordValueWithCount(Math.max(1, Math.round(mid / freqGHz)), n);
    cyc.recordValueWithCount(Math.max(1, Math.round(mid)), n);
  }
  const summarize = (x: hdr.Histogram, scale: number): LatencySummary =>
    h.count === 0
      ? { count: 0, mean: 0, p50: 0, p90: 0, p99: 0, p999: 0, max: 0 }
      : {
          count: h.count,
          mean: round1(h.sum / h.count / scale),
          p50: x.getValueAtPercentile(50),
          p90: x.getValueAtPercentile(90),
          p99: x.getValueAtPercentile(99),
          p999: x.getValueAtPercentile(99.9),
          max: round1(h.max / scale),
        };
  const out = {
    summary: summarize(ns, freqGHz),
    summaryCycles: summarize(cyc, 1),
    base64: hdr.encodeIntoCompressedBase64(ns),
  };
  return out;
}
