// Every command in the `sh` blocks of docs/bench.md, run as written, in document order, in the fast form
// (IVSIM_BENCH_SCALE=0.01, IVSIM_BENCH_REPEATS=2), checked for exit status and output shape. Lines with `--base`
// add a git worktree and are covered in a temporary clone by base.test.ts. Needs dist/ (the global setup builds it).
//
// `pnpm <script> ARGS` runs what pnpm would run: the script of the root package.json with ARGS appended, `--`
// included (pnpm 10 forwards it), minus the leading `tsc -b &&` (already done by the global setup). The commands run
// in a scratch folder that links the repository's packages, scripts, examples and node_modules, so the files they
// write (base.json, now.json, profiles/) land there, not in the repository.

import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';

const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
const scripts = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')).scripts as Record<string, string>;

/** The command lines of the `sh` code blocks, comments stripped. */
export function shCommands(markdown: string): string[] {
  const out: string[] = [];
  for (const m of markdown.matchAll(/^```sh\n([\s\S]*?)^```$/gm))
    for (const raw of m[1].split('\n')) {
      const line = raw.replace(/\s+#.*$/, '').trim();
      if (line !== '' && !line.startsWith('#')) out.push(line);
    }
  return out;
}

const commands = shCommands(readFileSync(join(ROOT, 'docs/bench.md'), 'utf8'));
const runnable = commands.filter((c) => !c.includes('--base'));

const work = mkdtempSync(join(tmpdir(), 'ivsim-bench-docs-'));
for (const d of [
  'packages',
  'scripts',
  'examples',
  'node_modules',
  'package.json',
  'tsconfig.json',
  'tsconfig.base.json',
])
  symlinkSync(join(ROOT, d), join(work, d));
afterAll(() => rmSync(work, { recursive: true, force: true }));

/** What `pnpm …` runs, as a shell command line (the redirection of the docs line kept). */
function asRun(line: string): string {
  const m = /^pnpm (\w+)(.*)$/.exec(line);
  if (!m) return line;
  const script = scripts[m[1]];
  if (!script) throw new Error(`docs/bench.md: \`pnpm ${m[1]}\` is not a script of package.json`);
  return `${script.replace(/^tsc -b && /, '')}${m[2]}`;
}

describe('docs/bench.md commands', () => {
  it('the docs list the commands this test expects to run', () => {
    expect(scripts.bench).toBe('tsc -b && node packages/bench/dist/main.js');
    expect(runnable.length).toBeGreaterThanOrEqual(10);
    expect(commands.filter((c) => c.includes('--base')).length).toBeGreaterThanOrEqual(1);
    for (const c of commands) expect(c).toMatch(/^pnpm (bench|ivsim bench)\b/);
  });

  it.each(runnable.map((c, i) => [i + 1, c]))(
    '%i: %s',
    (_i, line) => {
      const cmd = asRun(line as string);
      const r = spawnSync('sh', ['-c', cmd], {
        cwd: work,
        encoding: 'utf8',
        env: { ...process.env, IVSIM_BENCH_SCALE: '0.01', IVSIM_BENCH_REPEATS: '2', IVSIM_DEBUG: '' },
        timeout: 600_000,
      });
      const all = `${r.stdout}\n${r.stderr}`;
      if (r.status !== 0) throw new Error(`exit ${r.status} from \`${cmd}\`:\n${all.slice(-2000)}`);
      expect(all).not.toMatch(/^error:/m);
      const json = /--json\b/.test(line as string);
      // the readable report: on stdout, or on stderr when --json owns stdout (here redirected to a file)
      const report = json ? r.stderr : r.stdout;
      const profileOnly = /--profile \S+\.yaml/.test(line as string);
      expect(report).toMatch(
        /^ivsim \d+\.\d+\.\d+ bench \((quick|full), IVSIM_BENCH_SCALE 0\.01; \d+ samples per metric\)/,
      );
      const only =
        /--only (\S+)/.exec(line as string)?.[1].split(',') ??
        (profileOnly ? [] : ['micro', 'ring', 'scenario', 'rss']);
      for (const s of ['micro', 'ring', 'scenario', 'rss'])
        expect(report.includes(`\n== ${s}:`), `section ${s}`).toBe(only.includes(s));
      if (/--save (\S+)/.test(line as string)) {
        const f = join(work, /--save (\S+)/.exec(line as string)?.[1] as string);
        expect(JSON.parse(readFileSync(f, 'utf8')).schema).toBe('ivsim-bench/2');
      }
      if (/--compare/.test(line as string)) {
        expect(report).toMatch(/^metric\s+baseline \(median\)\s+current \(median\)\s+ratio\s+n\s+p\s+status$/m);
        expect(report).toMatch(/^(no regression|\d+ regression\(s\)) worse than \d+%/m);
      }
      if (json) {
        const f = join(work, />\s*(\S+)/.exec(line as string)?.[1] as string);
        const j = JSON.parse(readFileSync(f, 'utf8'));
        expect(j.schema).toBe('ivsim-bench/2');
        expect(Object.values(j.metrics as Record<string, { samples: number[] }>)[0].samples.length).toBe(2);
      }
      if (/--profile/.test(line as string)) {
        expect(report).toMatch(/^self ms\s+self %\s+function \(source-mapped to \.ts\)$/m);
        expect(report).toMatch(/ packages\/core\/src\/[\w/-]+\.ts:\d+$/m);
        const dir = join(work, /--profile-dir (\S+)/.exec(line as string)?.[1] ?? '.');
        expect(existsSync(dir) && readdirSync(dir).some((f) => f.endsWith('.cpuprofile'))).toBe(true);
      }
    },
    600_000,
  );
});
