// Child process of the memory benchmark: runs `fleet` for <durationNs> of virtual time on <shards> worker threads
// and prints one JSON line with the process's peak RSS (process.resourceUsage().maxRSS covers all threads).
// Run in a fresh process per measurement so that peaks of different runs never mix.
//
//   node packages/bench/dist/rss-probe.js <durationNs> <shards>

import { BUILTIN_SCENARIOS } from '@ivsim/core';
import { ParallelRun } from '@ivsim/workers';

export interface RssProbeOutput {
  scenario: string;
  durationNs: number;
  shards: number;
  /** Peak resident set size of the whole process, KiB (Linux ru_maxrss). */
  maxRssKiB: number;
  /** RSS after loading the modules, before the run, KiB. */
  rssBeforeKiB: number;
  wallSeconds: number;
  simulatedInterrupts: number;
  events: number;
}

const [durArg, shardsArg] = process.argv.slice(2);
const durationNs = Number(durArg);
const shards = Number(shardsArg ?? '2');
if (!(durationNs > 0) || !Number.isInteger(shards) || shards < 1) {
  console.error('usage: rss-probe <durationNs> <shards>');
  process.exit(2);
}
const rssBeforeKiB = Math.round(process.memoryUsage().rss / 1024);
const r = await new ParallelRun({ ...BUILTIN_SCENARIOS.fleet, duration: durationNs }, { shards, durationNs }).run();
const out: RssProbeOutput = {
  scenario: r.scenario,
  durationNs,
  shards,
  maxRssKiB: process.resourceUsage().maxRSS,
  rssBeforeKiB,
  wallSeconds: r.engine.wallSeconds,
  simulatedInterrupts: r.engine.simulatedInterrupts,
  events: r.engine.events,
};
console.log(JSON.stringify(out));
