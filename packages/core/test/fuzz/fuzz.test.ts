// The scenario fuzz suite, in-process (DESIGN §14): mutations of every built-in (mutate.ts) through the same path
// a file takes (strict UTF-8 decode → YAML/JSON parse → schema). Never a crash (anything but a ScenarioError), a
// hang (a case slower than CASE_MS), an empty message or an empty line in it, or the acceptance of a case that must be
// rejected; an accepted scenario re-validates to itself and has a finite estimate. CI runs a few hundred cases
// with a fixed seed; `pnpm soak:fuzz` runs ≥ 10^4 with a fresh seed (IVSIM_FUZZ_CASES / IVSIM_FUZZ_SEED; the seed
// is printed, so a failure reproduces).

import { describe, expect, it } from 'vitest';
import { estimateRun } from '../../src/scenario/estimate.ts';
import { parseScenarioBytes, ScenarioError, validateScenario } from '../../src/scenario/load.ts';
import { fuzzCase } from './mutate.ts';

const CASES = Number(process.env.IVSIM_FUZZ_CASES ?? 300);
const SEED = Number(process.env.IVSIM_FUZZ_SEED ?? (process.env.IVSIM_FUZZ_CASES ? Date.now() % 2 ** 31 : 20_261_201));
/** Slower than this is a hang (the slowest legitimate case, a multi-MB YAML file, takes a few seconds). */
const CASE_MS = 15_000;

describe('scenario fuzz (in-process validator)', () => {
  it(`${CASES} mutated scenarios: no crash, no hang, one-line rejections, nothing nonsensical accepted (seed ${SEED})`, () => {
    console.log(`fuzz: seed ${SEED}, ${CASES} cases (IVSIM_FUZZ_SEED=${SEED} IVSIM_FUZZ_CASES=${CASES} to reproduce)`);
    const counts = { cases: 0, rejected: 0, accepted: 0, crashes: 0, hangs: 0, badMessages: 0, silentAccepts: 0 };
    const failures: string[] = [];
    for (let i = 0; i < CASES; i++) {
      const c = fuzzCase(SEED, i);
      counts.cases++;
      const t0 = performance.now();
      let outcome: 'accepted' | 'rejected' | 'crash' = 'crash';
      let detail = '';
      try {
        const s = parseScenarioBytes(c.bytes, 'fuzz.yaml'); // what loadScenarioFile does after reading
        outcome = 'accepted';
        expect(validateScenario(s)).toEqual(s);
        const est = estimateRun(s, s.schemes.length + 1);
        if (!Number.isFinite(est.events) || !Number.isFinite(est.bytesPerEngine))
          throw new Error('non-finite estimate');
      } catch (e) {
        if (outcome === 'accepted') {
          outcome = 'crash';
          detail = `accepted, then: ${(e as Error).message}`;
        } else if (e instanceof ScenarioError) {
          outcome = 'rejected';
          const msg = e.message;
          // One issue per line: no empty line, no stack frame.
          if (msg.split('\n').some((l) => l.trim() === '') || /\bat .*:\d+:\d+/.test(msg)) {
            counts.badMessages++;
            failures.push(`${c.what.join(' / ')}: bad message ${JSON.stringify(msg.slice(0, 300))}`);
          }
        } else detail = `${(e as Error)?.name}: ${(e as Error)?.message}`.slice(0, 300);
      }
      const ms = performance.now() - t0;
      if (ms > CASE_MS) {
        counts.hangs++;
        failures.push(`${c.what.join(' / ')}: took ${Math.round(ms)} ms`);
      }
      if (outcome === 'crash') {
        counts.crashes++;
        failures.push(`${c.what.join(' / ')}: crash: ${detail}`);
      } else if (outcome === 'accepted') {
        counts.accepted++;
        if (c.mustReject) {
          counts.silentAccepts++;
          failures.push(`${c.what.join(' / ')}: accepted, but must be rejected`);
        }
      } else counts.rejected++;
    }
    console.log(`fuzz: ${JSON.stringify(counts)}`);
    expect(failures.slice(0, 20)).toEqual([]);
    expect(counts.rejected).toBeGreaterThan(CASES / 2);
  });
});
