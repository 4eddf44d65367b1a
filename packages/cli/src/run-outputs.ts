// The extra outputs of `ivsim run`: --report F.html, --hlog F, --trace F.json (with --trace-window). Every path is
// checked before the run starts (output.ts), each file written atomically after it.

import { type Results, type Scenario, ScenarioError, type SchemeId } from '@ivsim/core';
import type { Command } from 'commander';
import { formatHlog } from './hlog.ts';
import { fileArg, prepareOutput } from './output.ts';
import { renderReport, runReportData } from './report.ts';
import { buildTrace, parseTraceWindow } from './trace.ts';

export interface RunOutputFlags {
  report?: string;
  hlog?: string;
  trace?: string;
  traceWindow?: string;
}

export function addRunOutputOptions(cmd: Command): Command {
  return cmd
    .option('--report <file.html>', 'write a self-contained HTML report with charts (offline)', fileArg('--report'))
    .option('--hlog <file>', 'write the latency histograms as an HdrHistogram interval log', fileArg('--hlog'))
    .option('--trace <file.json>', 'write a Chrome/Perfetto trace (trace-event JSON) of a window', fileArg('--trace'))
    .option(
      '--trace-window <start,end>',
      'virtual-time window of --trace, ns or with units (default 0,1ms); traced on one thread',
    );
}

/** Validates the flags and opens the files; returns what to call with the finished results. */
export function prepareRunOutputs(
  s: Scenario,
  schemes: SchemeId[] | undefined,
  o: RunOutputFlags,
): (r: Results) => void {
  const window =
    o.trace !== undefined || o.traceWindow !== undefined ? parseTraceWindow(o.traceWindow, s.duration) : null;
  if (o.traceWindow !== undefined && o.trace === undefined)
    throw new ScenarioError('--trace-window: needs --trace FILE');
  const report = o.report !== undefined ? prepareOutput('--report', o.report) : null;
  const hlog = o.hlog !== undefined ? prepareOutput('--hlog', o.hlog) : null;
  const trace = o.trace !== undefined ? prepareOutput('--trace', o.trace) : null;
  return (r: Results) => {
    report?.(renderReport(runReportData(r)));
    hlog?.(formatHlog(r));
    if (trace && window) trace(`${JSON.stringify(buildTrace(s, schemes, window))}\n`);
  };
}
