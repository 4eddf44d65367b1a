// The scenario fuzz suite through the real `ivsim` process (DESIGN §14): a sample of the in-process cases
// (core/test/fuzz/mutate.ts) written to files and given to `ivsim validate`, and the accepted ones to a short
// `ivsim run`, each with a timeout. Never a crash (exit other than 0/1/2, or a signal), a hang (the timeout), a
// stack trace, a rejection that is not all `error:` lines (one per issue) with exit 2, or acceptance of a case that
// must be rejected.
// CI: a couple of dozen cases, fixed seed; `pnpm soak:fuzz`: IVSIM_FUZZ_CLI_CASES (seed printed).

import { spawn } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { fuzzCase } from '../../core/test/fuzz/mutate.ts';

const CLI = new URL('../dist/main.js', import.meta.url).pathname;
const CASES = Number(process.env.IVSIM_FUZZ_CLI_CASES ?? 24);
const SEED = Number(
  process.env.IVSIM_FUZZ_SEED ?? (process.env.IVSIM_FUZZ_CLI_CASES ? Date.now() % 2 ** 31 : 20_261_202),
);
const TIMEOUT_MS = 20_000;
const dir = mkdtempSync(join(tmpdir(), 'ivsim-fuzz-cli-'));

interface Outcome {
  status: number | null;
  signal: string | null;
  stderr: string;
  timedOut: boolean;
}

function ivsim(args: string[]): Promise<Outcome> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [CLI, ...args], { stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      child.kill('SIGKILL');
    }, TIMEOUT_MS);
    child.stderr.on('data', (d: Buffer) => {
      stderr += d.toString();
    });
    child.on('exit', (status, signal) => {
      clearTimeout(timer);
      resolve({ status, signal, stderr, timedOut });
    });
  });
}

describe('scenario fuzz (through the CLI)', () => {
  it(`${CASES} mutated scenario files: validate, then run the accepted ones (seed ${SEED})`, {
    timeout: 60_000 + CASES * 20_000,
  }, async () => {
    console.log(
      `fuzz-cli: seed ${SEED}, ${CASES} cases (IVSIM_FUZZ_SEED=${SEED} IVSIM_FUZZ_CLI_CASES=${CASES} to reproduce)`,
    );
    const counts = {
      cases: 0,
      rejectedExit2: 0,
      accepted: 0,
      runs: 0,
      runExit: {} as Record<string, number>,
      crashes: 0,
      hangs: 0,
    };
    const failures: string[] = [];
    const check = (what: string, o: Outcome, allowed: number[]) => {
      if (o.timedOut) {
        counts.hangs++;
        failures.push(`${what}: no answer within ${TIMEOUT_MS} ms`);
      } else if (o.signal || !allowed.includes(o.status as number)) {
        counts.crashes++;
        failures.push(`${what}: exit ${o.status} signal ${o.signal}: ${o.stderr.slice(0, 300)}`);
      } else if (o.status !== 0) {
        const lines = o.stderr
          .trim()
          .split('\n')
          .filter((l) => !l.startsWith('progress:'));
        // One error line per issue (a file with several problems lists them all).
        if (lines.length === 0 || lines.some((l) => !l.startsWith('error: ')) || /\bat .*\.js:\d+/.test(o.stderr))
          failures.push(`${what}: not error lines: ${JSON.stringify(o.stderr.slice(0, 300))}`);
      }
    };
    // Two at a time (the machine has 2 cores).
    const work = Array.from({ length: CASES }, (_, i) => i);
    const worker = async () => {
      for (let i = work.shift(); i !== undefined; i = work.shift()) {
        const c = fuzzCase(SEED, i);
        const what = c.what.join(' / ');
        const f = join(dir, `case-${i}.yaml`);
        writeFileSync(f, c.bytes);
        counts.cases++;
        const v = await ivsim(['validate', f]);
        check(`${what}: validate`, v, [0, 2]);
        if (v.status === 2) counts.rejectedExit2++;
        if (v.status !== 0) continue;
        counts.accepted++;
        if (c.mustReject) failures.push(`${what}: accepted, but must be rejected`);
        const r = await ivsim(['run', f, '--duration', '200us', '--shards', '2', '--no-progress']);
        counts.runs++;
        counts.runExit[String(r.status)] = (counts.runExit[String(r.status)] ?? 0) + 1;
        check(`${what}: run`, r, [0, 1, 2]);
      }
    };
    await Promise.all([worker(), worker()]);
    console.log(`fuzz-cli: ${JSON.stringify(counts)}`);
    expect(failures.slice(0, 20)).toEqual([]);
  });
});
