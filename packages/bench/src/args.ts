// Command-line flags of `pnpm bench` / `node packages/bench/dist/main.js` (node:util parseArgs; bench has no
// commander dependency). Pure: a bad flag throws BenchInputError with a one-line message, main.ts exits 2.

import { parseArgs } from 'node:util';
import { BenchInputError, parseThreshold } from './compare.ts';

export const SECTIONS = ['micro', 'ring', 'scenario', 'rss'] as const;
export type Section = (typeof SECTIONS)[number];

export interface BenchArgs {
  help: boolean;
  quick: boolean;
  sections: Section[];
  save: string | null;
  compare: string | null;
  /** Fraction (0.10 = 10 %). */
  threshold: number;
  json: boolean;
  profile: boolean;
  profileDir: string;
}

export const USAGE = `usage: pnpm bench [-- options]   (or: node packages/bench/dist/main.js [options])

  --quick              shorter runs (micro 200 ms per task, short scenario durations); default is the full suite
  --only <sections>    comma list of: ${SECTIONS.join(',')} (default: all, in that order)
  --save <file>        write every number with machine info as JSON
  --compare <file>     compare with a saved JSON; exit 1 if a throughput/memory metric is worse than --threshold
  --threshold <pct>    regression threshold in percent (default 10)
  --json               print the JSON report to stdout (the readable report then goes to stderr)
  --profile            also CPU-profile x86-compare and fleet (1 shard, in this thread) and print the top
                       15 self-time functions; writes bench-<scenario>.cpuprofile into --profile-dir
  --profile-dir <dir>  where to write the .cpuprofile files (default: current directory)
  -h, --help           this text`;

export function parseBenchArgs(argv: string[]): BenchArgs {
  let values: Record<string, string | boolean | undefined>;
  try {
    ({ values } = parseArgs({
      args: argv,
      strict: true,
      allowPositionals: false,
      options: {
        help: { type: 'boolean', short: 'h' },
        quick: { type: 'boolean' },
        only: { type: 'string' },
        save: { type: 'string' },
        compare: { type: 'string' },
        threshold: { type: 'string' },
        json: { type: 'boolean' },
        profile: { type: 'boolean' },
        'profile-dir': { type: 'string' },
      },
    }));
  } catch (e) {
    // parseArgs messages can carry a second sentence of advice; keep one line.
    const msg = e instanceof Error ? e.message : String(e);
    throw new BenchInputError(msg.split('\n')[0].replace(/\. To specify a positional.*$/, ''));
  }
  let sections: Section[] = [...SECTIONS];
  if (values.only !== undefined) {
    const want = String(values.only)
      .split(',')
      .map((s) => s.trim())
      .filter((s) => s.length > 0);
    if (want.length === 0) throw new BenchInputError(`--only: expected a comma list of ${SECTIONS.join(',')}`);
    for (const s of want)
      if (!(SECTIONS as readonly string[]).includes(s))
        throw new BenchInputError(`--only: unknown section "${s}" (known: ${SECTIONS.join(', ')})`);
    // Always run in the suite's order, whatever order was asked for.
    sections = SECTIONS.filter((s) => want.includes(s));
  }
  for (const k of ['save', 'compare', 'profile-dir'] as const)
    if (values[k] === '') throw new BenchInputError(`--${k}: expected a file name`);
  return {
    help: values.help === true,
    quick: values.quick === true,
    sections,
    save: (values.save as string | undefined) ?? null,
    compare: (values.compare as string | undefined) ?? null,
    threshold: values.threshold !== undefined ? parseThreshold(String(values.threshold)) : 0.1,
    json: values.json === true,
    profile: values.profile === true,
    profileDir: (values['profile-dir'] as string | undefined) ?? '.',
  };
}
