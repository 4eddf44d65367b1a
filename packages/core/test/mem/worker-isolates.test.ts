// Worker isolates started through withSyncCompiledThreads have no concurrent recompilation (the Node 20 teardown
// race, mem/worker-isolates.ts); the starting thread keeps its own, and the flag comes back once the threads are up.
// V8's own --trace-opt line for each optimisation says which mode it ran in, so a child node prints them.

import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import { describe, expect, it } from 'vitest';
import { syncCompileHolds, withSyncCompiledThreads } from '../../src/mem/worker-isolates.ts';

const DIST = new URL('../../dist/mem/worker-isolates.js', import.meta.url).href;

// Each hot function is named after where it runs; the parent waits for one worker before starting the next.
const SCRIPT = `
import { Worker } from 'node:worker_threads';
import { withSyncCompiledThreads } from ${JSON.stringify(DIST)};
const hot = (name) => \`function \${name}(x){let s=0;for(let i=0;i<x;i++)s+=i*i%7;return s}
  let t=0; for(let k=0;k<3000;k++) t+=\${name}(1000); if (t < 0) console.log(t);\`;
const done = (w) => new Promise((r) => w.once('exit', r));
await done(withSyncCompiledThreads(() => new Worker(hot('inHeldWorker'), { eval: true }), (w) => [w]));
await done(new Worker(hot('inLaterWorker'), { eval: true }));
eval(hot('inParent'));
`;

/** The concurrency mode of each named function's first TurboFan compilation. */
function modes(extraNodeArgs: string[]): Record<string, string> {
  const out = execFileSync(process.execPath, [...extraNodeArgs, '--trace-opt', '--input-type=module', '-e', SCRIPT], {
    encoding: 'utf8',
  });
  const found: Record<string, string> = {};
  for (const m of out.matchAll(/compiling method .*<JSFunction (in\w+) .*mode: ConcurrencyMode::k(\w+)/g)) {
    found[m[1]] ??= m[2];
  }
  return found;
}

describe('withSyncCompiledThreads', () => {
  it('a held worker optimises synchronously; the parent and a worker started after it stay concurrent', () => {
    expect(fileURLToPath(DIST)).toMatch(/worker-isolates\.js$/);
    expect(modes([])).toEqual({ inHeldWorker: 'Synchronous', inLaterWorker: 'Concurrent', inParent: 'Concurrent' });
  });

  it('leaves a flag given on the command line alone', () => {
    expect(modes(['--concurrent-recompilation'])).toEqual({
      inHeldWorker: 'Concurrent',
      inLaterWorker: 'Concurrent',
      inParent: 'Concurrent',
    });
    expect(modes(['--no-concurrent-recompilation'])).toEqual({
      inHeldWorker: 'Synchronous',
      inLaterWorker: 'Synchronous',
      inParent: 'Synchronous',
    });
  });

  it('releases the hold once every thread is online, and when one fails', async () => {
    const ws = withSyncCompiledThreads(
      () => [new Worker('1', { eval: true }), new Worker('1', { eval: true })],
      (made) => made,
    );
    expect(syncCompileHolds()).toBe(1);
    await Promise.all(ws.map((w) => new Promise((r) => w.once('exit', r))));
    expect(syncCompileHolds()).toBe(0);
    const dead = withSyncCompiledThreads(
      () => new Worker('throw new Error("boom")', { eval: true }),
      (w) => [w],
    );
    dead.on('error', () => {});
    await new Promise((r) => dead.once('exit', r));
    expect(syncCompileHolds()).toBe(0);
  });

  it('releases the hold when starting the threads throws', () => {
    expect(() =>
      withSyncCompiledThreads(
        () => {
          throw new Error('cannot start');
        },
        () => [],
      ),
    ).toThrow('cannot start');
    expect(syncCompileHolds()).toBe(0);
  });
});
