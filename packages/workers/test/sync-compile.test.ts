// Shard threads optimise on their own thread (core mem/worker-isolates.ts: a Node 20 teardown race aborts the
// process if a concurrent TurboFan job is in flight when a worker's isolate goes). V8's --trace-opt line for each
// optimisation names its mode; the event queue's siftDown runs only on shard threads in a parallel run, and the
// main thread's own optimisations stay concurrent. The run is 20 ms so that siftDown gets hot on both threads: at 3 ms
// one thread at times finished before V8 optimised it (1 of 6 runs; CI failed on it once), at 20 ms each run had 3.

import { execFileSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';

const url = (rel: string) => JSON.stringify(new URL(rel, import.meta.url).href);
const SCRIPT = `
import { BUILTIN_SCENARIOS } from ${url('../../core/dist/index.js')};
import { runParallel } from ${url('../dist/index.js')};
await runParallel(BUILTIN_SCENARIOS['x86-small'], { durationNs: 20_000_000, shards: 2 });
`;

describe('shard threads compile synchronously', () => {
  it('every optimisation of the shards’ siftDown is synchronous; the main thread keeps concurrent ones', () => {
    const out = execFileSync(process.execPath, ['--trace-opt', '--input-type=module', '-e', SCRIPT], {
      encoding: 'utf8',
    });
    const lines = [...out.matchAll(/compiling method .*<JSFunction (\S+) .*mode: ConcurrencyMode::k(\w+)/g)];
    const sift = lines.filter((m) => m[1] === 'siftDown').map((m) => m[2]);
    expect(sift.length).toBeGreaterThanOrEqual(2); // one per shard at least
    expect(new Set(sift)).toEqual(new Set(['Synchronous']));
    expect(lines.some((m) => m[2] === 'Concurrent')).toBe(true);
  });
});
