// Control plane over comlink: start / progress / snapshot / cancel of a run hosted on a control thread.

import { Worker } from 'node:worker_threads';
import * as Comlink from 'comlink';
import type { ControlWorkerApi } from './control-worker.ts';
import { nodeEndpoint } from './node-endpoint.ts';

export interface ControlApi {
  api: Comlink.Remote<ControlWorkerApi>;
  /** Releases the proxy and terminates the control thread (and with it any shard threads it still owns). */
  close(): Promise<void>;
}

export function connectControl(): ControlApi {
  const worker = new Worker(new URL('./control-worker.js', import.meta.url));
  const api = Comlink.wrap<ControlWorkerApi>(nodeEndpoint(worker));
  return {
    api,
    async close() {
      api[Comlink.releaseProxy]();
      await worker.terminate();
    },
  };
}
