// Runs test code in a real worker thread against the COMPILED data-plane module (packages/core/dist/mem), because
// workers cannot load .ts on Node 20 (TOOLCHAIN §2). Build first: `npx tsc -b packages/core`.

import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import { withSyncCompiledThreads } from '../../src/mem/worker-isolates.ts';

export const MEM_DIST_URL = new URL('../../dist/mem/index.js', import.meta.url).href;

/**
 * Starts a worker whose `body` is the inside of `async (mem, wd) => { … }`: `mem` is the compiled mem barrel and
 * `wd` the workerData. The promise resolves with the body's return value and rejects if it throws, the worker
 * errors, or it exits without answering.
 */
export function runInWorker<T>(
  body: string,
  workerData: Record<string, unknown>,
): { done: Promise<T>; worker: Worker } {
  if (!existsSync(fileURLToPath(MEM_DIST_URL))) {
    throw new Error(`${MEM_DIST_URL} is missing: run \`npx tsc -b packages/core\` before the worker tests`);
  }
  const code = `
    const { workerData, parentPort } = require('node:worker_threads');
    import(workerData.__mem)
      .then((mem) => (async (mem, wd) => { ${body} })(mem, workerData))
      .then((value) => parentPort.postMessage({ value }));`;
  const worker = withSyncCompiledThreads(
    () => new Worker(code, { eval: true, workerData: { ...workerData, __mem: MEM_DIST_URL } }),
    (w) => [w],
  );
  const done = new Promise<T>((resolve, reject) => {
    let answered = false;
    worker.once('message', (m: { value: T }) => {
      answered = true;
      resolve(m.value);
    });
    worker.once('error', reject);
    worker.once('exit', (code) => {
      if (!answered) reject(new Error(`worker exited with code ${code} without a result`));
    });
  });
  return { done, worker };
}
