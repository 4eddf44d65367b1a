// A failing shard stops the run cleanly and fast; a cancelled run leaves no threads; the control plane works.

import { BUILTIN_SCENARIOS, type ScenarioInput } from '@ivsim/core';
import { describe, expect, it } from 'vitest';
import { livenessBound } from '../../core/test/liveness.ts';
import { connectControl } from '../dist/control.js';
import { ParallelRun, RunCancelled, ShardFailure } from '../dist/runner.js';

const spread = (name: string): ScenarioInput => ({
  ...structuredClone(BUILTIN_SCENARIOS[name]),
  engine: { partition: 'spread' },
});

describe('shard failures and cancellation', () => {
  it.each([
    ['synchronized windows', spread('x86-small')],
    ['independent shards', BUILTIN_SCENARIOS['x86-compare']],
  ])('an exception in one shard fails the whole run with its message (%s)', async (_label, scenario) => {
    const run = new ParallelRun(scenario, { shards: 2, fault: { shard: 1, atNs: 2e6 } });
    const t0 = performance.now();
    const err = await run.run().then(
      () => null,
      (e: unknown) => e,
    );
    expect(performance.now() - t0).toBeLessThan(livenessBound(2000));
    expect(err).toBeInstanceOf(ShardFailure);
    expect((err as ShardFailure).shard).toBe(1);
    expect((err as Error).message).toMatch(/injected fault/);
    expect(run.liveThreads()).toBe(0);
  });

  it('cancel() stops every shard and destroys the pool', async () => {
    const run = new ParallelRun(BUILTIN_SCENARIOS['x86-compare'], { shards: 2 });
    const p = run.run();
    await new Promise((r) => setTimeout(r, 400));
    const t0 = performance.now();
    run.cancel();
    await expect(p).rejects.toBeInstanceOf(RunCancelled);
    expect(performance.now() - t0).toBeLessThan(livenessBound(2000));
    expect(run.liveThreads()).toBe(0);
  });

  it('more shards than cores still completes (spin-then-wait barrier)', async () => {
    const r = await new ParallelRun(spread('x86-small'), { shards: 4, schemes: ['x86-apicv-pi'] }).run();
    expect(r.schemes[0].conservation.ok).toBe(true);
  });
});

describe('control plane over comlink', () => {
  it('start, progress, snapshot and results through the control thread', async () => {
    const { api, close } = connectControl();
    try {
      const running = api.start(BUILTIN_SCENARIOS['x86-compare'], { shards: 2, schemes: ['x86-apicv-pi'] });
      let progress = null;
      let snap = null;
      // bare-metal runs first as the reference; wait until the posted-interrupt scheme is under way.
      for (let i = 0; i < 200 && (progress?.scheme !== 'x86-apicv-pi' || progress.raised === 0); i++) {
        await new Promise((r) => setTimeout(r, 50));
        progress = await api.progress();
        snap = await api.snapshot(0);
      }
      const r = await running;
      expect(progress?.shards).toBe(2);
      expect(progress?.raised).toBeGreaterThan(0);
      expect(snap?.vcpu).toBe(0);
      expect(snap?.pid.NV).toBeGreaterThan(0); // the PI descriptor of vCPU 0 lives in the shared arena
      expect(r.schemes.map((s) => s.scheme)).toEqual(['x86-apicv-pi']);
    } finally {
      await close();
    }
  });
});
