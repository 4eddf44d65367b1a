// Shard threads kept from one parallel run to the next (RunOptions.pool). A run on a fresh pool starts its threads,
// loads the shard code in each and compiles the engine again in each isolate — 0.3–0.8 s per run on this project's
// machine (DESIGN §10, §19.6), which dominates short runs and sweeps of many. A ShardPool keeps the threads and
// their compiled code between runs; the caller decides how long by calling close().
//
// Runs on one pool take turns: a run's shards must all be running at once (they meet at a barrier), so two runs
// sharing threads could each hold some and wait for the rest forever.

import { ScenarioError } from '@ivsim/core';
import { withSyncCompiledThreads } from '@ivsim/core/internal';
import { Piscina } from 'piscina';

const workerFile = new URL('./shard-task.js', import.meta.url).href;

/** Most threads a pool may have (the CLI's --shards limit). */
export const MAX_POOL_THREADS = 256;

/** What the runner needs of a pool, kept off its public face (module-private). */
interface PoolState {
  piscina: Piscina | null;
  closed: boolean;
  /** Resolves when the run holding the pool lets go of it. */
  turn: Promise<void>;
}

const STATE = new WeakMap<ShardPool, PoolState>();

/**
 * Worker threads for parallel runs, kept between runs: `new ShardPool(2)`, pass it as `RunOptions.pool` to any number
 * of runs (one at a time; a run started while another holds the pool waits for it), then `close()`. A run on it uses at
 * most `threads` shards. A run that fails or is cancelled may have to end its threads; the next run starts new ones.
 *
 * @throws {@link ScenarioError} when `threads` is not an integer 1..256.
 */
export class ShardPool {
  /** Threads of the pool: the most shards a run on it may use. */
  readonly threads: number;

  constructor(threads: number) {
    if (!Number.isInteger(threads) || threads < 1 || threads > MAX_POOL_THREADS)
      throw new ScenarioError(`pool: threads must be an integer 1..${MAX_POOL_THREADS}, got ${threads}`);
    this.threads = threads;
    STATE.set(this, { piscina: null, closed: false, turn: Promise.resolve() });
  }

  /** Ends the threads once no run holds the pool; runs started later throw. Safe to call twice. */
  async close(): Promise<void> {
    const st = STATE.get(this) as PoolState;
    st.closed = true;
    await st.turn;
    const p = st.piscina;
    st.piscina = null;
    if (p) await p.destroy();
  }
}

/**
 * Throws unless `pool` is a ShardPool made on this thread: its threads belong to the thread that made it, and a copy
 * sent to another thread (a worker's message, the control thread's comlink call) is a plain object without them.
 */
export function checkPool(pool: unknown): asserts pool is ShardPool {
  if (!STATE.has(pool as ShardPool))
    throw new ScenarioError('pool: not a ShardPool made on this thread (a pool cannot be sent to another thread)');
}

/**
 * Waits for `pool` to be free, then holds it: resolves with its threads (started now if none are) and the function
 * that lets go. The runner's.
 *
 * @throws Error when the pool is closed.
 */
export async function holdPool(pool: ShardPool): Promise<{ piscina: Piscina; release: () => void }> {
  const st = STATE.get(pool) as PoolState;
  const prev = st.turn;
  let release: () => void = () => {};
  st.turn = new Promise<void>((r) => (release = r));
  await prev;
  if (st.closed) {
    release();
    throw new Error('ShardPool is closed');
  }
  st.piscina ??= startThreads(pool.threads);
  return { piscina: st.piscina, release };
}

/** Ends `piscina`'s threads (a run had to stop shards that would not return); the pool's next run starts new ones. */
export async function discardThreads(pool: ShardPool, piscina: Piscina): Promise<void> {
  const st = STATE.get(pool) as PoolState;
  if (st.piscina === piscina) st.piscina = null;
  await piscina.destroy();
}

/**
 * `n` shard threads: one task at a time each, never idle-timed out (the runner or the pool's owner ends them). Their
 * isolates optimise on their own thread: a Node 20 teardown race otherwise aborts the process (core
 * mem/worker-isolates.ts).
 */
export function startThreads(n: number): Piscina {
  return withSyncCompiledThreads(
    () =>
      new Piscina({
        filename: workerFile,
        minThreads: n,
        maxThreads: n,
        idleTimeout: Number.POSITIVE_INFINITY,
        concurrentTasksPerWorker: 1,
        // Shard loops are synchronous; between tasks the workers have nothing async to keep alive.
        atomics: 'disabled',
      }),
    (p) => p.threads,
  );
}

/** The pool's thread ids now (empty when none are running): for tests. */
export function poolThreadIds(pool: ShardPool): number[] {
  return (STATE.get(pool) as PoolState).piscina?.threads.map((w) => w.threadId) ?? [];
}
