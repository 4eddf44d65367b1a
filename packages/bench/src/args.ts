// Command-line flags of `pnpm bench` / `node packages/bench/dist/main.js` (node:util parseArgs; bench has no
// commander dependency). Pure: a bad flag throws BenchInputError with a one-line message, main.ts exits 2.

import { parseArgs } from 'node:util';
import { BenchInputError, parseAlpha, parseThreshold } from './compare.ts';

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
  /** Significance level of the rank test of `--compare` / `--base`. */
  alpha: number;
  /** Samples per metric (rounds of micro, runs of a scenario, repetitions of a ring case, RSS probe pairs). */
  repeats: number;
  /** A git revision to build in a temporary worktree and measure interleaved with this checkout (base.ts). */
  base: string | null;
  json: boolean;
  profile: boolean;
  /** Scenarios (built-in names or files) to profile instead of the default pair; given as positionals. */
  profileScenarios: string[];
  profileDir: string;
  /** IVSIM_BENCH_SCALE: every duration and time budget of the suite is multiplied by it (tests use ~0.02). */
  scale: number;
}

/** Six a side is the fewest for which a clean shift survives Holm over the suite's 21 gated metrics (compare.ts). */
export const DEFAULT_REPEATS = 6;

export const USAGE = `usage: pnpm bench [-- options] [scenario…]   (or: node packages/bench/dist/main.js …, ivsim bench …)

  --quick              shorter runs (micro 200 ms per task, short scenario durations); default is the full suite
  --only <sections>    comma list of: ${SECTIONS.join(',')} (default: all, in that order)
  --repeats <n>        samples per metric (default ${DEFAULT_REPEATS}): micro rounds, scenario runs, ring repetitions,
                       RSS probe pairs
  --save <file>        write every number (with its samples) and machine info as JSON
  --compare <file>     compare with a saved JSON; exit 1 if a throughput/memory metric is worse than --threshold
                       and a rank test on the samples says it is not noise (p < --alpha)
  --base <rev>         build <rev> in a temporary git worktree, run it and this checkout interleaved (A B B A)
                       and compare, in one command
  --threshold <pct>    regression threshold in percent (default 10)
  --alpha <p>          family-wise level of the one-sided Mann–Whitney tests, Holm-corrected (default 0.05)
  --json               print the JSON report to stdout (the readable report then goes to stderr)
  --profile            CPU-profile scenarios on this thread (1 shard), print the top 15 self-time functions with
                       source-mapped .ts positions, write <scenario>.cpuprofile into --profile-dir. Without
                       scenario arguments: x86-compare and fleet after the suite; with them (built-in names or
                       YAML/JSON files): only those, at their own durations, and no sections unless --only is given
  --profile-dir <dir>  where to write the .cpuprofile files (default: current directory)
  -h, --help           this text

environment: IVSIM_BENCH_SCALE=<f in (0, 1]> multiplies every duration and time budget, IVSIM_BENCH_REPEATS=<n>
             is the default of --repeats (both for tests)`;

export function parseBenchArgs(argv: string[], env: Record<string, string | undefined> = process.env): BenchArgs {
  let values: Record<string, string | boolean | undefined>;
  let positionals: string[];
  // `pnpm bench -- --quick` hands the script `-- --quick` (pnpm 10 forwards the separator), and parseArgs would
  // take every flag after `--` for a positional; a leading `--` is therefore dropped.
  const args = argv[0] === '--' ? argv.slice(1) : argv;
  try {
    ({ values, positionals } = parseArgs({
      args,
      strict: true,
      allowPositionals: true,
      options: {
        help: { type: 'boolean', short: 'h' },
        quick: { type: 'boolean' },
        only: { type: 'string' },
        save: { type: 'string' },
        compare: { type: 'string' },
        threshold: { type: 'string' },
        alpha: { type: 'string' },
        repeats: { type: 'string' },
        base: { type: 'string' },
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
  if (positionals.length > 0 && values.profile !== true)
    throw new BenchInputError(`unexpected argument "${positionals[0]}" (scenario arguments are for --profile)`);
  // Profiling named scenarios is its own job: the measured sections run only when asked for.
  let sections: Section[] = positionals.length > 0 && values.only === undefined ? [] : [...SECTIONS];
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
  if (values.base === '') throw new BenchInputError('--base: expected a git revision');
  if (values.base !== undefined && values.compare !== undefined)
    throw new BenchInputError('--base and --compare: give one baseline, not both');
  if (values.base !== undefined && positionals.length > 0)
    throw new BenchInputError('--base: compares the measured sections; profile scenarios in a separate run');
  // IVSIM_BENCH_REPEATS is the default of --repeats (the docs test runs every documented command with 2).
  const repeatsText =
    values.repeats !== undefined ? String(values.repeats) : env.IVSIM_BENCH_REPEATS || String(DEFAULT_REPEATS);
  const repeats = /^\s*\d+\s*$/.test(repeatsText) ? Number(repeatsText) : Number.NaN;
  if (!(Number.isInteger(repeats) && repeats >= 1 && repeats <= 100))
    throw new BenchInputError(`--repeats: expected an integer in [1, 100], got "${repeatsText}"`);
  return {
    help: values.help === true,
    quick: values.quick === true,
    sections,
    save: (values.save as string | undefined) ?? null,
    compare: (values.compare as string | undefined) ?? null,
    threshold: values.threshold !== undefined ? parseThreshold(String(values.threshold)) : 0.1,
    alpha: values.alpha !== undefined ? parseAlpha(String(values.alpha)) : 0.05,
    repeats,
    base: (values.base as string | undefined) ?? null,
    json: values.json === true,
    profile: values.profile === true,
    profileScenarios: positionals,
    profileDir: (values['profile-dir'] as string | undefined) ?? '.',
    scale: parseScale(env.IVSIM_BENCH_SCALE),
  };
}

/** IVSIM_BENCH_SCALE: unset = 1. */
export function parseScale(text: string | undefined): number {
  if (text === undefined || text === '') return 1;
  const f = /^\s*\d*\.?\d+(e-?\d+)?\s*$/i.test(text) ? Number(text) : Number.NaN;
  if (!(f > 0 && f <= 1)) throw new BenchInputError(`IVSIM_BENCH_SCALE: expected a number in (0, 1], got "${text}"`);
  return f;
}
