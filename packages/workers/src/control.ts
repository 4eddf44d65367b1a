// Control plane over comlink: start / progress / snapshot / cancel of a run hosted on a control thread.

import { Worker } from 'node:worker_threads';
import { withSyncCompiledThreads } from '@ivsim/core/internal';
import * as Comlink from 'comlink';
import type { ControlWorkerApi } from './control-worker.ts';
import { nodeEndpoint } from './node-endpoint.ts';

/** The control thread died (out of memory, a crash): its pending calls will never answer. */
export class ControlThreadFailure extends Error {
  override readonly name = 'ControlThreadFailure';
}

/** A control thread and the comlink proxy to it (connectControl). */
export interface ControlApi {
  /** start(scenario, opts) → results, progress(), snapshot(vcpu), cancel(): a ParallelRun on the control thread. */
  api: Comlink.Remote<ControlWorkerApi>;
  /**
   * Rejects with ControlThreadFailure if the control thread errors or exits before close(); never resolves. Race
   * every call against it, or a dead thread leaves the call pending forever.
   */
  failed: Promise<never>;
  /** Releases the proxy and terminates the control thread (and with it any shard threads it still owns). */
  close(): Promise<void>;
}

/**
 * Starts a control thread that hosts parallel runs, so the caller's thread stays free (progress bars, signals):
 * its calls are comlink promises. close() it when done.
 */
export function connectControl(): ControlApi {
  // Optimising on its own thread: see core mem/worker-isolates.ts.
  const worker = withSyncCompiledThreads(
    () => new Worker(new URL('./control-worker.js', import.meta.url)),
    (t) => [t],
  );
  const api = Comlink.wrap<ControlWorkerApi>(nodeEndpoint(worker));
  let closing = false;
  let fail: (e: Error) => void = () => {};
  const failed = new Promise<never>((_, reject) => {
    fail = reject;
  });
  failed.catch(() => {}); // observed through the race; never an unhandled rejection
  // Without an 'error' listener a worker error is rethrown on the main thread as an uncaught exception.
  worker.on('error', (e: Error) => {
    const oom = (e as NodeJS.ErrnoException).code === 'ERR_WORKER_OUT_OF_MEMORY';
    fail(new ControlThreadFailure(`control thread failed: ${oom ? 'out of memory' : e.message.split('\n')[0]}`));
  });
  worker.on('exit', (code) => {
    if (!closing) fail(new ControlThreadFailure(`control thread exited unexpectedly (code ${code})`));
  });
  return {
    api,
    failed,
    async close() {
      closing = true;
      api[Comlink.releaseProxy]();
      await worker.terminate();
    },
  };
}
