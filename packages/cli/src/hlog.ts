// `ivsim run --hlog F`: every reported scheme's latency histograms as an HdrHistogram interval log (format 1.3, as
// HdrHistogram's HistogramLogWriter writes it), one tagged interval per scheme and kind: Tag=<scheme>.<kind> with
// kind delivery or completion. Values are nanoseconds; the interval is the run's whole virtual time (0 to duration),
// so HdrHistogram's log tools (HistogramLogProcessor, the plotter, hdr-histogram-js's HistogramLogReader) read it.

import { decodeHistogram, type Results } from '@ivsim/core';
import * as hdr from 'hdr-histogram-js';

export const HLOG_KINDS = ['delivery', 'completion'] as const;

export function formatHlog(r: Results): string {
  const lines: string[] = [];
  const w = new hdr.HistogramLogWriter((c) => lines.push(c));
  w.outputLogFormatVersion();
  w.outputComment(
    `[ivsim ${r.ivsim}: scenario ${r.scenario}, seed ${r.seed}; values in ns; timestamps are virtual seconds]`,
  );
  w.outputStartTime(0);
  w.outputLegend();
  const end = r.durationNs / 1e9;
  for (const s of r.schemes)
    for (const kind of HLOG_KINDS) {
      const h = decodeHistogram(s.histograms[kind]);
      h.tag = `${s.scheme}.${kind}`;
      // maxValueUnitRatio 1000: the Interval_Max column in microseconds, like the tables.
      w.outputIntervalHistogram(h, 0, end, 1000);
    }
  return lines.join('');
}
