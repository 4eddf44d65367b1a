#!/usr/bin/env node
// The `ivsim` command. Exit status: 0 success, 1 failed run (e.g. conservation violated), 2 bad input.

import { writeFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { runBench } from '@ivsim/bench';
import {
  ALL_SCHEMES,
  BUILTIN_SCENARIOS,
  parseTimeNs,
  ScenarioError,
  type SchemeId,
  validateScenario,
} from '@ivsim/core';
import { Command, CommanderError, InvalidArgumentError, Option } from 'commander';
import { resolveScenario } from './resolve.ts';
import { runWithControl } from './run.ts';
import { addSweepCommand } from './sweep.ts';
import { formatTable } from './table.ts';

const intArg = (name: string, min: number) => (v: string) => {
  const n = Number(v);
  if (!Number.isInteger(n) || n < min) throw new InvalidArgumentError(`${name} must be an integer ≥ ${min}`);
  return n;
};

export function buildProgram(): Command {
  const program = new Command('ivsim')
    .description('Simulate interrupt delivery into virtual machines and compare schemes side by side.')
    .exitOverride()
    .configureOutput({ outputError: (str, write) => write(`${str.trim().split('\n')[0]}\n`) });

  program
    .command('run')
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
    .option('--json <file>', 'write the results JSON to this file')
    .option('--no-progress', 'never draw the progress bar (it is drawn only on a TTY, after the first second)')
    .action(
      async (
        arg: string,
        o: { scheme?: SchemeId[]; seed?: number; shards?: number; duration?: string; json?: string; progress: boolean },
      ) => {
        const s = resolveScenario(arg);
        if (o.scheme) {
          const bad = o.scheme.find((id) => !s.schemes.includes(id) && id !== 'bare-metal');
          if (bad)
            throw new ScenarioError(`--scheme: ${bad} is not one of this scenario's schemes (${s.schemes.join(', ')})`);
        }
        if (o.shards !== undefined && o.shards > 256)
          throw new ScenarioError(`--shards: at most 256 worker threads, got ${o.shards}`);
        let durationNs: number | undefined;
        if (o.duration !== undefined) {
          durationNs = parseTimeNs(o.duration);
          if (durationNs === undefined || durationNs <= 0)
            throw new ScenarioError(`--duration: expected a positive time like 50ms or 2s, got "${o.duration}"`);
        }
        const r = await runWithControl(s, {
          schemes: o.scheme,
          seed: o.seed,
          shards: o.shards ?? s.engine.shards ?? availableParallelism(),
          durationNs,
          fault: faultFromEnv(),
          progress: o.progress && process.stderr.isTTY === true,
        });
        if (o.json) writeFileSync(o.json, `${JSON.stringify(r, null, 2)}\n`);
        console.log(formatTable(r));
        if (r.schemes.some((x) => !x.conservation.ok)) {
          console.error('error: conservation violated (raised ≠ delivered + coalesced + pending)');
          process.exitCode = 1;
        }
      },
    );

  addSweepCommand(program, intArg);

  program
    .command('scenarios')
    .description('list the built-in scenarios')
    .action(() => {
      for (const [name, s] of Object.entries(BUILTIN_SCENARIOS)) {
        const v = validateScenario(s);
        console.log(`${name.padEnd(16)} ${v.arch}  ${v.schemes.join(', ')}\n${' '.repeat(17)}${s.description ?? ''}`);
      }
    });

  program
    .command('bench')
    .description('benchmark suite and regression compare (docs/bench.md); exit 1 on a regression')
    .option('--quick', 'short durations (smoke run; ratios are less reliable)')
    .option('--only <sections>', 'comma list of sections: micro,ring,scenario,rss')
    .option('--save <file>', 'write all numbers (with machine info) as JSON')
    .option('--compare <file>', 'compare against a saved JSON; exit 1 on a regression')
    .option('--threshold <pct>', 'regression threshold for throughput metrics, percent (default 10)')
    .option('--json', 'print the JSON to stdout (the report goes to stderr)')
    .option('--profile', 'write CPU profiles of x86-compare and fleet and print the top functions')
    .option('--profile-dir <dir>', 'where to write the .cpuprofile files')
    .action(async (o: Record<string, string | boolean | undefined>) => {
      // The bench parses its own flags (node:util parseArgs); hand them over unchanged.
      const argv: string[] = [];
      for (const k of ['quick', 'json', 'profile'] as const) if (o[k]) argv.push(`--${k}`);
      const valued = [
        ['only', '--only'],
        ['save', '--save'],
        ['compare', '--compare'],
        ['threshold', '--threshold'],
        ['profileDir', '--profile-dir'],
      ] as const;
      for (const [k, flag] of valued) {
        const v = o[k];
        if (typeof v === 'string') argv.push(flag, v);
      }
      process.exitCode = await runBench(argv);
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
    if (e instanceof ScenarioError) {
      console.error(`error: ${e.message}`);
      return 2;
    }
    console.error(`error: ${e instanceof Error ? e.message : String(e)}`);
    return 1;
  }
}

const isMain = process.argv[1] && import.meta.url === new URL(`file://${process.argv[1]}`).href;
if (isMain) main(process.argv.slice(2)).then((code) => process.exit(code));
