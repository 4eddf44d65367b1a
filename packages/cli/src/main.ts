#!/usr/bin/env node
// The `ivsim` command. Exit status: 0 success, 1 failed run (e.g. conservation violated), 2 bad input.

import { realpathSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { fileURLToPath } from 'node:url';
import {
  ALL_SCHEMES,
  BUILTIN_SCENARIOS,
  builtinScenarioYaml,
  IVSIM_VERSION,
  parseTimeNs,
  ScenarioError,
  type SchemeId,
  validateScenario,
  withOverrides,
} from '@ivsim/core';
import { schemePlan } from '@ivsim/core/internal';
import { planLanes } from '@ivsim/workers';
import { Command, CommanderError, InvalidArgumentError, Option } from 'commander';
import { addCompareCommand } from './compare.ts';
import { formatExits } from './exits.ts';
import { checkResources } from './guard.ts';
import { addLiveCommand } from './live.ts';
import { fileArg, prepareOutput } from './output.ts';
import { collectSet, resolveScenario, SET_HELP } from './resolve.ts';
import { Interrupted, runWithControl } from './run.ts';
import { addRunOutputOptions, prepareRunOutputs, type RunOutputFlags } from './run-outputs.ts';
import { addMergeCommand, addSweepCommand } from './sweep.ts';
import { formatTable, saturationWarnings } from './table.ts';

const intArg =
  (name: string, min: number, max = Number.MAX_SAFE_INTEGER) =>
  (v: string) => {
    const n = /^\s*[+-]?\d+\s*$/.test(v) ? Number(v) : Number.NaN;
    if (!Number.isSafeInteger(n) || n < min || n > max)
      throw new InvalidArgumentError(`${name} must be an integer ≥ ${min} and ≤ ${max}`);
    return n;
  };

/** Commander's message (which may put a suggestion on a second line) as one line. */
export function oneLineError(str: string): string {
  return str
    .trim()
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l !== '')
    .join(' ');
}

export function buildProgram(): Command {
  const program = new Command('ivsim')
    .description('Simulate interrupt delivery into virtual machines and compare schemes side by side.')
    .version(IVSIM_VERSION, '-V, --version', 'print the ivsim version')
    .exitOverride()
    // Commander's usage errors on one line, its own "(Did you mean --scheme?)" line included.
    .configureOutput({ outputError: (str, write) => write(`${oneLineError(str)}\n`) });

  addRunOutputOptions(program.command('run'))
    .description('run a built-in scenario or a scenario file and print the comparison')
    .argument('<scenario>', 'built-in scenario name (see `ivsim scenarios`) or a YAML/JSON file')
    .addOption(
      new Option('--scheme <ids...>', 'only these schemes (bare-metal still runs as the reference)').choices([
        ...ALL_SCHEMES,
      ]),
    )
    .option('--seed <n>', 'override the scenario seed', intArg('--seed', 0))
    .option(
      '--shards <n>',
      'worker threads (default: scenario engine.shards, else one per core)',
      intArg('--shards', 1),
    )
    .option('--duration <time>', "override the scenario's virtual duration (e.g. 50ms, 2s)")
    .option(
      '--json <file>',
      'write the results JSON to this file (checked before the run, written atomically; - = standard output)',
      fileArg('--json'),
    )
    .option(
      '--no-progress',
      'no progress on stderr (default: a bar on a TTY, a line with the ETA every few seconds otherwise)',
    )
    .option('--force', 'run even when the estimated time or memory exceeds this machine')
    .option('--exits', 'also print a perf-kvm-stat-style table of VM exits per scheme')
    .option('--set <path=value>', SET_HELP, collectSet, [])
    .action(
      async (
        arg: string,
        o: {
          set: string[];
          exits?: boolean;
          scheme?: SchemeId[];
          seed?: number;
          shards?: number;
          duration?: string;
          json?: string;
          progress: boolean;
          force?: boolean;
        } & RunOutputFlags,
      ) => {
        const s0 = resolveScenario(arg, o.set);
        if (s0.sweep !== undefined)
          console.error(`note: ${arg} has a sweep: block; run simulates its base values (ivsim sweep runs the points)`);
        if (o.scheme) {
          const bad = o.scheme.find((id) => !s0.schemes.includes(id) && id !== 'bare-metal');
          if (bad)
            throw new ScenarioError(
              `--scheme: ${bad} is not one of this scenario's schemes (${s0.schemes.join(', ')})`,
            );
        }
        if (o.shards !== undefined && o.shards > 256)
          throw new ScenarioError(`--shards: at most 256 worker threads, got ${o.shards}`);
        let durationNs: number | undefined;
        if (o.duration !== undefined) {
          durationNs = parseTimeNs(o.duration);
          if (durationNs === undefined || durationNs <= 0)
            throw new ScenarioError(`--duration: expected a positive time like 50ms or 2s, got "${o.duration}"`);
        }
        const s = withFlags(s0, { seed: o.seed, durationNs });
        const shards = Math.min(o.shards ?? s.engine.shards ?? availableParallelism(), s.host.pcpus);
        const run = schemePlan(s, o.scheme).run;
        checkResources(s, {
          runs: run.length,
          shards,
          cores: availableParallelism(),
          force: o.force === true,
          arenas: () => planLanes(s, run, shards).lanes.length,
        });
        const write = o.json ? prepareOutput('--json', o.json) : null;
        const writeOutputs = prepareRunOutputs(s, o.scheme, o);
        const r = await runWithControl(s, {
          schemes: o.scheme,
          shards,
          fault: faultFromEnv(),
          progress: !o.progress ? 'off' : process.stderr.isTTY === true ? 'bar' : 'lines',
        });
        write?.(`${JSON.stringify(r, null, 2)}\n`);
        writeOutputs(r);
        // `--json -` keeps standard output pure JSON: the tables go to standard error.
        const print = o.json === '-' ? console.error : console.log;
        print(formatTable(r));
        if (o.exits) print(`\n${formatExits(r)}`);
        for (const w of saturationWarnings(r)) console.error(w);
        if (r.schemes.some((x) => !x.conservation.ok)) {
          console.error('error: conservation violated (raised ≠ delivered + coalesced + pending)');
          process.exitCode = 1;
        }
      },
    );

  addSweepCommand(program, intArg);
  addMergeCommand(program);
  addCompareCommand(program);
  addLiveCommand(program);

  program
    .command('scenarios')
    .description('list the built-in scenarios, or print one as a YAML file to start from (--show NAME)')
    .option('--show <name>', 'print this built-in scenario as YAML')
    .action((o: { show?: string }) => {
      if (o.show !== undefined) {
        process.stdout.write(builtinScenarioYaml(o.show));
        return;
      }
      for (const [name, s] of Object.entries(BUILTIN_SCENARIOS)) {
        const v = validateScenario(s);
        console.log(`${name.padEnd(16)} ${v.arch}  ${v.schemes.join(', ')}\n${' '.repeat(17)}${s.description ?? ''}`);
      }
    });

  program
    .command('bench')
    .description('benchmark suite and regression compare (docs/bench.md); exit 1 on a regression')
    .argument('[scenarios...]', 'with --profile: built-in names or YAML/JSON files to profile')
    .option('--quick', 'short durations (smoke run; ratios are less reliable)')
    .option('--only <sections>', 'comma list of sections: micro,ring,scenario,rss')
    .option('--repeats <n>', 'samples per metric (default 6)')
    .option('--save <file>', 'write all numbers (with their samples and machine info) as JSON')
    .option('--compare <file>', 'compare against a saved JSON; exit 1 on a regression')
    .option('--base <rev>', 'build <rev> in a temporary git worktree, run it and this checkout A B B A, compare')
    .option('--threshold <pct>', 'regression threshold for throughput metrics, percent (default 10)')
    .option('--alpha <p>', 'family-wise significance level of the rank tests (default 0.05)')
    .option('--json', 'print the JSON to stdout (the report goes to stderr)')
    .option('--profile', 'CPU-profile x86-compare and fleet, or the scenarios given, and print the top functions')
    .option('--profile-dir <dir>', 'where to write the .cpuprofile files')
    .action(async (scenarios: string[], o: Record<string, string | boolean | undefined>) => {
      // The bench parses its own flags (node:util parseArgs); hand them over unchanged.
      const argv: string[] = [];
      for (const k of ['quick', 'json', 'profile'] as const) if (o[k]) argv.push(`--${k}`);
      const valued = [
        ['only', '--only'],
        ['repeats', '--repeats'],
        ['save', '--save'],
        ['compare', '--compare'],
        ['base', '--base'],
        ['threshold', '--threshold'],
        ['alpha', '--alpha'],
        ['profileDir', '--profile-dir'],
      ] as const;
      for (const [k, flag] of valued) {
        const v = o[k];
        if (typeof v === 'string') argv.push(flag, v);
      }
      process.exitCode = await (await loadBench()).runBench([...argv, ...scenarios]);
    });

  program
    .command('validate')
    .description('validate a scenario file (exit 0 if valid, 2 with the bad field named if not)')
    .argument('<file>', 'YAML or JSON scenario file')
    .action((file: string) => {
      const s = resolveScenario(file);
      console.log(`${file}: valid (${s.name}, ${s.arch}, schemes ${s.schemes.join(', ')})`);
    });

  return program;
}

/** --seed / --duration applied through the schema; a value it rejects is reported under the flag's name. */
function withFlags(s: Parameters<typeof withOverrides>[0], o: { seed?: number; durationNs?: number }) {
  try {
    return withOverrides(s, o);
  } catch (e) {
    if (!(e instanceof ScenarioError)) throw e;
    const flagged = e.message
      .split('\n')
      .map((line) => line.replace(/^scenario\.(seed|duration): /, (_m, f: string) => `--${f}: `));
    throw new ScenarioError(flagged.join('\n'));
  }
}

/**
 * The bench package is loaded only by `ivsim bench`: every other command starts without it, and an installed
 * CLI (where @ivsim/bench, a private workspace package, is an optional peer that is usually absent) still works.
 */
async function loadBench(): Promise<typeof import('@ivsim/bench')> {
  try {
    return await import('@ivsim/bench');
  } catch (e) {
    if ((e as { code?: string }).code !== 'ERR_MODULE_NOT_FOUND' || !String(e).includes('@ivsim/bench')) throw e;
    throw new Error(
      'bench: the benchmark suite (@ivsim/bench) is not installed; run `pnpm ivsim bench` in an ivsim source checkout',
    );
  }
}

/** Test hook: IVSIM_INJECT_FAULT="<shard>@<time>" makes that shard throw at that virtual time. */
function faultFromEnv(): { shard: number; atNs: number } | undefined {
  const v = process.env.IVSIM_INJECT_FAULT;
  if (!v) return undefined;
  const [shard, at] = v.split('@');
  return { shard: Number(shard), atNs: parseTimeNs(at ?? '0') ?? 0 };
}

export async function main(argv: string[]): Promise<number> {
  try {
    await buildProgram().parseAsync(argv, { from: 'user' });
    return typeof process.exitCode === 'number' ? process.exitCode : 0;
  } catch (e) {
    if (e instanceof CommanderError) return e.exitCode === 0 ? 0 : 2; // help/version → 0; usage errors → 2
    if (e instanceof Interrupted) {
      console.error(`error: ${e.message}`);
      return e.code;
    }
    if (e instanceof ScenarioError) {
      // One line per issue (a scenario file with several problems lists them all), each a complete error line.
      for (const line of e.message.split('\n')) console.error(`error: ${line}`);
      return 2;
    }
    console.error(`error: ${e instanceof Error ? e.message : String(e)}`);
    return 1;
  }
}

/**
 * Run when node was started on this file, however it was reached: npm's bin is a symlink
 * (node_modules/.bin/ivsim, a global prefix's bin/ivsim), so compare real paths, not URLs.
 */
function startedAsMain(): boolean {
  const entry = process.argv[1];
  if (!entry) return false;
  try {
    return realpathSync(entry) === realpathSync(fileURLToPath(import.meta.url));
  } catch {
    return false;
  }
}
if (startedAsMain()) main(process.argv.slice(2)).then((code) => process.exit(code));
