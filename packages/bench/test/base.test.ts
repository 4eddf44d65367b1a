// `--base REV`: a temporary worktree of REV, installed offline and built, measured A B B A against this checkout,
// and removed afterwards — on success, on bad input and on SIGINT. Runs in a temporary clone of this repository
// (never adding worktrees to the real one), with IVSIM_BENCH_SCALE shrinking the runs. Needs dist/ (global setup).

import { execFileSync, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseBenchArgs } from '../src/args.ts';
import { runAgainstBase } from '../src/base.ts';
import { BenchInputError } from '../src/compare.ts';

const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
const MAIN = join(ROOT, 'packages/bench/dist/main.js');
const tmp = mkdtempSync(join(tmpdir(), 'ivsim-base-test-'));
const clone = join(tmp, 'clone');

const worktrees = () =>
  execFileSync('git', ['worktree', 'list', '--porcelain'], { cwd: clone, encoding: 'utf8' })
    .split('\n')
    .filter((l) => l.startsWith('worktree '));
const baseDirs = () => readdirSync(tmpdir()).filter((f) => f.startsWith('ivsim-bench-base-'));

// --shared: the clone borrows this repository's objects (read-only) instead of copying them.
beforeAll(() => {
  execFileSync('git', ['clone', '--quiet', '--shared', ROOT, clone]);
}, 60_000);
afterAll(() => rmSync(tmp, { recursive: true, force: true }), 60_000);

describe('--base', () => {
  it('an unknown revision is one line, exit 2, and nothing is created', () => {
    const before = baseDirs();
    const r = spawnSyncText(process.execPath, [MAIN, '--base', 'no-such-rev-1234', '--only', 'micro'], ROOT);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/^error: --base: unknown revision "no-such-rev-1234" \(not a commit in .*\)\n$/);
    expect(baseDirs()).toEqual(before);
  });

  it('rejects a revision that looks like an option', async () => {
    const args = parseBenchArgs(['--base=--help'], {});
    await expect(runAgainstBase(args, quietIo(), { repoDir: clone, currentRoot: ROOT })).rejects.toThrow(
      BenchInputError,
    );
  });

  it('HEAD against this checkout: builds, runs A B B A, compares, passes, removes the worktree', async () => {
    const before = baseDirs();
    const args = parseBenchArgs(['--base', 'HEAD', '--only', 'micro', '--repeats', '2'], {
      IVSIM_BENCH_SCALE: '0.02',
    });
    const io = quietIo();
    const code = await runAgainstBase(args, io, { repoDir: clone, currentRoot: ROOT });
    const text = io.lines.join('\n');
    expect(text).toMatch(/^--base HEAD = [0-9a-f]{12}: worktree /m);
    expect(text.match(/^ {2}\[\d\/4\] (base|current) /gm)?.map((l) => l.trim().split(' ')[1])).toEqual([
      'base',
      'current',
      'current',
      'base',
    ]);
    expect(text).toMatch(/^micro\.rng\.nextU32\s+.*\s2\/2\s/m); // two runs a side, one sample each
    expect(text).toMatch(/no regression worse than 10%/);
    expect(code).toBe(0);
    expect(worktrees()).toHaveLength(1);
    expect(baseDirs()).toEqual(before);
  }, 600_000);

  it('SIGINT during the install stops the step, removes the worktree and exits 130', async () => {
    const script = join(tmp, 'interrupt.mjs');
    writeFileSync(
      script,
      [
        `import { parseBenchArgs } from ${JSON.stringify(pathToFileURL(join(ROOT, 'packages/bench/dist/args.js')).href)};`,
        `import { runAgainstBase } from ${JSON.stringify(pathToFileURL(join(ROOT, 'packages/bench/dist/base.js')).href)};`,
        `const args = parseBenchArgs(['--base', 'HEAD', '--only', 'micro'], {});`,
        'const io = { log: (s) => console.log(s), out: (s) => console.log(s), err: (s) => console.error(s) };',
        `process.exitCode = await runAgainstBase(args, io, { repoDir: ${JSON.stringify(clone)}, currentRoot: ${JSON.stringify(ROOT)} });`,
      ].join('\n'),
    );
    const child = spawn(process.execPath, [script], { cwd: tmp, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stderr.on('data', (b) => {
      err += b;
    });
    const worktreeDir = await new Promise<string>((resolve) => {
      child.stdout.on('data', (b) => {
        out += b;
        if (out.includes('installing')) resolve(/worktree (\S+)/.exec(out)?.[1] ?? '');
      });
    });
    expect(existsSync(worktreeDir)).toBe(true);
    child.kill('SIGINT');
    const code = await new Promise<number | null>((resolve) => child.on('close', (c) => resolve(c)));
    expect(code).toBe(130);
    expect(err).toMatch(/--base: interrupted \(SIGINT\); removed the worktree/);
    expect(existsSync(worktreeDir)).toBe(false);
    expect(worktrees()).toHaveLength(1);
  }, 120_000);
});

function quietIo() {
  const lines: string[] = [];
  return {
    lines,
    log: (s: string) => lines.push(s),
    out: (s: string) => lines.push(s),
    err: (s: string) => lines.push(s),
  };
}

function spawnSyncText(cmd: string, argv: string[], cwd: string) {
  try {
    const stdout = execFileSync(cmd, argv, { cwd, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
    return { code: 0, stdout, stderr: '' };
  } catch (e) {
    const x = e as { status: number; stdout: string; stderr: string };
    return { code: x.status, stdout: x.stdout, stderr: x.stderr };
  }
}
