// Where a sweep's results go, for every kind of sweep (a `sweep:` block or its merged parts, the list-register and
// the moderation sweeps): the output paths are checked before anything runs, then the JSON, the CSV, the HTML report
// and the table are written, and a point that did not conserve makes the exit status 1.

import { ScenarioError } from '@ivsim/core';
import { prepareOutput } from './output.ts';

/** The flags naming a sweep's output files (`-` = standard output, for one of --json and --csv). */
export interface SweepOutputFlags {
  json?: string;
  csv?: string;
  report?: string;
}

/** How one kind of sweep result is written. */
export interface SweepWriters<R> {
  /** One CSV row per point × scheme (absent: the kind has no CSV form and the CLI refuses --csv before this). */
  csv?: (r: R) => string;
  /** The self-contained HTML report. */
  report: (r: R) => string;
  /** The table printed at the end. */
  table: (r: R) => string;
  /** True when every point's every scheme accounted for every raised interrupt. */
  conserved: (r: R) => boolean;
}

/** Checks the output flags now (exit 2 before the run) and returns what writes the result once it exists. */
export function prepareSweepOutputs<R>(o: SweepOutputFlags, w: SweepWriters<R>): (r: R) => void {
  if (o.json === '-' && o.csv === '-')
    throw new ScenarioError('--json - and --csv -: only one may write to standard output');
  const json = o.json ? prepareOutput('--json', o.json) : null;
  const csv = o.csv && w.csv ? prepareOutput('--csv', o.csv) : null;
  const report = o.report ? prepareOutput('--report', o.report) : null;
  const toStdout = o.json === '-' || (o.csv === '-' && w.csv !== undefined);
  return (r: R) => {
    json?.(`${JSON.stringify(r, null, 2)}\n`);
    if (csv && w.csv) csv(w.csv(r));
    report?.(w.report(r));
    // Standard output stays pure JSON/CSV when one of them goes there: the table goes to standard error.
    (toStdout ? console.error : console.log)(w.table(r));
    if (!w.conserved(r)) {
      console.error('error: conservation violated (raised ≠ delivered + coalesced + pending)');
      process.exitCode = 1;
    }
  };
}
