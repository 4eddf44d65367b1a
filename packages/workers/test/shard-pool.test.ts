// RunOptions.pool (DESIGN §10): threads kept between runs give the same results as fresh ones, runs on one pool take
// turns, a failed or cancelled run leaves the pool usable, close() ends the threads, and an unclosed pool does not
// keep the process alive.

import { execFileSync } from 'node:child_process';
import { BUILTIN_SCENARIOS, type Results, ScenarioError, simulate } from '@ivsim/core';
import { describe, expect, it } from 'vitest';
import { ParallelRun, RunCancelled, ShardFailure } from '../dist/runner.js';
import { poolThreadIds, ShardPool } from '../dist/shard-pool.js';

const strip = (r: Results) => JSON.stringify({ ...r, engine: undefined });
const short = (name: string, duration: string) => ({ ...structuredClone(BUILTIN_SCENARIOS[name]), duration });

describe('ShardPool', () => {
  it('keeps its threads between runs, and the results equal simulate() run after run', async () => {
    const pool = new ShardPool(2);
    try {
      const s = short('x86-compare', '5ms');
      const ref = strip(simulate(s));
      const first = await new ParallelRun(s, { pool }).run();
      const ids = poolThreadIds(pool);
      expect(ids).toHaveLength(2);
      expect(first.engine.shards).toBe(2);
      expect(strip(first)).toBe(ref);
      const other = short('arm-compare', '3ms');
      expect(strip(await new ParallelRun(other, { pool }).run())).toBe(strip(simulate(other)));
      expect(strip(await new ParallelRun(s, { pool }).run())).toBe(ref);
      expect(poolThreadIds(pool)).toEqual(ids); // the same two threads all along
    } finally {
      await pool.close();
    }
    expect(poolThreadIds(pool)).toEqual([]);
    await expect(new ParallelRun(short('x86-small', '1ms'), { pool }).run()).rejects.toThrow(/ShardPool is closed/);
  });

  it('runs started together on one pool take turns and both finish, identical to simulate()', async () => {
    const pool = new ShardPool(2);
    try {
      const a = short('x86-small', '5ms');
      const b = { ...short('x86-small', '5ms'), engine: { partition: 'spread' as const } };
      const [ra, rb] = await Promise.all([new ParallelRun(a, { pool }).run(), new ParallelRun(b, { pool }).run()]);
      expect(strip(ra)).toBe(strip(simulate(a)));
      expect(strip(rb)).toBe(strip(simulate(b)));
    } finally {
      await pool.close();
    }
  });

  it('a failed and a cancelled run leave the pool usable for the next run', async () => {
    const pool = new ShardPool(2);
    try {
      const failing = new ParallelRun(BUILTIN_SCENARIOS['x86-compare'], { pool, fault: { shard: 1, atNs: 2e6 } });
      await expect(failing.run()).rejects.toBeInstanceOf(ShardFailure);
      expect(failing.liveThreads()).toBe(0); // the run lets go of the pool's threads
      const cancelled = new ParallelRun(BUILTIN_SCENARIOS['x86-compare'], { pool });
      const p = cancelled.run();
      await new Promise((r) => setTimeout(r, 300));
      cancelled.cancel();
      await expect(p).rejects.toBeInstanceOf(RunCancelled);
      const s = short('x86-small', '3ms');
      expect(strip(await new ParallelRun(s, { pool }).run())).toBe(strip(simulate(s)));
    } finally {
      await pool.close();
    }
  });

  it('refuses more shards than threads, and a thread count outside 1..256, naming the field', () => {
    const pool = new ShardPool(1);
    expect(() => new ParallelRun(BUILTIN_SCENARIOS['x86-small'], { pool, shards: 2 })).toThrow(
      /^shards: 2 shards need more threads than the pool has \(1\)$/,
    );
    expect(new ParallelRun(BUILTIN_SCENARIOS['x86-small'], { pool }).shards).toBe(1); // default: the pool's
    for (const bad of [0, 1.5, 257, Number.NaN]) expect(() => new ShardPool(bad)).toThrow(ScenarioError);
    // What a pool becomes when sent to another thread (structured clone): a plain object, refused in one line.
    const copy = structuredClone(pool) as unknown as ShardPool;
    expect(() => new ParallelRun(BUILTIN_SCENARIOS['x86-small'], { pool: copy })).toThrow(
      /^pool: not a ShardPool made on this thread \(a pool cannot be sent to another thread\)$/,
    );
    void pool.close();
  });

  it('an unclosed pool does not keep the process alive', () => {
    const dist = (f: string) => JSON.stringify(new URL(f, import.meta.url).href);
    const code = `
      import { BUILTIN_SCENARIOS } from ${dist('../../core/dist/index.js')};
      import { ParallelRun, ShardPool } from ${dist('../dist/index.js')};
      const pool = new ShardPool(2);
      const r = await new ParallelRun({ ...BUILTIN_SCENARIOS['x86-small'], duration: '1ms' }, { pool }).run();
      console.log('done', r.engine.shards);`;
    const t0 = performance.now();
    const out = execFileSync(process.execPath, ['--input-type=module', '-e', code], {
      encoding: 'utf8',
      timeout: 60_000,
    });
    expect(out.trim()).toBe('done 2');
    expect(performance.now() - t0).toBeLessThan(60_000);
  });
});
