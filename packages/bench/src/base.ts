// `--base REV`: measure another revision and this checkout in one interleaved run and compare them.
//
// 1. REV is resolved in the repository (`git rev-parse --verify REV^{commit}`); an unknown one is bad input (exit 2).
// 2. It is checked out in a temporary git worktree (`git worktree add --detach`), installed offline with the pnpm
//    that its package.json pins (`npx -y pnpm@<pin> install --frozen-lockfile --offline`) and built (`tsc -b`).
// 3. Each side runs its own suite in a fresh child process, in the order base, current, current, base (A B B A, as
//    abba.ts orders checkouts), each with half of --repeats, so drift of a shared host weighs on both alike; the two
//    runs of a side are pooled (samples concatenated) and compared as `--compare` does (compare.ts).
// 4. The worktree is removed whatever happens: success, a failed step, SIGINT/SIGTERM (exit 130/143).

import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { BenchArgs } from './args.ts';
import {
  BenchInputError,
  type BenchReport,
  compareExitStatus,
  compareReports,
  formatCompare,
  type Metric,
  metric,
  parseReport,
} from './compare.ts';
import { fmtValue } from './format.ts';
import type { BenchIo } from './main.ts';

const REPO_ROOT = fileURLToPath(new URL('../../../', import.meta.url));

export interface BaseOptions {
  /** The git repository in which REV is resolved and the worktree added (default: this checkout). */
  repoDir?: string;
  /** The checkout measured as "current" (default: this one; it must be built). */
  currentRoot?: string;
}

/** The full commit id of `rev` in `repo`, or a BenchInputError naming it. */
export function resolveRevision(repo: string, rev: string): string {
  if (rev.startsWith('-')) throw new BenchInputError(`--base: unknown revision "${rev}"`);
  try {
    return execFileSync('git', ['rev-parse', '--verify', '--quiet', `${rev}^{commit}`], {
      cwd: repo,
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'ignore'],
    }).trim();
  } catch {
    throw new BenchInputError(`--base: unknown revision "${rev}" (not a commit in ${repo.replace(/\/$/, '')})`);
  }
}

/** The pnpm version a checkout pins in package.json's `packageManager` ("pnpm@10.34.9"). */
function pinnedPnpm(root: string): string {
  const pm = (JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { packageManager?: string })
    .packageManager;
  const m = /^pnpm@(\d+\.\d+\.\d+)/.exec(pm ?? '');
  if (!m) throw new Error(`--base: ${root}/package.json pins no pnpm version (packageManager: ${pm ?? 'absent'})`);
  return m[1];
}

/** Pools runs of one side: every metric's samples concatenated in run order, the value their median. */
export function poolReports(reports: BenchReport[]): BenchReport {
  const metrics: Record<string, Metric> = {};
  for (const r of reports)
    for (const [k, m] of Object.entries(r.metrics)) {
      const prev = metrics[k];
      metrics[k] = metric([...(prev?.samples ?? []), ...m.samples], m.unit, m.better, m.kind, m.ref);
    }
  const first = reports[0];
  return {
    ...first,
    options: { ...first.options, repeats: reports.reduce((a, r) => a + r.options.repeats, 0) },
    metrics,
    details: { runs: reports.map((r) => ({ machine: r.machine, details: r.details })) },
  };
}

/** The step running now (an install, a build, a bench run), stopped by the signal handler. */
let activeChild: ChildProcess | null = null;

/**
 * Runs one step as a child process (asynchronously, so SIGINT reaches our handler at once); a failure becomes an
 * Error naming the step with the child's last `error:` line, or else its last output line.
 */
function step(cmd: string, argv: string[], cwd: string, what: string, env = process.env): Promise<void> {
  return new Promise((resolveStep, reject) => {
    // Its own process group, so that stopping it stops what it started (npx → pnpm, tsc, the bench's workers).
    const child = spawn(cmd, argv, { cwd, env, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
    activeChild = child;
    let output = '';
    child.stdout?.on('data', (b) => {
      output += b;
    });
    child.stderr?.on('data', (b) => {
      output += b;
    });
    child.on('error', (e) => reject(new Error(`--base: ${what} failed: ${e.message}`)));
    child.on('close', (code, signal) => {
      activeChild = null;
      if (code === 0) return resolveStep();
      const lines = output.split('\n').filter((l) => l.trim() !== '');
      const last = lines.filter((l) => l.startsWith('error:')).slice(-1)[0] ?? lines.slice(-1)[0];
      reject(new Error(`--base: ${what} failed (${signal ?? `exit ${code}`})${last ? `: ${last.trim()}` : ''}`));
    });
  });
}

export async function runAgainstBase(args: BenchArgs, io: BenchIo, o: BaseOptions = {}): Promise<number> {
  const repo = o.repoDir ?? REPO_ROOT;
  const current = o.currentRoot ?? REPO_ROOT;
  const rev = args.base as string;
  const sha = resolveRevision(repo, rev);
  const tmp = mkdtempSync(join(tmpdir(), 'ivsim-bench-base-'));
  const wt = join(tmp, 'base');
  let cleaned = false;
  const cleanup = () => {
    if (cleaned) return;
    cleaned = true;
    if (activeChild?.pid !== undefined)
      try {
        process.kill(-activeChild.pid, 'SIGTERM');
      } catch {
        // already ended
      }
    try {
      execFileSync('git', ['worktree', 'remove', '--force', wt], { cwd: repo, stdio: 'ignore' });
    } catch {
      // not added yet, or already gone: prune below drops a stale entry
    }
    rmSync(tmp, { recursive: true, force: true });
    try {
      execFileSync('git', ['worktree', 'prune'], { cwd: repo, stdio: 'ignore' });
    } catch {
      // nothing to prune
    }
  };
  const onSignal = (sig: NodeJS.Signals) => {
    io.err(`--base: interrupted (${sig}); removed the worktree ${wt}`);
    cleanup();
    process.exit(sig === 'SIGINT' ? 130 : 143);
  };
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  try {
    io.log(`--base ${rev} = ${sha.slice(0, 12)}: worktree ${wt}`);
    await step('git', ['worktree', 'add', '--detach', wt, sha], repo, `git worktree add ${rev}`);
    const pnpm = pinnedPnpm(wt);
    io.log(`  installing (npx -y pnpm@${pnpm} install --frozen-lockfile --offline) …`);
    await step('npx', ['-y', `pnpm@${pnpm}`, 'install', '--frozen-lockfile', '--offline'], wt, 'offline install');
    io.log('  building (tsc -b) …');
    await step(process.execPath, [join(wt, 'node_modules/typescript/bin/tsc'), '-b'], wt, 'tsc -b of the base');

    const half = Math.max(1, Math.ceil(args.repeats / 2));
    const common = [
      ...(args.quick ? ['--quick'] : []),
      ...(args.sections.length > 0 ? ['--only', args.sections.join(',')] : []),
      '--repeats',
      String(half),
    ];
    const sides = { base: wt, current };
    const env = { ...process.env, IVSIM_BENCH_SCALE: String(args.scale) };
    const order = ['base', 'current', 'current', 'base'] as const;
    const reports: Record<'base' | 'current', BenchReport[]> = { base: [], current: [] };
    for (const [k, side] of order.entries()) {
      const file = join(tmp, `run-${k}-${side}.json`);
      io.log(`  [${k + 1}/${order.length}] ${side} (${side === 'base' ? sha.slice(0, 12) : current}) …`);
      const main = join(sides[side], 'packages/bench/dist/main.js');
      await step(process.execPath, [main, ...common, '--save', file], sides[side], `the ${side} run`, env);
      reports[side].push(parseReport(readFileSync(file, 'utf8'), `${side} run ${k + 1}`));
    }
    const base = poolReports(reports.base);
    const cur = poolReports(reports.current);
    if (args.save !== null) {
      writeFileSync(args.save, `${JSON.stringify(cur, null, 2)}\n`);
      io.log(`saved the current side (${Object.keys(cur.metrics).length} metrics) to ${args.save}`);
    }
    if (args.json) io.out(JSON.stringify({ base, current: cur }, null, 2));
    io.log(
      `\n== ${rev} (${sha.slice(0, 12)}) → this checkout: A B B A, ${2 * half} samples a side ` +
        `(threshold ${+(args.threshold * 100).toFixed(2)}%, one-sided Mann–Whitney at α = ${args.alpha}) ==`,
    );
    const cmp = compareReports(base, cur, args.threshold, args.alpha);
    io.log(formatCompare(cmp, fmtValue));
    return compareExitStatus(cmp);
  } finally {
    process.removeListener('SIGINT', onSignal);
    process.removeListener('SIGTERM', onSignal);
    cleanup();
  }
}
