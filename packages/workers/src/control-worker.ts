// The control thread: hosts a ParallelRun and exposes it over comlink. The caller (the CLI) stays free to draw a
// progress bar and to turn Ctrl-C into cancel(); progress and snapshots are read from SAB memory, so asking for
// them sends nothing to the shards.

import { parentPort } from 'node:worker_threads';
import type { Scenario, ScenarioInput } from '@ivsim/core';
import * as Comlink from 'comlink';
import { nodeEndpoint } from './node-endpoint.ts';
import { ParallelRun, type RunOptions } from './runner.ts';

let active: ParallelRun | null = null;

const api = {
  /** Runs a scenario; resolves with the results object. Errors keep their message (and name) across comlink. */
  async start(scenario: ScenarioInput | Scenario, opts: RunOptions) {
    const run = new ParallelRun(scenario, opts);
    active = run;
    try {
      return await run.run();
    } finally {
      active = null;
    }
  },
  progress() {
    return active ? active.progress() : null;
  },
  snapshot(vcpu: number) {
    return active ? active.snapshot(vcpu) : null;
  },
  cancel() {
    active?.cancel();
  },
};

/** What the control thread serves over comlink: start a ParallelRun, read its progress and snapshots, cancel it. */
export type ControlWorkerApi = typeof api;

if (parentPort) Comlink.expose(api, nodeEndpoint(parentPort));
