// The results object (DESIGN §5 — stable fields; extra fields are additive). Wall-clock values live only under
// `engine`, so two runs of the same scenario and seed produce identical JSON outside it.

import { CAUSE_NAMES, EXIT_REASONS } from '../model/vocabulary.ts';
import type { Counters } from '../sim/counters.ts';
import { type BlockingResult, blockingResult } from './blocking.ts';
import { type LatencySummary, toHdr } from './hdr.ts';
import { LogLinearHistogram } from './loglinear.ts';

/**
 * One scheme's results on the scenario's workload (DESIGN §5). Latencies in ns (`latencyNs`) and cycles
 * (`latencyCycles`); rates per simulated second; CPU figures as shares of the run.
 */
export interface SchemeResult {
  /** The scheme id (a {@link SchemeId}). */
  scheme: string;
  /** Conservation: raised = delivered + coalesced (merged into an already-pending bit) + pending at the end. */
  interrupts: {
    raised: number;
    delivered: number;
    coalesced: number;
    pending: number;
    /** What each open-loop source raised: the same under every scheme of a scenario (DESIGN §12). */
    raisedBySource: { device: number; ipi: number; guestTimer: number; resched: number; tlbShootdown: number };
  };
  /**
   * Interrupts still undelivered at the end of the run and how long they had waited. `starved` is set when the
   * oldest has waited longer than the host's scheduling explains — max(1 ms, 10 % of the run, and on a pCPU that
   * time-slices k vCPUs k × host.schedSlice; starvationThresholdNs): the delivery percentiles then leave out
   * interrupts that never got through, and `latencyNs.deliveryWithPending` (pending ages as censored latencies)
   * is the figure to compare.
   */
  pending: { count: number; oldestAgeNs: number; meanAgeNs: number; starved: boolean };
  /** Whether raised = delivered + coalesced + pending held, and how many interrupts completed (EOI done). */
  conservation: { ok: boolean; completed: number };
  /** The interrupts counts split by source kind. */
  interruptsByKind: Record<
    'device' | 'ipi' | 'guestTimer' | 'resched' | 'tlbShootdown',
    { raised: number; delivered: number; coalesced: number }
  >;
  /** Rescheduling IPIs and broadcasts with wait (DESIGN §16). */
  ipiPatterns: IpiPatternsResult;
  /** Latency in ns. delivery: assertion → handler entry; completion: assertion → EOI / deactivation done. */
  latencyNs: {
    delivery: LatencySummary;
    completion: LatencySummary;
    /** Delivery latencies with each pending interrupt's age added as a (censored) sample: a lower bound. */
    deliveryWithPending: LatencySummary;
  };
  /** The same latencies in CPU cycles (exact mean and max; percentiles at 3 significant digits). */
  latencyCycles: { delivery: LatencySummary; completion: LatencySummary };
  /** VM exits: total, per simulated second, by reason (EXIT_REASONS) and by cause, and their cycles by reason. */
  exits: {
    total: number;
    perSecond: number;
    byReason: Record<string, number>;
    byCause: Record<string, number>;
    cyclesByReason: Record<string, number>;
    /** Exits caused by device interrupts that arrived while their target vCPU ran in guest mode, per such interrupt. */
    perDeviceInterruptWhileRunning: number;
  };
  /**
   * Where the CPU went. guestShare: guest-mode cycles (work, handlers, softirq, application, spin) / busy cycles
   * (those + hardware assists + exits), 0..1. relativeToBareMetal: the guest's own work against bare metal's on
   * the same workload (1 = bare metal). cycles: the parts, in cycles.
   */
  cpu: {
    guestShare: number;
    relativeToBareMetal: number;
    cycles: {
      guestWork: number;
      guestHandlers: number;
      /** NAPI softirq polls (scenarios with a NAPI device). */
      guestSoftirq?: number;
      /** Closed-loop server application work (scenarios with a closed-loop device). */
      guestApplication?: number;
      /** Spinning in csd_lock_wait (IPI patterns, DESIGN §16). */
      guestSpin: number;
      hardwareAssist: number;
      exits: number;
    };
  };
  /** The delivery and completion histograms in ns, HdrHistogram compressed base64 (decodeHistogram reads them). */
  histograms: { delivery: string; completion: string };
  /**
   * NIC receive path with NAPI (present when the scenario has a NAPI device; DESIGN §18). Conservation: arrived =
   * processed + dropped + inRing. `interruptsPerPacket` = interrupts the NAPI queues raised / packets processed.
   */
  packets?: {
    arrived: number;
    processed: number;
    dropped: number;
    inRing: number;
    conserved: boolean;
    perSecond: number;
    interruptsPerPacket: number;
    polls: number;
    /** Arrival in the RX ring → processed by the NAPI poll. */
    latencyNs: LatencySummary;
    /** The same with each packet still in a ring counted at its age (censored; a lower bound). */
    latencyWithInRingNs: LatencySummary;
  };
  /**
   * Closed-loop throughput (present when the scenario has a closed-loop device): requests processed per simulated
   * second and their ratio to bare metal's on the same workload — the papers' "% of bare metal" for netperf/apache/
   * memcached, beside cpu.relativeToBareMetal (the guest's own work, the share definition).
   */
  throughput?: {
    requests: number;
    requestsPerSecond: number;
    relativeToBareMetal: number;
    /** Requests still in the guest at the end (in an RX ring or at the application). */
    inGuest: number;
    /** Request arrival in the RX ring → response sent (after the application's work, when it has some). */
    latencyNs: LatencySummary;
  };
  /** Host scheduling, halt-polling, guest haltpoll, posted-interrupt and GICv4 blocking counters (DESIGN §15). */
  blocking: BlockingResult;
}

/** Rescheduling IPIs and TLB-shootdown broadcasts with wait, one scheme (DESIGN §16). */
export interface IpiPatternsResult {
  /** IPIs raised by pattern: guest.ipi unicasts, rescheduling IPIs, call-function IPIs of shootdowns (n each). */
  raised: { unicast: number; resched: number; shootdownTargets: number };
  /** Delivery latency (raise → handler entry) per pattern. */
  deliveryNs: { unicast: LatencySummary; resched: LatencySummary; shootdownTarget: LatencySummary };
  /** TLB-shootdown broadcasts with wait: raised, completed, still waiting, acknowledgements, exits. */
  shootdowns: {
    raised: number;
    completed: number;
    /** Still in csd_lock_wait (or deferred before their send) at the end, and how long they had waited. */
    waiting: number;
    oldestWaitingNs: number;
    meanWaitingNs: number;
    /** Acknowledgements received, and still missing at the end (raised targets = acked + pending). */
    acked: number;
    acksPending: number;
    /** raised = completed + waiting, and shootdownTargets = acked + acksPending. */
    ok: boolean;
    /** Exits on the sender while it sends, and on the targets when the IPIs arrive (kicks, doorbells). */
    sendExits: number;
    arrivalExits: number;
    exitsPerShootdown: number;
  };
  /** Sender wait of completed shootdowns: intent → last acknowledgement. */
  senderWaitNs: LatencySummary;
  /** Cycles spun in csd_lock_wait, and their share of the guest's time (work + spin + handlers). */
  spinCycles: number;
  /** spinCycles / the guest's cycles (work + spin + handlers), 0..1. */
  spinShareOfGuest: number;
}

/**
 * The run figures of `shards` threads that processed `events` and raised `interrupts` in `wallSeconds`: wall time to
 * 0.1 ms, rates per wall second (0 for a zero wall time). One place for simulate() and the sweeps.
 */
export function engineFigures(shards: number, wallSeconds: number, events: number, interrupts: number): EngineInfo {
  return {
    shards,
    wallSeconds: Math.round(wallSeconds * 1e4) / 1e4,
    events,
    simulatedInterrupts: interrupts,
    interruptsPerSecond: wallSeconds > 0 ? Math.round(interrupts / wallSeconds) : 0,
    eventsPerSecond: wallSeconds > 0 ? Math.round(events / wallSeconds) : 0,
  };
}

/** How the run was executed: the only wall-clock part of the results (two runs of one seed differ only here). */
export interface EngineInfo {
  /** Worker threads the run used (1 for simulate()). */
  shards: number;
  /** Wall-clock seconds of the whole run (every scheme), to 0.1 ms. */
  wallSeconds: number;
  /** Engine events processed, all schemes (bare-metal reference included). */
  events: number;
  /** Interrupts raised, all schemes run. */
  simulatedInterrupts: number;
  /** simulatedInterrupts per wall-clock second. */
  interruptsPerSecond: number;
  /** events per wall-clock second. */
  eventsPerSecond: number;
  /** Parallel runner only: how pCPUs were split and whether any events crossed shards. */
  partition?: string;
  /** Parallel runner only: whether some VM spans shards (windows synchronized), else the shards ran independently. */
  crossShard?: boolean;
  /**
   * Parallel runner only: how many scheme runs went side by side, each on shards ÷ schemeLanes threads (1: one after
   * another on all of them).
   */
  schemeLanes?: number;
}

/**
 * The results object of a run (simulate, runParallel, `ivsim run --json`): DESIGN §5 lists the stable fields;
 * fields are only ever added. A pure function of (scenario, seed) outside `engine`.
 */
export interface Results {
  /** The ivsim version that produced it (IVSIM_VERSION). */
  ivsim: string;
  /** The scenario's `name`. */
  scenario: string;
  /** The seed the run used. */
  seed: number;
  /** Virtual duration simulated, ns. */
  durationNs: number;
  /** The simulated CPU clock, GHz (cycles ↔ ns). */
  freqGHz: number;
  /** The cost preset's name. */
  costPreset: string;
  /** How the run was executed (wall clock, shards): the only part that varies between identical runs. */
  engine: EngineInfo;
  /** One entry per reported scheme, in the order asked for. */
  schemes: SchemeResult[];
}

const r6 = (x: number) => Math.round(x * 1e6) / 1e6;

export function schemeResult(
  id: string,
  c: Counters,
  pending: number,
  durationSec: number,
  freqGHz: number,
  bareMetal: Counters | null,
  starvedAfterNs = Math.max(1e6, 0.1 * durationSec * 1e9),
  workload: { napi: boolean; closedLoop: boolean } = { napi: false, closedLoop: false },
): SchemeResult {
  const bareMetalWork = bareMetal ? bareMetal.cycWork : 0;
  const d = toHdr(c.delivery, freqGHz);
  const k = toHdr(c.completion, freqGHz);
  const withPending = new LogLinearHistogram();
  withPending.add(c.delivery);
  withPending.add(c.pendingAge);
  const dp = toHdr(withPending, freqGHz);
  const ages = c.pendingAge;
  const oldestNs = ages.count > 0 ? Math.round(ages.max / freqGHz) : 0;
  const byReason: Record<string, number> = {};
  const cyclesByReason: Record<string, number> = {};
  let total = 0;
  let exitCycles = 0;
  EXIT_REASONS.forEach((r, i) => {
    if (c.exits[i] > 0 || c.exitCycles[i] > 0) {
      byReason[r] = c.exits[i];
      cyclesByReason[r] = c.exitCycles[i];
    }
    total += c.exits[i];
    exitCycles += c.exitCycles[i];
  });
  const byCause: Record<string, number> = {};
  CAUSE_NAMES.forEach((n, i) => {
    if (c.exitsByCause[i] > 0) byCause[n] = c.exitsByCause[i];
  });
  // Spinning in csd_lock_wait is guest-mode time (guestShare) but not useful work (relativeToBareMetal).
  const guest = c.cycWork + c.cycHandler + c.cycSoftirq + c.cycApp + c.cycSpin;
  const busy = guest + c.cycHw + exitCycles;
  const blocking = blockingResult(c.blk, freqGHz);
  const kind = (i: number) => ({
    raised: c.raisedByKind[i],
    delivered: c.deliveredByKind[i],
    coalesced: c.coalescedByKind[i],
  });
  const out: SchemeResult = {
    scheme: id,
    interrupts: {
      raised: c.raised,
      delivered: c.delivered,
      coalesced: c.coalesced,
      pending,
      raisedBySource: {
        device: c.raisedByKind[1],
        ipi: c.raisedByKind[2],
        guestTimer: c.raisedByKind[3],
        resched: c.raisedByKind[4],
        tlbShootdown: c.raisedByKind[5],
      },
    },
    pending: {
      count: pending,
      oldestAgeNs: oldestNs,
      meanAgeNs: ages.count > 0 ? Math.round(ages.sum / ages.count / freqGHz) : 0,
      starved: oldestNs > starvedAfterNs,
    },
    // Every pending interrupt must also have been found with its age (the schemes' enumerations are complete), and
    // the blocking counters must satisfy their invariants (DESIGN §15).
    conservation: {
      ok: c.raised === c.delivered + c.coalesced + pending && ages.count === pending && blocking.conserved,
      completed: c.completed,
    },
    interruptsByKind: {
      device: kind(1),
      ipi: kind(2),
      guestTimer: kind(3),
      resched: kind(4),
      tlbShootdown: kind(5),
    },
    ipiPatterns: ipiPatternsResult(c, freqGHz, guest),
    latencyNs: { delivery: d.summary, completion: k.summary, deliveryWithPending: dp.summary },
    latencyCycles: { delivery: d.summaryCycles, completion: k.summaryCycles },
    exits: {
      total,
      perSecond: Math.round(total / durationSec),
      byReason,
      byCause,
      cyclesByReason,
      perDeviceInterruptWhileRunning:
        c.deviceDeliveredRunning > 0 ? r6(c.deviceExitsRunning / c.deviceDeliveredRunning) : 0,
    },
    cpu: {
      guestShare: busy > 0 ? r6(guest / busy) : 0,
      relativeToBareMetal: bareMetalWork > 0 ? r6(c.cycWork / bareMetalWork) : 0,
      cycles: {
        guestWork: c.cycWork,
        guestHandlers: c.cycHandler,
        ...(workload.napi ? { guestSoftirq: c.cycSoftirq } : {}),
        ...(workload.closedLoop ? { guestApplication: c.cycApp } : {}),
        guestSpin: c.cycSpin,
        hardwareAssist: c.cycHw,
        exits: exitCycles,
      },
    },
    histograms: { delivery: d.base64, completion: k.base64 },
    blocking,
  };
  if (workload.napi) {
    const withRing = new LogLinearHistogram();
    withRing.add(c.packetLatency);
    withRing.add(c.packetAgeAtEnd);
    out.packets = {
      arrived: c.pktArrived,
      processed: c.pktProcessed,
      dropped: c.pktDropped,
      inRing: c.pktInRing,
      conserved: c.pktArrived === c.pktProcessed + c.pktDropped + c.pktInRing && c.packetAgeAtEnd.count === c.pktInRing,
      perSecond: Math.round(c.pktProcessed / durationSec),
      interruptsPerPacket: c.pktProcessed > 0 ? r6(c.napiIrqs / c.pktProcessed) : 0,
      polls: c.napiPolls,
      latencyNs: toHdr(c.packetLatency, freqGHz).summary,
      latencyWithInRingNs: toHdr(withRing, freqGHz).summary,
    };
  }
  if (workload.closedLoop) {
    const ref = bareMetal ? bareMetal.requestsDone : 0;
    out.throughput = {
      requests: c.requestsDone,
      requestsPerSecond: Math.round(c.requestsDone / durationSec),
      relativeToBareMetal: ref > 0 ? r6(c.requestsDone / ref) : 0,
      inGuest: c.requestsInGuest,
      latencyNs: toHdr(c.requestLatency, freqGHz).summary,
    };
  }
  return out;
}

function ipiPatternsResult(c: Counters, freqGHz: number, guestCycles: number): IpiPatternsResult {
  const ns = (cyc: number) => Math.round(cyc / freqGHz);
  const waiting = c.shootdownsWaiting;
  const sendExits = c.shootdownSendExits;
  const arrivalExits = c.shootdownArrivalExits;
  return {
    raised: { unicast: c.raisedByKind[2], resched: c.raisedByKind[4], shootdownTargets: c.raisedByKind[5] },
    deliveryNs: {
      unicast: toHdr(c.deliveryIpi, freqGHz).summary,
      resched: toHdr(c.deliveryResched, freqGHz).summary,
      shootdownTarget: toHdr(c.deliveryCallFunc, freqGHz).summary,
    },
    shootdowns: {
      raised: c.shootdowns,
      completed: c.shootdownsCompleted,
      waiting,
      oldestWaitingNs: waiting > 0 ? ns(c.shootdownWaitingAgeMax) : 0,
      meanWaitingNs: waiting > 0 ? ns(c.shootdownWaitingAgeSum / waiting) : 0,
      acked: c.acksReceived,
      acksPending: c.acksPending,
      ok: c.shootdowns === c.shootdownsCompleted + waiting && c.raisedByKind[5] === c.acksReceived + c.acksPending,
      sendExits,
      arrivalExits,
      exitsPerShootdown: c.shootdowns > 0 ? r6((sendExits + arrivalExits) / c.shootdowns) : 0,
    },
    senderWaitNs: toHdr(c.shootdownWait, freqGHz).summary,
    spinCycles: c.cycSpin,
    spinShareOfGuest: guestCycles > 0 ? r6(c.cycSpin / guestCycles) : 0,
  };
}
