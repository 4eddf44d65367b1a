// Issue #10 "Nothing lost, nothing hangs", parallel-runner side (DESIGN §14): reproductions that hung, differed
// between shard counts or bypassed the schema through the runner.

import { BUILTIN_SCENARIOS, simulate } from '@ivsim/core';
import { describe, expect, it } from 'vitest';
import { livenessBound } from '../../core/test/liveness.ts';
import { ParallelRun, RunCancelled, runParallel } from '../dist/runner.js';

// biome-ignore lint/suspicious/noExplicitAny: tests build scenario variants
type Loose = any;
const small = (): Loose => structuredClone(BUILTIN_SCENARIOS['x86-small']);

/** Resolves with the outcome, or with 'timeout' after `ms` (a hang fails the test instead of stalling it). */
function within<T>(p: Promise<T>, ms: number): Promise<T | Error | 'timeout'> {
  return Promise.race([
    p.catch((e: unknown) => e as Error),
    new Promise<'timeout'>((r) => setTimeout(() => r('timeout'), ms).unref()),
  ]);
}

describe('failure model: parallel runner', () => {
  it('a host.schedSlice rounding to 0 cycles with 2 shards is refused, never hangs', async () => {
    const s = { ...small(), host: { pcpus: 2, schedSlice: 0.1 }, vms: [{ name: 'vm', vcpus: 4 }] };
    s.devices = [];
    const r = await within(
      (async () => {
        const run = new ParallelRun(s, { shards: 2 });
        try {
          return await run.run();
        } finally {
          run.cancel();
        }
      })(),
      15_000,
    );
    expect(r).toBeInstanceOf(Error);
    expect((r as Error).message).toMatch(/scenario\.host\.schedSlice: /);
  });

  it('cancel() settles within 1 s even while a shard is inside one long chunk', async () => {
    // One arrival per cycle on 16 queues: a 2^21-cycle chunk is ~30M events, seconds of work between two polls of
    // the abort flag; the stop deadline destroys the pool instead.
    const s = {
      ...small(),
      duration: '1s',
      host: { pcpus: 2 },
      vms: [
        { name: 'a', vcpus: 1, pin: [0] },
        { name: 'b', vcpus: 1, pin: [1] },
      ],
      devices: ['a', 'b'].map((vm) => ({
        name: 'nic',
        vm,
        queues: [0, 0, 0, 0, 0, 0, 0, 0],
        vector: 0x41,
        arrival: { process: 'periodic', rate: 1e12 },
      })),
    };
    const run = new ParallelRun(s, { shards: 2, schemes: ['x86-vmx'] });
    const p = run.run();
    await new Promise((r) => setTimeout(r, 700));
    const t0 = performance.now();
    run.cancel();
    const r = await within(p, 10_000);
    const ms = performance.now() - t0;
    expect(r).toBeInstanceOf(RunCancelled);
    expect(ms).toBeLessThan(livenessBound(1000));
    expect(run.liveThreads()).toBe(0);
  });

  it.each([
    [{ ipiLatency: 150.25, exitRoundTrip: 1300.3 }],
    [{ msiDelivery: 500.7, hostIrqHandler: 1000.1 }],
    [{ injectEvent: 256.33, icrEmulation: 456.6, kickHandling: 300.2 }],
  ])('fractional cost overrides %j: 1 and 2 shards give byte-identical results', async (overrides) => {
    const s = { ...small(), costs: { preset: 'xeon-e5-kvm', overrides }, engine: { partition: 'spread' } };
    const a = simulate(s);
    const b = await runParallel(s, { shards: 2 });
    a.engine = b.engine = null as never;
    expect(JSON.stringify(b)).toBe(JSON.stringify(a));
  });

  it.each([
    [{ seed: 1e300 }, /^scenario\.seed: /],
    [{ seed: 2 ** 53 + 2 }, /^scenario\.seed: /],
    [{ durationNs: 0.1 }, /^scenario\.duration: .*less than one cycle/],
    [{ durationNs: 1e308 }, /^scenario\.duration: /],
  ])('RunOptions %j go through the schema', (opts, re) => {
    expect(() => new ParallelRun(small(), opts)).toThrow(re);
  });
});
