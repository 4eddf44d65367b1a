// Cross-commit bench in interleaved order: each case runs in a fresh child process per checkout, in the order
// A B … B A (a palindrome over the checkouts, repeated `--rounds` times), so a host whose speed drifts during the
// bench (a loaded 2-core machine) weighs on every checkout alike. Each figure pools the runs of its checkout
// (interrupts summed over runs ÷ seconds summed over runs), and ratios are against the first checkout.
//
// Figures per case and checkout, each labelled:
//   whole = the first run in a fresh process (JIT warm-up and per-scheme re-optimisation included);
//   warm  = the last of `--warm` further runs in the same process (steady state; for ParallelRun cases the shards'
//           threads are new each run — their isolates compile the engine again — unless `--pool`, which keeps
//           them in a ShardPool across the runs of a process, so warm is the engine's steady state on every thread;
//           every checkout must then have ShardPool);
//   cpu   = CPU seconds of the busiest thread (for simulate(): the main thread; for ParallelRun: the busiest shard);
//   wall  = wall-clock seconds of the run (module loading excluded).
//
//   node packages/bench/dist/abba.js --case x86-compare --duration 250ms [--rounds 1] [--warm 1] [--pool] \
//     DIR_A DIR_B …
// DIR_* are checkouts built with `npx tsc -b`.

import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { BENCH_CASES } from './abba-cases.ts';
import type { AbbaChildOutput, AbbaSample } from './abba-child.ts';

const USAGE =
  'usage: node packages/bench/dist/abba.js [--case NAME …] [--duration 100ms] [--rounds 1] [--warm 1] [--pool] ' +
  '[--json] DIR_A DIR_B [DIR_C …]  (DIR_* are checkouts built with `npx tsc -b`; the first is the base)';

function fail(msg: string): never {
  console.error(`abba: ${msg}`);
  process.exit(2);
}

function parse() {
  try {
    return parseArgs({
      allowPositionals: true,
      options: {
        case: { type: 'string', multiple: true },
        duration: { type: 'string', default: '100ms' },
        rounds: { type: 'string', default: '1' },
        warm: { type: 'string', default: '1' },
        json: { type: 'boolean', default: false },
        pool: { type: 'boolean', default: false },
        help: { type: 'boolean', default: false },
      },
    });
  } catch (e) {
    // node:util's message names the flag; keep its first sentence, one line, exit 2.
    return fail(`${(e as Error).message.split('. ')[0]} (--help for usage)`);
  }
}

const { values, positionals } = parse();
if (values.help) {
  console.log(USAGE);
  console.log(
    `cases: ${Object.entries(BENCH_CASES)
      .map(([k, v]) => `\n  ${k.padEnd(16)} ${v}`)
      .join('')}`,
  );
  process.exit(0);
}

const m = /^(\d+(?:\.\d+)?)(ns|us|ms|s)$/.exec(values.duration ?? '');
if (!m) fail(`--duration: expected a time like 250ms, got "${values.duration}"`);
const durationNs = Number(m[1]) * { ns: 1, us: 1e3, ms: 1e6, s: 1e9 }[m[2] as 'ns'];
const rounds = Number(values.rounds);
const warm = Number(values.warm);
if (!Number.isInteger(rounds) || rounds < 1) fail('--rounds: expected an integer ≥ 1');
if (!Number.isInteger(warm) || warm < 1) fail('--warm: expected an integer ≥ 1');
const cases = values.case ?? ['x86-compare'];
for (const c of cases)
  if (!(c in BENCH_CASES)) fail(`--case: unknown "${c}" (known: ${Object.keys(BENCH_CASES).join(', ')})`);
if (positionals.length < 2) fail('give at least two checkout directories (the first is the base)');

const child = fileURLToPath(new URL('./abba-child.js', import.meta.url));
const order = [...positionals.keys(), ...[...positionals.keys()].reverse()];

interface Pool {
  interrupts: number;
  events: number;
  cpu: number;
  cpuTotal: number;
  wall: number;
  runs: number;
  rss: number;
}
const empty = (): Pool => ({ interrupts: 0, events: 0, cpu: 0, cpuTotal: 0, wall: 0, runs: 0, rss: 0 });
const report: Record<string, unknown> = {};

for (const c of cases) {
  const pools = positionals.map(() => ({ whole: empty(), warm: empty() }));
  for (let r = 0; r < rounds; r++)
    for (const k of order) {
      const args = [child, positionals[k], c, String(durationNs), String(warm), values.pool ? 'pool' : 'fresh'];
      let out: string;
      try {
        out = execFileSync(process.execPath, args, {
          encoding: 'utf8',
          maxBuffer: 1 << 24,
          stdio: ['ignore', 'pipe', 'pipe'],
        });
      } catch (e) {
        // The child's own one-line reason (a checkout without ShardPool, a missing build), else node's message.
        const why =
          String((e as { stderr?: string }).stderr ?? '')
            .trim()
            .split('\n')[0] || (e as Error).message;
        fail(`${positionals[k]}: ${why}`);
      }
      const o = JSON.parse(out.trim().split('\n').pop() as string) as AbbaChildOutput;
      for (const s of o.samples as AbbaSample[]) {
        const p = pools[k][s.label];
        p.interrupts += s.interrupts;
        p.events += s.events;
        p.cpu += s.cpu.busiest;
        p.cpuTotal += s.cpu.total;
        p.wall += s.wallSeconds;
        p.runs++;
        p.rss = Math.max(p.rss, o.maxRssKiB);
      }
      process.stderr.write('.');
    }
  process.stderr.write('\n');
  console.log(`\n${c} — ${BENCH_CASES[c]}; ${values.duration} virtual, ${rounds} round(s) of ${order.length} runs`);
  console.log(
    '  checkout                       label  M irq/cpu-s  M irq/wall-s  ev/irq  cpu-s(busiest)  cpu-s(all)  ×cpu vs base  ×wall vs base',
  );
  const rows: unknown[] = [];
  for (const label of ['whole', 'warm'] as const) {
    const b = pools[0][label];
    positionals.forEach((dir, k) => {
      const p = pools[k][label];
      const perCpu = p.interrupts / p.cpu;
      const perWall = p.interrupts / p.wall;
      const xc = perCpu / (b.interrupts / b.cpu);
      const xw = perWall / (b.interrupts / b.wall);
      rows.push({ dir, label, perCpu, perWall, eventsPerIrq: p.events / p.interrupts, xc, xw, rssKiB: p.rss });
      console.log(
        `  ${dir.slice(-30).padEnd(30)} ${label.padEnd(5)}  ${(perCpu / 1e6).toFixed(2).padStart(11)}  ${(perWall / 1e6).toFixed(2).padStart(12)}  ` +
          `${(p.events / p.interrupts).toFixed(2).padStart(6)}  ${(p.cpu / p.runs).toFixed(2).padStart(14)}  ${(p.cpuTotal / p.runs).toFixed(2).padStart(10)}  ` +
          `${xc.toFixed(2).padStart(12)}  ${xw.toFixed(2).padStart(13)}`,
      );
    });
  }
  report[c] = rows;
}
if (values.json) console.log(JSON.stringify(report));
