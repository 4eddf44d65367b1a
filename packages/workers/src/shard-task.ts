// One shard of one scheme run, executed as a piscina task on a worker thread. It simulates the pCPUs it owns (with
// their vCPUs and device queues) and meets the other shards at the window barrier:
//
//   start → repeat { exchange: publish outbound, barrier(min next-event time), drain inbound;
//                    window end := global min + lookahead; run events < window end }
//
// When no VM spans two shards nothing can cross (lookahead = ∞): the shard then runs on its own in chunks, only
// polling the abort flag and publishing progress between chunks.

import {
  Barrier,
  composeSim,
  OutboundChannel,
  type RunParts,
  runParts,
  runsBare,
  SpscRing,
  WindowExchange,
} from '@ivsim/core/shard';
import {
  ABORT_FAILED,
  ABORTED_MESSAGE,
  CTL_CROSS,
  CTL_EVENTS,
  CTL_RAISED,
  CTL_SPILLED,
  CTL_STRIDE,
  CTL_VTIME,
  CTL_WINDOWS,
  REC_A0,
  REC_A1,
  REC_ENTITY_TYPE,
  REC_SEQ,
  REC_SRC,
  REC_T,
  type ShardTask,
  TYPE_BITS,
} from './protocol.ts';
import type { ShardResult } from './wire.ts';

/** Virtual cycles between abort polls / progress updates when the shard runs on its own. */
const CHUNK_CYCLES = 1 << 21;

type Topology = RunParts['topo'];

/**
 * The topologies this thread built for the run it serves now (DESIGN §10 "Plan cache"): every scheme of a run but
 * bare-metal has the same one, so a thread that runs several of them builds it once. Held weakly — a topology lives
 * as long as some scheme run's engine holds it, as without the cache, and a later task of the same run finds it only
 * if it has not been collected in between (a run's tasks follow each other within milliseconds, so it mostly is
 * there). Entries of another run are dropped when a task of a new run arrives (a ShardPool's thread serves many).
 */
let topoRun = '';
const topos = new Map<boolean, WeakRef<Topology>>();

/** The run's topology for `bare`, the one this thread built for it earlier if it is still alive. */
function topologyFor(runId: string, bare: boolean): Topology | undefined {
  if (runId !== topoRun) {
    topos.clear();
    topoRun = runId;
  }
  return topos.get(bare)?.deref();
}

/** Topologies reused on this thread since it started (tests read it through the module). */
export const topologyReuse = { hits: 0, builds: 0 };

export default function runShard(task: ShardTask): ShardResult {
  const barrier = Barrier.attach(task.barrier, task.shard, { cores: task.cores });
  try {
    return simulateShard(task, barrier);
  } catch (e) {
    // Release the other shards at once; the runner reports this shard's message.
    if (!(e instanceof Error && e.message === ABORTED_MESSAGE)) barrier.abort(ABORT_FAILED);
    throw e;
  }
}

function simulateShard(task: ShardTask, barrier: Barrier): ShardResult {
  const s = task.scenario;
  const n = task.shards;
  const self = task.shard;
  const bare = runsBare(task.scheme);
  const known = topologyFor(task.runId, bare);
  const parts = runParts(s, task.scheme, task.arenaSchemes, known);
  if (known) topologyReuse.hits++;
  else {
    topologyReuse.builds++;
    topos.set(bare, new WeakRef(parts.topo));
  }
  const end = parts.topo.durationCycles;

  const outs: (OutboundChannel | null)[] = [];
  const ins: SpscRing[] = [];
  for (let k = 0; k < n; k++) {
    const out = task.rings[self * n + k];
    outs.push(k === self || out.byteLength === 0 ? null : new OutboundChannel(SpscRing.fromBuffer(out)));
    const inb = task.rings[k * n + self];
    if (k !== self && inb.byteLength > 0) ins.push(SpscRing.fromBuffer(inb));
  }
  let cross = 0;
  const sim = composeSim(parts, {
    arenaBuffer: task.arena,
    shard: {
      pcpuOwner: task.pcpuOwner,
      self,
      send(dest, t, src, seq, type, entity, a0, a1) {
        cross++;
        (outs[dest] as OutboundChannel).send(t, src, seq, entity * TYPE_BITS + type, a0, a1);
      },
    },
  });

  const ctl = new Float64Array(task.control, task.controlLine * CTL_STRIDE * 8, CTL_STRIDE);
  let windows = 0;
  const publishProgress = (vtime: number) => {
    ctl[CTL_VTIME] = vtime;
    ctl[CTL_EVENTS] = sim.cnt.events;
    ctl[CTL_RAISED] = sim.cnt.raised;
    ctl[CTL_WINDOWS] = windows;
    ctl[CTL_CROSS] = cross;
  };
  // The fault names a thread of the whole run (its control line), whatever lane it is on.
  const faultAt = task.fault && task.fault.shard === task.controlLine ? task.fault.atCycles : Number.POSITIVE_INFINITY;
  const checkFault = (vtime: number) => {
    if (vtime >= faultAt) throw new Error(`injected fault at virtual time ${vtime} cycles (test hook)`);
  };

  sim.start();
  if (task.lookahead === Number.POSITIVE_INFINITY) {
    for (let next = sim.q.peekTime(); next < end; next = sim.q.peekTime()) {
      if (barrier.aborted) throw new Error(ABORTED_MESSAGE);
      const stop = Math.min(end, next + CHUNK_CYCLES);
      checkFault(stop);
      sim.runUntil(stop);
      publishProgress(stop);
    }
  } else {
    const outList = outs.filter((o): o is OutboundChannel => o !== null);
    const sink = (d: Float64Array, o: number) => {
      const et = d[o + REC_ENTITY_TYPE];
      const type = et % TYPE_BITS;
      sim.receive(
        d[o + REC_T],
        d[o + REC_SRC],
        d[o + REC_SEQ],
        type,
        (et - type) / TYPE_BITS,
        d[o + REC_A0],
        d[o + REC_A1],
      );
    };
    const ex = new WindowExchange(barrier, outList, ins, sink);
    for (;;) {
      if (!ex.run(sim.q.peekTime())) throw new Error(ABORTED_MESSAGE);
      windows++;
      const g = ex.globalMin;
      if (g >= end) break;
      const stop = Math.min(end, g + task.lookahead);
      checkFault(stop);
      sim.runUntil(stop);
      if ((windows & 255) === 0) publishProgress(stop);
    }
    ctl[CTL_SPILLED] = outList.reduce((a, o) => a + o.spilledTotal, 0);
  }
  publishProgress(end);
  sim.finish(end);
  return {
    shard: self,
    counters: sim.cnt,
    pending: sim.pendingTotal(),
    windows,
    crossEvents: cross,
    spilled: ctl[CTL_SPILLED],
  };
}
