// The discrete-event engine: virtual time in cycles, one typed-array event queue, pCPU scheduling of vCPUs, the
// guest program (work / handler / EOI / IRET / HLT), and the primitives a DeliveryScheme uses to express a path
// step by step (exit, root work, hardware stall, handler start, wake, kick). Deterministic: every random draw
// comes from an entity-owned stream and every tie breaks on (time, source entity, per-source sequence).

import type { DeliveryScheme } from '../hv/scheme.ts';
import { Arena } from '../mem/vcpu-block.ts';
import { CAUSE_DEVICE, CAUSE_GUEST_TIMER, CAUSE_IPI, CAUSE_SCHED, ExitReasonId } from '../model/vocabulary.ts';
import type { CostTable } from '../scenario/costs.ts';
import { guestHaltPollConfig, haltPollConfig, type Scenario } from '../scenario/schema.ts';
import { Arrivals } from './arrivals.ts';
import { B } from './blocking-counters.ts';
import { Counters } from './counters.ts';
import { makeSampler, type Sampler } from './distributions.ts';
import { EventQueue } from './event-queue.ts';
import { GuestHaltPoll, type GuestHaltPollParams } from './guest-haltpoll.ts';
import { GuestModel } from './guest-model.ts';
import { HaltPoll } from './halt-poll.ts';
import { cfsTunablesNs, HostSched, SCHED_CFS } from './host-sched.ts';
import { csdAckDelay, IpiPatterns } from './ipi-patterns.ts';
import { NicQueues } from './nic.ts';
import { RngStreams } from './rng.ts';
import type { Topology } from './topology.ts';
import { ARR_CLOSED, distToCycles } from './topology.ts';
import {
  KIND_CALL_FUNC,
  KIND_DEVICE,
  KIND_IPI,
  KIND_RESCHED,
  KIND_TIMER,
  PH_HALT,
  PH_HANDLER,
  PH_POST_EOI,
  PH_WORK,
  RUN_BLOCKED,
  RUN_DESCHED,
  RUN_GUEST,
  RUN_ROOT,
  Vcpu,
} from './vcpu.ts';

export const EV_ARRIVAL = 1; // device queue: next packet/completion arrival
export const EV_DEV_IRQ = 2; // device queue: moderated (deferred) interrupt
export const EV_MSI = 3; // vCPU: a device MSI reaches the interrupt controller / IOMMU
export const EV_TICK = 4; // pCPU: host timer tick
export const EV_VCPU = 5; // vCPU: end of its current timed activity (a0 = generation)
export const EV_IDLE_BEGIN = 6; // vCPU: the guest runs out of work and idles (HLT)
export const EV_GUEST_TIMER = 7; // vCPU: the guest's timer ends the idle period
export const EV_IPI_SEND = 8; // vCPU: the guest wants to send an IPI
export const EV_IPI_ARRIVE = 9; // vCPU: an IPI from another vCPU arrives (may cross shards)
export const EV_SLICE = 10; // pCPU: scheduler time slice
export const EV_ARRIVAL_MSI = 12; // device queue without moderation: an arrival whose MSI reaches its target now
export const EV_SCHEME = 11; // vCPU: a scheme-owned timed event (Sim.schemeAt; e.g. GIC maintenance-interrupt assertion)
export const EV_IPI_FLUSH = 13; // vCPU: the guest is back in work and issues its oldest deferred IPI
export const EV_IRQS_OFF = 14; // vCPU: the guest starts an interrupts-off section (CLI … STI)
export const EV_IRQS_ON = 15; // vCPU: STI ends the section (a0 = section generation)
export const EV_STI_SHADOW_END = 16; // vCPU: the instruction after STI retired: interrupts can be taken again
export const EV_HALT_POLL_END = 17; // vCPU: KVM's halt-poll window ends without a wake event (a0 = generation)
export const EV_GUEST_POLL_END = 18; // vCPU: the guest's haltpoll window ends (a0 = poll generation)

/** Why a running vCPU must give way (Sim.preemptCurrent). */
const RESCHED_TICK = 1;
const RESCHED_WAKEUP = 2;
export const EV_RESCHED_SEND = 19; // vCPU: the guest wants to send a rescheduling IPI (DESIGN §16)
export const EV_SHOOTDOWN_SEND = 20; // vCPU: the guest starts a TLB-shootdown broadcast with wait (DESIGN §16)
export const EV_CSD_ACK = 21; // vCPU: a target's csd_unlock reaches the waiting sender (may cross shards)
/** The event types that can cross shards (the parallel runner packs them into ring records). */
export const CROSS_SHARD_EVENTS: readonly number[] = [EV_IPI_ARRIVE, EV_CSD_ACK];

/** Event type names, for messages. */
const EVENT_NAMES: Record<number, string> = {
  [EV_ARRIVAL]: 'EV_ARRIVAL',
  [EV_DEV_IRQ]: 'EV_DEV_IRQ',
  [EV_MSI]: 'EV_MSI',
  [EV_TICK]: 'EV_TICK (host timer tick)',
  [EV_VCPU]: 'EV_VCPU',
  [EV_IDLE_BEGIN]: 'EV_IDLE_BEGIN',
  [EV_GUEST_TIMER]: 'EV_GUEST_TIMER',
  [EV_IPI_SEND]: 'EV_IPI_SEND',
  [EV_IPI_ARRIVE]: 'EV_IPI_ARRIVE',
  [EV_SLICE]: 'EV_SLICE (host.schedSlice)',
  [EV_SCHEME]: 'EV_SCHEME',
  [EV_ARRIVAL_MSI]: 'EV_ARRIVAL_MSI',
  [EV_IPI_FLUSH]: 'EV_IPI_FLUSH',
  [EV_IRQS_OFF]: 'EV_IRQS_OFF',
  [EV_IRQS_ON]: 'EV_IRQS_ON',
  [EV_STI_SHADOW_END]: 'EV_STI_SHADOW_END',
  [EV_HALT_POLL_END]: 'EV_HALT_POLL_END',
  [EV_GUEST_POLL_END]: 'EV_GUEST_POLL_END',
  [EV_RESCHED_SEND]: 'EV_RESCHED_SEND',
  [EV_SHOOTDOWN_SEND]: 'EV_SHOOTDOWN_SEND',
  [EV_CSD_ACK]: 'EV_CSD_ACK',
};

/** The engine's watchdog fired: events kept coming at one virtual time (an input or model bug, not a hang). */
export class NoProgressError extends Error {
  override readonly name = 'NoProgressError';
}

const R_EXTINT = ExitReasonId.EXTERNAL_INTERRUPT;
const R_HLT = ExitReasonId.HLT;

/** Optional observer of path steps (tests, debugging); null in normal runs, so it costs one compare. */
export type TraceFn = (t: number, vcpu: number, what: string, detail: number) => void;

/**
 * Delivers an event to another shard (parallel engine). The key (t, src, seq) is the one the event would have
 * had in a single-threaded run, so the receiving shard orders it exactly as the single-threaded engine would.
 */
export type SendFn = (
  shard: number,
  t: number,
  src: number,
  seq: number,
  type: number,
  entity: number,
  a0: number,
  a1: number,
) => void;

/** This Sim's slice of the host when the run is sharded: it owns the pCPUs with pcpuOwner[p] === self. */
export interface ShardView {
  pcpuOwner: Int32Array;
  self: number;
  send: SendFn;
}

export interface SimOptions {
  /** Use a SharedArrayBuffer for the vCPU state arena (parallel engine). */
  sharedArena?: boolean;
  /** Existing arena memory (shared by all shards of a run, so any thread can read any vCPU's state block). */
  arenaBuffer?: SharedArrayBuffer;
  shard?: ShardView;
}

export class Sim {
  now = 0;
  readonly q = new EventQueue(4096);
  readonly rng: RngStreams;
  readonly cnt = new Counters();
  readonly vcpus: Vcpu[];
  readonly arena: Arena;
  readonly pcpuCur: Int32Array;
  private readonly pcpuOwned: Uint8Array;
  /** The host scheduler of every pCPU (host.scheduler; sim/host-sched.ts). */
  readonly sched: HostSched;
  /** Period and first time of the scheduler's preemption check (EV_SLICE): the slice (round-robin) or the tick (CFS). */
  private readonly schedTick: number;
  /** KVM halt-polling state of every vCPU (sim/halt-poll.ts); polling is off when host.haltPoll is false. */
  readonly hp: HaltPoll;
  /** The vCPU halt-polling on each pCPU (−1 none): loaded, busy, but running neither guest nor root code. */
  readonly pollVcpu: Int32Array;
  /** Guest-side haltpoll (sim/guest-haltpoll.ts), null when no guest of a virtualized scheme uses it. */
  readonly ghp: GuestHaltPoll | null;
  /** Why each vCPU's pending reschedule was requested (RESCHED_*). */
  private readonly reschedReason: Uint8Array;
  private readonly seq: Float64Array;
  /** Handle of each vCPU's one queued EV_VCPU event (−1: none). */
  private readonly actEv: Int32Array;
  private readonly qLastIrq: Float64Array;
  private readonly qDeferred: Uint8Array;
  private readonly idleActive: Sampler[];
  private readonly idleIdle: Sampler[];
  private readonly ipiMean: Float64Array;
  private readonly ipiVector: Int32Array;
  private readonly timerVector: Int32Array;
  /** The guest kernel's interrupt-related program (EOI position, APIC accesses, timer programming). */
  readonly guest: GuestModel;
  /** When each device queue's next event happens (open-loop processes). */
  private readonly arrivals: Arrivals;
  /** NIC RX rings, interrupt masks, moderation state and NAPI poll lists (DESIGN §18). */
  readonly nic: NicQueues;
  /** First RNG stream of the per-interrupt handler-work draws (one per vCPU) and of the per-packet draws (per queue). */
  private readonly streamWork0: number;
  private readonly streamPacket0: number;
  readonly P: number;
  readonly V: number;
  /** Owning shard of every vCPU (all 0 when unsharded); events for other shards leave through `send`. */
  readonly vcpuOwner: Int32Array;
  readonly self: number;
  private readonly send: SendFn | null;
  /** Exit reasons the engine itself charges (kicks, preemption, wake-ups): the scheme's architectural names. */
  private readonly rExt: number;
  private readonly rHalt: number;
  /** The VM-exit half of exitRoundTrip (whole cycles). */
  private readonly exitHalf: number;
  /** End of the run (cycles): what is still in flight then is pending. */
  readonly end: number;
  trace: TraceFn | null = null;
  /** Rescheduling IPIs and broadcasts with wait (DESIGN §16). */
  readonly pat: IpiPatterns;
  /** While a broadcast with wait is being sent: the sender's vmVcpu (sendIpi tags its IPIs with it), else -1. */
  private csdSender = -1;
  /** Attribution of exits taken while set: 1 = sending a shootdown, 2 = a shootdown IPI arriving (DESIGN §16). */
  private exitTag = 0;

  constructor(
    readonly scenario: Scenario,
    readonly topo: Topology,
    readonly scheme: DeliveryScheme,
    readonly c: CostTable,
    opts: SimOptions = {},
  ) {
    const P = topo.pcpus;
    const V = topo.vcpus.length;
    const Q = topo.queues.length;
    this.P = P;
    this.V = V;
    this.stallLimit = 1_000_000 + 1024 * (P + V + Q);
    this.rExt = scheme.hostIrqExitReason ?? R_EXTINT;
    this.rHalt = scheme.haltExitReason ?? R_HLT;
    this.exitHalf = Math.floor(c.exitRoundTrip / 2);
    this.end = topo.durationCycles;
    // Streams: 3 per vCPU, 1 per device queue, then 1 per vCPU for its interrupts-off sections, 1 per vCPU for the
    // handler work of per-interrupt sources, 1 per queue for NAPI per-packet work, then 2 per vCPU for its IPI
    // patterns (each appended, so the others keep their numbering).
    this.rng = new RngStreams(scenario.seed, 5 * V + 2 * Q + IpiPatterns.streams(V));
    this.streamWork0 = 4 * V + Q;
    this.streamPacket0 = 5 * V + Q;
    this.arrivals = new Arrivals(topo.queues, this.rng, 3 * V);
    this.nic = new NicQueues(topo.queues, V, topo.freqGHz);
    this.pat = new IpiPatterns(scenario, topo, 5 * V + 2 * Q);
    this.guest = new GuestModel(scenario, topo, scheme.id);
    this.seq = new Float64Array(P + V + Q);
    this.actEv = new Int32Array(V).fill(-1);
    this.arena = new Arena(V, opts.sharedArena ?? false, opts.arenaBuffer);
    this.self = opts.shard?.self ?? 0;
    this.send = opts.shard?.send ?? null;
    this.vcpuOwner = new Int32Array(V);
    if (opts.shard) for (let i = 0; i < V; i++) this.vcpuOwner[i] = opts.shard.pcpuOwner[topo.vcpus[i].pcpu];
    this.pcpuOwned = new Uint8Array(P).fill(1);
    if (opts.shard) for (let p = 0; p < P; p++) this.pcpuOwned[p] = opts.shard.pcpuOwner[p] === this.self ? 1 : 0;
    this.pcpuCur = new Int32Array(P).fill(-1);
    const perPcpu = new Int32Array(P);
    for (const d of topo.vcpus) perPcpu[d.pcpu]++;
    let cap = 1;
    for (let p = 0; p < P; p++) if (perPcpu[p] > cap) cap = perPcpu[p]; // no spread: P can be 10^5+
    const f0 = topo.freqGHz;
    this.sched = new HostSched(scenario.host.scheduler, P, V, cap, scenario.host.pcpus, f0);
    this.schedTick =
      this.sched.policy !== SCHED_CFS
        ? topo.sliceCycles
        : topo.tickPeriod > 0
          ? topo.tickPeriod
          : Math.max(1, Math.round(cfsTunablesNs(scenario.host.pcpus).minGranularity * f0));
    this.reschedReason = new Uint8Array(V);
    this.pollVcpu = new Int32Array(P).fill(-1);
    const hpc = scheme.virtualized ? haltPollConfig(scenario) : null;
    this.hp = new HaltPoll(
      V,
      hpc === null
        ? { max: 0, grow: 0, growStart: 0, shrink: 0 }
        : {
            max: Math.round(hpc.maxNs * f0),
            grow: hpc.grow,
            growStart: Math.round(hpc.growStart * f0),
            shrink: hpc.shrink,
          },
      this.cnt,
    );
    // Guest haltpoll is a KVM guest driver: the bare-metal reference runs without it.
    const ghParams: GuestHaltPollParams[] = [];
    const ghOf = new Int32Array(V).fill(-1);
    if (scheme.virtualized)
      scenario.vms.forEach((vm, si) => {
        const g = guestHaltPollConfig(vm.guest);
        if (g === null) return;
        const k = ghParams.length;
        ghParams.push({
          max: Math.round(g.maxNs * f0),
          grow: g.grow,
          growStart: Math.round(g.growStart * f0),
          shrink: g.shrink,
          allowShrink: g.allowShrink,
        });
        topo.vcpus.forEach((d, i) => {
          if (d.vmSpec !== si) return;
          ghOf[i] = k;
          // x86: the driver clears MSR_KVM_POLL_CONTROL bit 0, so kvm_arch_no_poll is true for this vCPU.
          if (scenario.arch === 'x86') this.hp.noPoll[i] = 1;
        });
      });
    this.ghp = ghParams.length > 0 ? new GuestHaltPoll(V, ghParams, ghOf, this.cnt) : null;
    this.qLastIrq = new Float64Array(Q).fill(Number.NEGATIVE_INFINITY);
    this.qDeferred = new Uint8Array(Q);
    this.idleActive = [];
    this.idleIdle = [];
    this.ipiMean = new Float64Array(V);
    this.ipiVector = new Int32Array(V);
    this.timerVector = new Int32Array(V);
    const f = topo.freqGHz;
    this.vcpus = topo.vcpus.map((d, i) => {
      const vm = topo.vms[d.vmInstance];
      const g = scenario.vms[d.vmSpec].guest;
      this.idleActive.push(
        g.idle ? makeSampler(distToCycles({ dist: 'exponential', mean: g.idle.activeMean }, f)) : () => 0,
      );
      this.idleIdle.push(
        g.idle ? makeSampler(distToCycles({ dist: 'exponential', mean: g.idle.idleMean }, f)) : () => 0,
      );
      this.ipiMean[i] = g.ipi && g.ipi.rate > 0 && vm.vcpus > 1 ? (f * 1e9) / g.ipi.rate : 0;
      this.ipiVector[i] = g.ipi ? g.ipi.vector : 0;
      this.timerVector[i] = g.timerVector;
      return new Vcpu(
        i,
        P + i,
        d.vmInstance,
        d.vmVcpu,
        d.pcpu,
        vm.kinds,
        vm.handlers,
        vm.perInterrupt,
        3 * i,
        3 * i + 1,
        3 * i + 2,
        this.arena,
      );
    });
  }

  // ---- event plumbing -------------------------------------------------------------------------------------

  schedule(time: number, src: number, type: number, entity: number, a0: number, a1: number): void {
    this.q.push(time, src, this.seq[src]++, type, entity, a0, a1);
  }

  /** True when this Sim (shard) owns vCPU i. */
  owns(i: number): boolean {
    return this.vcpuOwner[i] === this.self;
  }

  /** Queues an event that came from another shard, under the key the sender assigned. */
  receive(t: number, src: number, seq: number, type: number, entity: number, a0: number, a1: number): void {
    this.q.push(t, src, seq, type, entity, a0, a1);
  }

  /** Initial events: arrivals, ticks, idle periods, IPIs, slices; first vCPU on each pCPU starts running. */
  start(): void {
    const { topo, P, V } = this;
    for (const vc of this.vcpus) if (this.owns(vc.index)) this.scheme.init(this, vc);
    // The first vCPU of each pCPU runs, the others queue — all queued before anything is loaded, so a vcpu_load
    // at t = 0 sees its pCPU's run queue as it is (KVM's single_task_running()).
    for (const vc of this.vcpus) {
      if (!this.owns(vc.index)) continue;
      const p = vc.pcpu;
      if (this.pcpuCur[p] < 0) {
        this.pcpuCur[p] = vc.index;
        this.sched.run(p, vc.index, 0);
        this.cnt.blk[B['sched.loadedAtStart']]++;
      } else {
        vc.run = RUN_DESCHED;
        this.scheme.schedOut(this, vc, false);
        this.sched.enqueue(p, vc.index);
      }
    }
    for (const vc of this.vcpus) {
      if (!this.owns(vc.index)) continue;
      if (this.pcpuCur[vc.pcpu] === vc.index) {
        vc.run = RUN_GUEST;
        this.scheme.schedIn(this, vc);
      }
      vc.phase = PH_WORK;
      vc.segStart = 0;
      const i = vc.index;
      const act = this.idleActive[i](this.rng, vc.streamIdle);
      if (act > 0) this.schedule(act, vc.entity, EV_IDLE_BEGIN, i, 0, 0);
      if (this.ipiMean[i] > 0) this.schedule(this.ipiInterval(i), vc.entity, EV_IPI_SEND, i, 0, 0);
      if (this.guest.irqsOffMean[i] > 0) this.schedule(this.irqsOffInterval(i), vc.entity, EV_IRQS_OFF, i, 0, 0);
      const pat = this.pat;
      if (pat.reschedMean[i] > 0)
        this.schedule(this.patInterval(pat.reschedStream[i], pat.reschedMean[i]), vc.entity, EV_RESCHED_SEND, i, 0, 0);
      if (pat.shootMean[i] > 0)
        this.schedule(this.patInterval(pat.shootStream[i], pat.shootMean[i]), vc.entity, EV_SHOOTDOWN_SEND, i, 0, 0);
    }
    topo.queues.forEach((q, qi) => {
      if (!this.owns(q.vcpu)) return;
      const e = P + V + qi;
      if (q.process === ARR_CLOSED) {
        // Every client sends its first request after one think time; later ones follow their responses.
        for (let k = 0; k < q.clients; k++) this.schedule(this.thinkTime(qi), e, EV_ARRIVAL, qi, 1, 0);
        return;
      }
      const first = this.arrivals.next(qi, 0);
      if (first === Number.POSITIVE_INFINITY) return;
      // Without moderation or NAPI every arrival raises its MSI at once, so arrival and MSI are one event (fewer
      // events per interrupt); otherwise the arrival is an event of its own that decides when to raise.
      if (this.directMsi(qi)) this.schedule(first + this.c.msiDelivery, e, EV_ARRIVAL_MSI, qi, 0, 0);
      else this.schedule(first, e, EV_ARRIVAL, qi, 0, 0);
    });
    for (let p = 0; p < P; p++) {
      if (this.pcpuOwned[p] === 0) continue;
      if (topo.tickPeriod > 0) this.schedule(Math.floor((topo.tickPeriod * (p + 1)) / (P + 1)), p, EV_TICK, p, 0, 0);
      if (this.sched.queued(p) === 0) continue;
      // Round-robin: every slice. CFS: check_preempt_tick runs from the scheduler tick (aligned with EV_TICK).
      const first =
        this.sched.policy === SCHED_CFS && topo.tickPeriod > 0
          ? Math.floor((topo.tickPeriod * (p + 1)) / (P + 1))
          : this.schedTick;
      this.schedule(first, p, EV_SLICE, p, 0, 0);
    }
  }

  /**
   * Processes every event with time < end. Watchdog: virtual time never decreases, so if it is the same at two
   * checkpoints `stallLimit` events apart, every event between them happened at one instant — an event re-firing at
   * the same time forever (DESIGN §14); the run fails with NoProgressError naming the event and its entity instead of
   * hanging. Cost in the loop: one integer decrement and compare per event.
   */
  runUntil(end: number): void {
    const q = this.q;
    let left = this.checkLeft;
    while (q.peekTime() < end) {
      q.pop();
      this.now = q.t;
      this.cnt.events++;
      if (--left === 0) {
        left = this.stallLimit;
        if (q.t === this.checkTime) throw this.noProgress(q.type, q.entity);
        this.checkTime = q.t;
      }
      this.dispatch(q.type, q.entity, q.a0, q.a1);
    }
    this.checkLeft = left;
  }

  /** Events until the next watchdog checkpoint, and the virtual time at the last one (kept across calls). */
  private checkLeft = 1;
  private checkTime = Number.NaN;
  /**
   * Events between two checkpoints: every entity may legitimately act many times at one instant (a burst of
   * zero-cost steps), but not without bound.
   */
  readonly stallLimit: number;

  private noProgress(type: number, e: number): NoProgressError {
    const name = EVENT_NAMES[type] ?? `event type ${type}`;
    const { P, V } = this;
    let entity: string;
    if (type === EV_ARRIVAL || type === EV_ARRIVAL_MSI || type === EV_DEV_IRQ) {
      const q = this.topo.queues[e];
      entity = `device queue ${q?.name ?? e} (entity ${P + V + e})`;
    } else if (type === EV_TICK || type === EV_SLICE) entity = `pCPU ${e} (entity ${e})`;
    else {
      const d = this.topo.vcpus[e];
      const vm = d ? this.topo.vms[d.vmInstance] : undefined;
      entity = `vCPU ${e}${vm ? ` (${vm.name} vCPU ${d.vmVcpu})` : ''} (entity ${P + e})`;
    }
    return new NoProgressError(
      `no progress: ${this.stallLimit} events at virtual time ${this.now} cycles without time advancing; ` +
        `last: ${name} on ${entity}`,
    );
  }

  private dispatch(type: number, e: number, a0: number, a1: number): void {
    switch (type) {
      case EV_ARRIVAL_MSI:
        return this.onArrivalMsi(e);
      case EV_ARRIVAL:
        return this.onArrival(e, a0);
      case EV_DEV_IRQ:
        this.qDeferred[e] = 0;
        if (this.topo.queues[e].napi !== null) return this.nicMaybeRaise(e);
        return this.raiseDevice(e);
      case EV_MSI: {
        const vc = this.vcpus[e];
        this.countRaised(vc, a0, KIND_DEVICE);
        return this.scheme.deviceInterrupt(this, vc, a0, a1);
      }
      case EV_TICK: {
        const next = this.now + this.topo.tickPeriod;
        this.schedule(next, e, EV_TICK, e, 0, 0);
        const cur = this.pcpuCur[e];
        return this.scheme.hostTick(this, e, cur < 0 ? null : this.vcpus[cur]);
      }
      case EV_VCPU: {
        this.actEv[e] = -1; // the event just popped was vc's one pending activity end
        return this.activityEnd(this.vcpus[e]);
      }
      case EV_IDLE_BEGIN:
        return this.onIdleBegin(this.vcpus[e]);
      case EV_GUEST_TIMER:
        return this.onGuestTimer(this.vcpus[e]);
      case EV_IPI_SEND:
        return this.onIpiSend(this.vcpus[e]);
      case EV_IPI_ARRIVE: {
        // a0 = vector + 256 × sender tag + 2^21 × (csd sender's vmVcpu + 1) (see sendIpi).
        const vc = this.vcpus[e];
        const vector = a0 % 256;
        const rest = (a0 - vector) / 256;
        const tag = rest % 8192;
        const csdFrom = (rest - tag) / 8192 - 1;
        this.sampleWork(vc, vector); // raised at the sender's intent (onIpiSend)
        if (csdFrom < 0) return this.scheme.softwareInterrupt(this, vc, vector, a1, CAUSE_IPI, tag);
        this.pat.csdQueued(vc, this.topo.vms[vc.vm].firstVcpu + csdFrom);
        this.exitTag = 2;
        this.scheme.softwareInterrupt(this, vc, vector, a1, CAUSE_IPI, tag);
        this.exitTag = 0;
        return;
      }
      case EV_RESCHED_SEND:
        return this.onReschedSend(this.vcpus[e]);
      case EV_SHOOTDOWN_SEND:
        return this.onShootdownSend(this.vcpus[e]);
      case EV_CSD_ACK:
        return this.onCsdAck(this.vcpus[e]);
      case EV_IPI_FLUSH:
        return this.onIpiFlush(this.vcpus[e]);
      case EV_IRQS_OFF:
        return this.onIrqsOff(this.vcpus[e]);
      case EV_IRQS_ON:
        return this.onIrqsOn(this.vcpus[e], a0);
      case EV_STI_SHADOW_END:
        return this.onStiShadowEnd(this.vcpus[e], a0);
      case EV_SLICE:
        return this.onSlice(e);
      case EV_SCHEME:
        return this.scheme.onSchemeEvent?.(this, this.vcpus[e], a0);
      case EV_HALT_POLL_END: {
        const vc = this.vcpus[e];
        if (a0 !== vc.actGen || this.pollVcpu[vc.pcpu] !== e) return; // the poll already ended
        return this.pollStop(vc);
      }
      case EV_GUEST_POLL_END:
        return this.onGuestPollEnd(this.vcpus[e], a0);
    }
  }

  // ---- devices --------------------------------------------------------------------------------------------

  /** An arrival raises its MSI at once: no moderation, no NAPI (one event per interrupt). */
  private directMsi(qi: number): boolean {
    const q = this.topo.queues[qi];
    return q.minInterval === 0 && q.maxFrames === 0 && q.napi === null;
  }

  /** A closed-loop client's think time (≥ 1 cycle), from the queue's stream. */
  private thinkTime(qi: number): number {
    const q = this.topo.queues[qi];
    return Math.max(1, (q.think as Sampler)(this.rng, 3 * this.V + qi));
  }

  /** Process-context work of the application's head request (per-packet stream of its queue). */
  private appWork(vc: Vcpu): number {
    const qi = this.nic.appHeadQueue(vc.index);
    return (this.topo.queues[qi].app as Sampler)(this.rng, this.streamPacket0 + qi);
  }

  /** The guest has softirq or closed-loop application work to do before its own work or its idle loop. */
  private kernelBusy(vc: Vcpu): boolean {
    if (!this.nic.any) return false;
    const i = vc.index;
    return vc.softirqQ >= 0 || this.nic.pollLen[i] > 0 || this.nic.appLen[i] > 0;
  }

  /** An unmoderated queue's arrival at now − msiDelivery, its MSI arriving now; schedules the next one. */
  private onArrivalMsi(qi: number): void {
    const msi = this.c.msiDelivery;
    const raisedAt = this.now - msi;
    const next = this.arrivals.next(qi, raisedAt);
    if (next !== Number.POSITIVE_INFINITY) this.schedule(next + msi, this.P + this.V + qi, EV_ARRIVAL_MSI, qi, 0, 0);
    const q = this.topo.queues[qi];
    const vc = this.vcpus[q.vcpu];
    this.countRaised(vc, q.vector, KIND_DEVICE);
    this.scheme.deviceInterrupt(this, vc, q.vector, raisedAt);
  }

  /** A device event: `closed` = 1 for a closed-loop request (its successor follows its response, not this event). */
  private onArrival(qi: number, closed: number): void {
    const e = this.P + this.V + qi;
    if (closed === 0) {
      const next = this.arrivals.next(qi, this.now);
      if (next !== Number.POSITIVE_INFINITY) this.schedule(next, e, EV_ARRIVAL, qi, 0, 0);
    }
    const q = this.topo.queues[qi];
    if (q.napi !== null) return this.nicArrival(qi);
    this.nic.sinceIrq[qi]++;
    const minI = q.minInterval;
    if (minI === 0 || this.now >= this.qLastIrq[qi] + minI || (q.maxFrames > 0 && this.nic.sinceIrq[qi] >= q.maxFrames))
      return this.raiseDevice(qi);
    // Interrupt moderation (ITR): hold the interrupt until the interval since the last one has passed;
    // arrivals meanwhile share that one interrupt.
    if (this.qDeferred[qi] === 0) {
      this.qDeferred[qi] = 1;
      this.schedule(this.qLastIrq[qi] + minI, e, EV_DEV_IRQ, qi, 0, 0);
    }
  }

  private raiseDevice(qi: number): void {
    const q = this.topo.queues[qi];
    this.qLastIrq[qi] = this.now;
    this.nic.sinceIrq[qi] = 0;
    this.schedule(this.now + this.c.msiDelivery, this.P + this.V + qi, EV_MSI, q.vcpu, q.vector, this.now);
  }

  // ---- NIC receive path with NAPI (DESIGN §18) -------------------------------------------------------------

  /** A packet reaches the RX ring (or is dropped: ring full); the device then decides whether to interrupt. */
  private nicArrival(qi: number): void {
    const cnt = this.cnt;
    cnt.pktArrived++;
    if (!this.nic.push(qi, this.now)) {
      cnt.pktDropped++;
      return;
    }
    this.nic.sinceIrq[qi]++;
    this.nicMaybeRaise(qi);
  }

  /**
   * The device raises an interrupt for qi's ring unless it is masked (NAPI owns the ring) or empty: at once when the
   * moderation interval since the last interrupt has passed or the frame count is reached, else when it passes.
   */
  private nicMaybeRaise(qi: number): void {
    const nic = this.nic;
    if (nic.masked[qi] !== 0 || nic.len[qi] === 0) return;
    const q = this.topo.queues[qi];
    const itr = nic.interval(qi);
    const due = this.qLastIrq[qi] + itr;
    if (itr === 0 || this.now >= due || (q.maxFrames > 0 && nic.sinceIrq[qi] >= q.maxFrames)) {
      nic.masked[qi] = 1; // EIAM: the MSI-X vector masks itself when it fires
      this.cnt.napiIrqs++;
      return this.raiseDevice(qi);
    }
    if (this.qDeferred[qi] === 0) {
      this.qDeferred[qi] = 1;
      this.schedule(due, this.P + this.V + qi, EV_DEV_IRQ, qi, 0, 0);
    }
  }

  /**
   * net_rx_action on vc: poll the head of its poll list, one packet at a time (each an interruptible step of guest
   * work at `perPacket`); a poll ends when it has used its budget (the queue goes to the tail and is polled again) or
   * the ring is empty (napi_complete_done: the driver retunes ITR, re-enables the interrupt). Returns false when there
   * is nothing to poll.
   */
  private softirqNext(vc: Vcpu): boolean {
    const nic = this.nic;
    const i = vc.index;
    for (;;) {
      const qi = vc.softirqQ >= 0 ? vc.softirqQ : nic.pollHeadQueue(i);
      if (qi < 0) return false;
      vc.softirqQ = qi;
      const napi = this.topo.queues[qi].napi!;
      if (nic.len[qi] > 0 && vc.pollDone < napi.budget) {
        vc.softirqLeft = napi.perPacket(this.rng, this.streamPacket0 + qi);
        this.scheduleGuest(vc);
        return true;
      }
      this.cnt.napiPolls++;
      vc.softirqQ = -1;
      vc.pollDone = 0;
      if (nic.len[qi] > 0) {
        nic.pollPop(i, true); // budget exhausted: poll again after the others
        continue;
      }
      nic.pollPop(i, false);
      nic.retune(qi);
      nic.masked[qi] = 0;
      this.nicMaybeRaise(qi);
    }
  }

  /** The packet at the head of the polled ring has been processed. */
  private packetDone(vc: Vcpu): void {
    this.closeSegment(vc, this.now);
    const qi = vc.softirqQ;
    const arrived = this.nic.shift(qi);
    const cnt = this.cnt;
    cnt.pktProcessed++;
    cnt.packetLatency.record(this.now - arrived);
    this.nic.itrPackets[qi]++;
    vc.pollDone++;
    const q = this.topo.queues[qi];
    if (q.process === ARR_CLOSED) {
      if (q.app !== null)
        this.nic.appPush(vc.index, qi, arrived); // the socket wakes the server application
      else this.respond(qi, arrived);
    }
    if (!this.softirqNext(vc)) this.softirqEnd(vc);
  }

  /** A closed-loop response leaves: its client thinks, then sends the next request. */
  private respond(qi: number, arrived: number): void {
    const cnt = this.cnt;
    cnt.requestsDone++;
    cnt.requestLatency.record(this.now - arrived);
    this.schedule(this.now + this.thinkTime(qi), this.P + this.V + qi, EV_ARRIVAL, qi, 1, 0);
  }

  /** The server application finished the head request's process-context work: the response leaves. */
  private appDone(vc: Vcpu): void {
    this.closeSegment(vc, this.now);
    const i = vc.index;
    const qi = this.nic.appHeadQueue(i);
    const arrived = this.nic.appShift(i);
    vc.appLeft = -1;
    this.respond(qi, arrived);
    if (this.nic.appLen[i] > 0) return this.scheduleGuest(vc); // the next request
    this.cancelActivity(vc);
    if (vc.idle) this.haltForIdle(vc);
    else this.armIpiFlush(vc);
  }

  /** Nothing left to poll: the guest's own work resumes (or its idle period, if one began meanwhile). */
  private softirqEnd(vc: Vcpu): void {
    if (vc.csdWait) {
      this.cancelActivity(vc); // back to csd_lock_wait; onCsdAck resumes what the spin holds up
      return;
    }
    if (this.nic.appLen[vc.index] > 0) {
      this.scheduleGuest(vc); // back to the application (process context) it interrupted or woke
      this.armIpiFlush(vc);
      return;
    }
    this.cancelActivity(vc);
    if (vc.idle) this.haltForIdle(vc);
    else this.armIpiFlush(vc);
  }

  // ---- guest program --------------------------------------------------------------------------------------

  private onIdleBegin(vc: Vcpu): void {
    vc.idle = true;
    const idleFor = Math.max(1, this.idleIdle[vc.index](this.rng, vc.streamIdle));
    this.schedule(this.now + idleFor, vc.entity, EV_GUEST_TIMER, vc.index, 0, 0);
    // Not while a softirq poll runs (the idle loop is entered when it is done, softirqEnd) or a sender spins in
    // csd_lock_wait (it halts once its wait ends, onCsdAck).
    if (vc.run === RUN_GUEST && vc.phase === PH_WORK && this.now >= vc.segStart && !this.kernelBusy(vc) && !vc.csdWait)
      this.haltForIdle(vc);
  }

  /**
   * The guest's idle loop: on the first halt of an idle period it programs its timer for the end of the period
   * (tickless idle; x86: a TSC-deadline or TMICT write, priced by the scheme), then halts (Linux: STI; HLT — the
   * STI shadow covers the HLT, so there is no window between them).
   */
  private haltForIdle(vc: Vcpu): void {
    this.closeSegment(vc, Math.max(this.now, vc.segStart));
    if (!vc.idleTimerArmed) {
      vc.idleTimerArmed = true;
      for (let k = this.guest.timerArmsPerIdle[vc.index]; k > 0; k--) this.scheme.guestTimerArm?.(this, vc);
    }
    const g = this.ghp;
    if (g !== null && g.enabled[vc.index] !== 0) {
      if (vc.guestPoll) return; // the poll window is still open: poll_idle goes on after the handler
      const i = vc.index;
      const from = Math.max(this.now, vc.segStart);
      if (g.selectPoll(i, from)) {
        // Idle state 0: poll in guest mode with interrupts enabled (guest cycles, not guest work).
        vc.guestPoll = true;
        vc.phase = PH_WORK;
        this.cancelActivity(vc);
        if (vc.run === RUN_GUEST) this.schedule(g.pollEnd[i], vc.entity, EV_GUEST_POLL_END, i, g.gen[i], 0);
        return;
      }
      g.halted(i, from);
    }
    vc.phase = PH_HALT;
    this.scheme.guestHalt(this, vc);
  }

  /** The guest's haltpoll window ended: HLT/WFI now, or when the guest next runs its idle loop. */
  private onGuestPollEnd(vc: Vcpu, gen: number): void {
    const g = this.ghp;
    if (g === null || gen !== g.gen[vc.index] || !vc.guestPoll) return;
    if (vc.run !== RUN_GUEST || vc.phase !== PH_WORK) return; // re-armed at the next entry, or seen at IRET
    if (this.now < vc.segStart) {
      this.schedule(vc.segStart, vc.entity, EV_GUEST_POLL_END, vc.index, gen, 0); // a hardware stall first
      return;
    }
    this.closeSegment(vc, this.now);
    vc.guestPoll = false;
    g.pollDone(vc.index, true);
    // A softirq poll or the server application is running: the idle loop halts when it is done (softirqEnd, appDone).
    if (this.kernelBusy(vc)) return;
    this.haltForIdle(vc);
  }

  /**
   * The guest's idle loop has control again (after an interrupt's handler, or an entry that ended a halt): the
   * haltpoll governor reflects on the halt that ended, and a poll ends if its window is over or the idle period
   * ended (need_resched).
   */
  private guestIdleReturn(g: GuestHaltPoll, vc: Vcpu): void {
    const i = vc.index;
    g.haltReturned(i, this.now);
    if (!vc.guestPoll) return;
    if (!vc.idle) {
      vc.guestPoll = false;
      g.pollDone(i, false);
    } else if (this.now >= g.pollEnd[i]) {
      vc.guestPoll = false;
      g.pollDone(i, true);
    }
  }

  private onGuestTimer(vc: Vcpu): void {
    vc.idle = false;
    vc.idleTimerArmed = false;
    const act = Math.max(1, this.idleActive[vc.index](this.rng, vc.streamIdle));
    this.schedule(this.now + act, vc.entity, EV_IDLE_BEGIN, vc.index, 0, 0);
    const v = this.timerVector[vc.index];
    this.countRaised(vc, v, KIND_TIMER);
    this.scheme.softwareInterrupt(this, vc, v, this.now, CAUSE_GUEST_TIMER);
  }

  private irqsOffInterval(i: number): number {
    const stream = 3 * this.V + this.topo.queues.length + i;
    return Math.max(1, Math.round(-Math.log(this.rng.uniformOpen(stream)) * this.guest.irqsOffMean[i]));
  }

  /** CLI in guest work (open loop; a section that would start while the guest is not in work is skipped). */
  private onIrqsOff(vc: Vcpu): void {
    const i = vc.index;
    this.schedule(this.now + this.irqsOffInterval(i), vc.entity, EV_IRQS_OFF, i, 0, 0);
    if (
      vc.irqsOff ||
      vc.guestPoll ||
      vc.run !== RUN_GUEST ||
      vc.phase !== PH_WORK ||
      this.now < vc.segStart ||
      vc.csdWait
    )
      return;
    vc.irqsOff = true;
    const len = Math.max(1, this.guest.irqsOffLen[i](this.rng, 3 * this.V + this.topo.queues.length + i));
    this.schedule(this.now + len, vc.entity, EV_IRQS_ON, i, ++vc.irqsGen, 0);
  }

  /** STI: IF = 1, but blocking by STI holds interrupts off for one more instruction (SDM; A.1.5). */
  private onIrqsOn(vc: Vcpu, gen: number): void {
    if (gen !== vc.irqsGen || !vc.irqsOff) return;
    vc.irqsOff = false;
    vc.stiShadow = true;
    this.schedule(this.now + 1, vc.entity, EV_STI_SHADOW_END, vc.index, gen, 0);
  }

  /** The shadow expired: a pending interrupt is taken now (or the interrupt-window exit happens now). */
  private onStiShadowEnd(vc: Vcpu, gen: number): void {
    if (gen !== vc.irqsGen || !vc.stiShadow) return;
    vc.stiShadow = false;
    if (vc.run === RUN_GUEST && vc.phase === PH_WORK) this.scheme.guestIret(this, vc);
  }

  private ipiInterval(i: number): number {
    return Math.max(1, Math.round(-Math.log(this.rng.uniformOpen(3 * i + 2)) * this.ipiMean[i]));
  }

  /**
   * The guest's IPI source (open loop): at each intent it picks a target (sender's IPI stream) and raises the
   * IPI. Raise times and targets are the same under every scheme: a sender that cannot execute the send now
   * (in root mode, preempted, blocked, inside a handler with IF = 0) defers it, in order, until it is back in
   * guest work (flushDeferredIpis) — it is never dropped. Intents during the guest's idle periods are not made
   * (the source is the guest's work; idle periods are open-loop, so this too is the same under every scheme).
   */
  private onIpiSend(vc: Vcpu): void {
    this.schedule(this.now + this.ipiInterval(vc.index), vc.entity, EV_IPI_SEND, vc.index, 0, 0);
    if (vc.idle) return;
    const vm = this.topo.vms[vc.vm];
    let t = this.rng.below(vc.streamIpi, vm.vcpus - 1);
    if (t >= vc.vmVcpu) t++;
    const target = vm.firstVcpu + t;
    this.cnt.raised++;
    this.cnt.raisedByKind[KIND_IPI]++;
    this.sendOrDefer(vc, target, this.ipiVector[vc.index]);
  }

  /** Sends now, or defers in order behind earlier deferred sends (target -1: a broadcast with wait). */
  private sendOrDefer(vc: Vcpu, target: number, vector: number): void {
    if (this.canSendNow(vc) && vc.ipiq.length === 0) this.sendNow(vc, target, this.now, vector);
    else {
      vc.ipiq.push(target, this.now, vector);
      this.armIpiFlush(vc); // in work but stalled (segStart ahead): sent when the stall ends
    }
  }

  /**
   * The sender executes guest work right now (an ICR write / SGI register write can issue). Not while it spins in
   * csd_lock_wait: the kernel is inside flush_tlb_mm_range with preemption off, so the workload's next sends wait;
   * nor inside a NAPI softirq poll: the workload's sends come from process context, after it.
   */
  private canSendNow(vc: Vcpu): boolean {
    return vc.run === RUN_GUEST && vc.phase === PH_WORK && this.now >= vc.segStart && !vc.csdWait && vc.softirqQ < 0;
  }

  private sendNow(vc: Vcpu, target: number, raisedAt: number, vector: number): void {
    if (target < 0) return this.sendBroadcast(vc, raisedAt, vector);
    this.scheme.guestSendIpi(this, vc, this.vcpus[target], vector, raisedAt);
  }

  // ---- IPI patterns (DESIGN §16; state and protocol in ipi-patterns.ts) --------------------------------------

  private patInterval(stream: number, mean: number): number {
    return Math.max(1, Math.round(-Math.log(this.rng.uniformOpen(stream)) * mean));
  }

  /** smp_send_reschedule to a random other vCPU of the VM: open loop, as onIpiSend (own stream). */
  private onReschedSend(vc: Vcpu): void {
    const pat = this.pat;
    const i = vc.index;
    this.schedule(
      this.now + this.patInterval(pat.reschedStream[i], pat.reschedMean[i]),
      vc.entity,
      EV_RESCHED_SEND,
      i,
      0,
      0,
    );
    if (vc.idle) return;
    const vm = this.topo.vms[vc.vm];
    let t = this.rng.below(pat.reschedStream[i], vm.vcpus - 1);
    if (t >= vc.vmVcpu) t++;
    this.cnt.raised++;
    this.cnt.raisedByKind[KIND_RESCHED]++;
    this.sendOrDefer(vc, vm.firstVcpu + t, pat.reschedVector[i]);
  }

  /** flush_tlb_mm_range on every other vCPU of the VM: n call-function IPIs raised at the intent. */
  private onShootdownSend(vc: Vcpu): void {
    const pat = this.pat;
    const i = vc.index;
    this.schedule(
      this.now + this.patInterval(pat.shootStream[i], pat.shootMean[i]),
      vc.entity,
      EV_SHOOTDOWN_SEND,
      i,
      0,
      0,
    );
    if (vc.idle) return;
    const n = this.topo.vms[vc.vm].vcpus - 1;
    this.cnt.raised += n;
    this.cnt.raisedByKind[KIND_CALL_FUNC] += n;
    this.cnt.shootdowns++;
    this.sendOrDefer(vc, -1, pat.callFuncVector[i]);
  }

  /** smp_call_function_many_cond: the scheme sends the call-function IPIs, then csd_lock_wait begins. */
  private sendBroadcast(vc: Vcpu, raisedAt: number, vector: number): void {
    const vm = this.topo.vms[vc.vm];
    const pat = this.pat;
    const n = pat.othersOf(vc, vm.firstVcpu, vm.vcpus);
    this.csdSender = vc.vmVcpu;
    this.exitTag = 1;
    this.scheme.guestSendIpiMany(this, vc, pat.targets, n, vector, raisedAt, pat.bcastMode[vc.index]);
    this.exitTag = 0;
    this.csdSender = -1;
    pat.beginWait(vc, raisedAt, n);
  }

  /** The call-function handler's body ended on vc: csd_unlock of each csd it took (acks to their senders). */
  private readonly ackSender = (sender: number): void => {
    const t = this.now + csdAckDelay(this.c);
    if (t >= this.end) return; // still missing at the end: the sender accounts it (finish)
    this.sendToVcpu(this.ackFrom, this.vcpus[sender], EV_CSD_ACK, t, 0, 0);
  };
  private ackFrom: Vcpu | null = null;

  /** EV_CSD_ACK: one target cleared its csd; the last one ends the sender's csd_lock_wait. */
  private onCsdAck(vc: Vcpu): void {
    if (!this.pat.acked(vc, this.now, this.cnt)) return;
    // The spin so far is accounted as spin; guest work (or the idle period that began meanwhile) resumes.
    if (vc.run === RUN_GUEST && vc.phase === PH_WORK) this.closeSegment(vc, this.now);
    vc.csdWait = false;
    if (vc.run === RUN_GUEST && vc.phase === PH_WORK) {
      if (this.kernelBusy(vc)) {
        // A softirq poll that interrupted the spin keeps its scheduled end; the server application resumes.
        if (vc.softirqQ < 0) this.scheduleGuest(vc);
        this.armIpiFlush(vc);
      } else if (vc.idle && this.now >= vc.segStart) this.haltForIdle(vc);
      else this.armIpiFlush(vc);
    }
  }

  /**
   * Delivers an engine event for vCPU `target` at time t (> now + lookahead when it may cross shards), from vCPU
   * `from`'s entity: scheduled locally, or shipped to the owning shard under the key it would have had.
   */
  sendToVcpu(from: Vcpu | null, target: Vcpu, type: number, t: number, a0: number, a1: number): void {
    const src = from === null ? target.entity : from.entity;
    const dest = this.vcpuOwner[target.index];
    if (dest === this.self) this.schedule(t, src, type, target.index, a0, a1);
    else this.send!(dest, t, src, this.seq[src]++, type, target.index, a0, a1);
  }

  /** EV_IPI_FLUSH: the sender is back in guest work; issue its oldest deferred IPI (the rest follow in turn). */
  private onIpiFlush(vc: Vcpu): void {
    vc.ipiFlushArmed = false;
    if (vc.ipiq.length === 0) return;
    if (!this.canSendNow(vc)) return this.armIpiFlush(vc);
    const target = vc.ipiq.headTarget();
    const at = vc.ipiq.headTime();
    const vector = vc.ipiq.headVector();
    vc.ipiq.shift();
    this.sendNow(vc, target, at, vector);
    this.armIpiFlush(vc);
  }

  /** Schedules the next deferred send for when the guest's current step lets it run work again. */
  private armIpiFlush(vc: Vcpu): void {
    if (vc.ipiFlushArmed || vc.ipiq.length === 0) return;
    if (vc.run !== RUN_GUEST || vc.phase !== PH_WORK) return; // re-armed when the guest returns to work
    if (vc.csdWait) return; // re-armed when csd_lock_wait ends (onCsdAck)
    if (vc.softirqQ >= 0) return; // re-armed when the softirq poll ends (softirqEnd)
    vc.ipiFlushArmed = true;
    this.schedule(Math.max(this.now, vc.segStart), vc.entity, EV_IPI_FLUSH, vc.index, 0, 0);
  }

  /**
   * Sends an IPI message that leaves at `departAt` (≥ now: the end of the sender's ICR/SGI emulation, or now for
   * a native or virtualized send) and arrives at `target` after the physical IPI latency (may cross shards).
   * `raisedAt` is the guest's intent time. `srcTag` (≥ 0) travels with it to softwareInterrupt — the GICv2 SGI
   * source CPU, which the target's state records. An IPI that would arrive after the end of the run is still
   * pending then: the sender accounts it (count and age), so the totals do not depend on sharding.
   */
  sendIpi(from: Vcpu, target: Vcpu, vector: number, raisedAt: number, srcTag = 0, departAt = this.now): void {
    const t = Math.max(departAt, this.now) + this.c.ipiLatency;
    if (t >= this.end) {
      this.cnt.notePendingAtEnd(this.end - raisedAt);
      return;
    }
    const dest = this.vcpuOwner[target.index];
    // A call-function IPI of a broadcast with wait carries its sender (whose csd the target queues).
    const a0 = vector + 256 * srcTag + (this.csdSender >= 0 ? 2097152 * (this.csdSender + 1) : 0);
    if (dest === this.self) this.schedule(t, from.entity, EV_IPI_ARRIVE, target.index, a0, raisedAt);
    else this.send!(dest, t, from.entity, this.seq[from.entity]++, EV_IPI_ARRIVE, target.index, a0, raisedAt);
  }

  /** When the hypervisor has finished handling vc's current exit (before the VM-entry half): IPIs leave then. */
  exitHandledAt(vc: Vcpu): number {
    return vc.exitHandled;
  }

  /** The target pCPU runs only this vCPU (no other runnable vCPU queued): KVM's single_task_running(). */
  pcpuAlone(p: number): boolean {
    return this.sched.queued(p) === 0;
  }

  /** A scheme-owned event for vc at absolute time t (delivered to scheme.onSchemeEvent with a0); never crosses shards. */
  schemeAt(vc: Vcpu, t: number, a0: number): void {
    this.schedule(t, vc.entity, EV_SCHEME, vc.index, a0, 0);
  }

  /** Accumulates guest progress over [segStart, t). */
  closeSegment(vc: Vcpu, t: number): void {
    const d = t - vc.segStart;
    if (d <= 0) return;
    if (vc.phase === PH_WORK) {
      if (vc.softirqQ >= 0) {
        // Softirq (NAPI poll) time is guest kernel work, not the guest's own work; it also interrupts a csd spin.
        const s = Math.min(d, vc.softirqLeft);
        vc.cycSoftirq += s;
        vc.softirqLeft -= s;
        if (vc.csdWait) vc.cycSpin += d - s;
        else vc.cycWork += d - s;
      } else if (vc.csdWait) vc.cycSpin += d;
      else if (vc.appLeft > 0) {
        // The closed-loop server application's request work, not the guest's background work.
        const s = Math.min(d, vc.appLeft);
        vc.cycApp += s;
        vc.appLeft -= s;
        vc.cycWork += d - s;
      } else if (vc.guestPoll) vc.cycGuestPoll += d;
      else vc.cycWork += d;
    } else if (vc.phase === PH_HANDLER) {
      vc.cycHandler += d;
      vc.handlerLeft -= d;
    }
    vc.segStart = t;
  }

  /** (Re)schedules the end of the guest's current timed step: handler body, or the IRET after an EOI. */
  scheduleGuest(vc: Vcpu): void {
    if (vc.phase === PH_HANDLER) this.activityAt(vc, vc.segStart + vc.handlerLeft);
    else if (vc.phase === PH_POST_EOI) this.activityAt(vc, vc.segStart);
    else if (vc.phase === PH_WORK && vc.softirqQ >= 0)
      this.activityAt(vc, vc.segStart + vc.softirqLeft); // the packet being processed
    else if (vc.phase === PH_WORK && this.nic.any && this.nic.appLen[vc.index] > 0 && !vc.csdWait) {
      if (vc.appLeft < 0) vc.appLeft = this.appWork(vc);
      this.activityAt(vc, vc.segStart + vc.appLeft); // the request being served
    } else this.cancelActivity(vc);
  }

  /**
   * Schedules the end of vc's current timed activity at t, superseding the pending one: each vCPU has at most one
   * EV_VCPU event queued, moved in place (DESIGN §19.2). Its key is the one a fresh event would get (a new sequence
   * number of vc's entity), so the run is the one that pushing a new event and dropping the old gives.
   */
  private activityAt(vc: Vcpu, t: number): void {
    const gen = ++vc.actGen;
    const i = vc.index;
    const h = this.actEv[i];
    const src = vc.entity;
    if (h >= 0) this.q.reschedule(h, t, this.seq[src]++, gen);
    else this.actEv[i] = this.q.push(t, src, this.seq[src]++, EV_VCPU, i, gen, 0);
  }

  /** vc's current timed activity is over without an end event (it blocks, halts, returns to open-ended work). */
  cancelActivity(vc: Vcpu): void {
    ++vc.actGen;
    const i = vc.index;
    const h = this.actEv[i];
    if (h >= 0) {
      this.q.remove(h);
      this.actEv[i] = -1;
    }
  }

  private activityEnd(vc: Vcpu): void {
    if (vc.run === RUN_ROOT) return this.rootDone(vc);
    if (vc.run !== RUN_GUEST) return;
    if (vc.phase === PH_HANDLER) {
      this.closeSegment(vc, this.now);
      vc.handlerLeft = 0;
      if (vc.kinds[vc.handlerVector] === KIND_CALL_FUNC) this.csdUnlock(vc);
      if (vc.eoiDone) return this.iret(vc); // EOI was written at the start of the handler
      vc.phase = PH_POST_EOI;
      this.scheme.guestEoi(this, vc);
      vc.eoiDone = true;
      if (vc.run === RUN_GUEST) this.scheduleGuest(vc);
    } else if (vc.phase === PH_POST_EOI) {
      this.iret(vc);
    } else if (vc.phase === PH_WORK && vc.softirqQ >= 0) {
      this.packetDone(vc);
    } else if (vc.phase === PH_WORK && this.nic.any && this.nic.appLen[vc.index] > 0) {
      this.appDone(vc);
    }
  }

  /** The call-function handler (flush_tlb_func) is done: csd_unlock of every csd it took at its start. */
  private csdUnlock(vc: Vcpu): void {
    this.ackFrom = vc;
    this.pat.handlerEnd(vc, this.ackSender);
    this.ackFrom = null;
  }

  private iret(vc: Vcpu): void {
    vc.phase = PH_WORK;
    if (vc.segStart < this.now) vc.segStart = this.now;
    this.scheme.guestIret(this, vc);
    if (vc.run === RUN_GUEST && vc.phase === PH_WORK) this.returnToBackground(vc);
  }

  /** After an interrupt: back to work, or HLT again when the guest is in an idle period. */
  returnToBackground(vc: Vcpu): void {
    const g = this.ghp;
    if (g !== null && g.enabled[vc.index] !== 0) this.guestIdleReturn(g, vc);
    // Pending softirq work (a NAPI poll scheduled or interrupted) runs first, as irq_exit → __do_softirq does, with
    // interrupts enabled; the idle loop (or a guest haltpoll window) resumes only when it is done.
    if (this.nic.any && this.kernelBusy(vc)) {
      vc.phase = PH_WORK;
      if (vc.softirqQ >= 0 || this.nic.pollLen[vc.index] === 0) this.scheduleGuest(vc);
      else if (!this.softirqNext(vc)) this.softirqEnd(vc);
      this.armIpiFlush(vc);
      return;
    }
    if (vc.idle && !vc.csdWait) this.haltForIdle(vc);
    else {
      vc.phase = PH_WORK;
      this.cancelActivity(vc);
      this.armIpiFlush(vc);
    }
  }

  /** Guest can take an interrupt right now: running guest work with IF = 1 and no STI shadow. */
  guestInterruptible(vc: Vcpu): boolean {
    return vc.run === RUN_GUEST && vc.phase === PH_WORK && !vc.irqsOff && !vc.stiShadow;
  }

  /** Starts the guest handler for `vector` at absolute time `at` (the guest is in guest mode). */
  startHandlerAt(vc: Vcpu, at: number, vector: number, raisedAt: number, flag: number): void {
    if (vc.phase === PH_WORK) this.closeSegment(vc, Math.min(this.now, at));
    if (this.trace !== null) this.trace(at, vc.index, 'HANDLER', vector);
    vc.phase = PH_HANDLER;
    vc.handlerVector = vector;
    vc.handlerRaised = raisedAt;
    vc.handlerFlag = flag;
    // Handler work (DESIGN §18): a per-interrupt source (a pure signal) runs one sampled handler per delivered
    // interrupt — one that coalesced is lost, work and all; a queued source's handler processes the work of every
    // event raised since the last one, coalesced ones included.
    if (vc.perInterrupt[vector] !== 0) vc.handlerLeft = vc.handlerCost[vector](this.rng, this.streamWork0 + vc.index);
    else {
      vc.handlerLeft = vc.ledger.work[vector];
      vc.ledger.work[vector] = 0;
    }
    // A NAPI queue's hard-IRQ handler schedules its poll (napi_schedule_irqoff); the poll runs after the IRET.
    if (this.nic.any) {
      const nq = this.nic.napiOf[vc.index * 256 + vector];
      if (nq >= 0) this.nic.schedule(vc.index, nq);
    }
    const kind = vc.kinds[vector];
    const cnt = this.cnt;
    cnt.delivery.record(at - raisedAt);
    if (kind === KIND_IPI || kind >= KIND_RESCHED) this.patternHandlerStart(vc, kind, at - raisedAt);
    cnt.delivered++;
    cnt.deliveredByKind[kind]++;
    if (flag !== 0 && kind === KIND_DEVICE) cnt.deviceDeliveredRunning++;
    vc.segStart = at;
    vc.eoiDone = false;
    this.handlerPrologue(vc, kind);
    if (vc.run === RUN_GUEST) this.scheduleGuest(vc);
  }

  /** Per-pattern delivery latency; a call-function handler takes the csds queued so far (DESIGN §16). */
  private patternHandlerStart(vc: Vcpu, kind: number, latency: number): void {
    const cnt = this.cnt;
    if (kind === KIND_IPI) cnt.deliveryIpi.record(latency);
    else if (kind === KIND_RESCHED) cnt.deliveryResched.record(latency);
    else {
      cnt.deliveryCallFunc.record(latency);
      this.pat.handlerStart(vc);
    }
  }

  /**
   * What the guest handler does before its body, in order (GuestModel): the EOI when the guest acks at the
   * start (x86 Linux), CR8/TPR accesses, APIC register reads, and — in the timer handler — reprogramming the
   * LAPIC timer. The scheme prices each access; an access that exits makes the rest follow back to back.
   */
  private handlerPrologue(vc: Vcpu, kind: number): void {
    const g = this.guest;
    const i = vc.index;
    const sc = this.scheme;
    if (g.eoiAtStart[i] !== 0) {
      sc.guestEoi(this, vc);
      vc.eoiDone = true;
    }
    if (sc.guestTprAccess) for (let k = g.tprAccesses[i]; k > 0; k--) sc.guestTprAccess(this, vc);
    if (sc.guestApicRead) for (let k = g.apicReads[i]; k > 0; k--) sc.guestApicRead(this, vc);
    if (kind === KIND_TIMER && sc.guestTimerArm)
      for (let k = g.timerArmsPerTimerIrq[i]; k > 0; k--) sc.guestTimerArm(this, vc);
  }

  /** Hardware delivery into the guest handler now, after `deliveryCycles` of microcode (no exit). */
  deliverNow(vc: Vcpu, vector: number, raisedAt: number, flag: number, deliveryCycles: number): void {
    this.cnt.cycHw += deliveryCycles;
    if (vc.guestPoll && vc.phase === PH_WORK) this.cnt.blk[B['guestPoll.interruptsWhilePolling']]++;
    const base = Math.max(vc.segStart, this.now);
    if (vc.phase === PH_WORK) this.closeSegment(vc, this.now);
    this.startHandlerAt(vc, base + deliveryCycles, vector, raisedAt, flag);
  }

  /** Records the completion of the current handler's interrupt (EOI/deactivation took effect at `at`). */
  completeEoi(vc: Vcpu, at: number): void {
    if (this.trace !== null) this.trace(at, vc.index, 'EOI', vc.handlerVector);
    this.cnt.completion.record(at - vc.handlerRaised);
    this.cnt.completed++;
  }

  /** Hardware work in non-root that stalls the guest without an exit (posted-interrupt processing, EOI virt.). */
  stall(vc: Vcpu, cycles: number): void {
    this.cnt.cycHw += cycles;
    if (vc.run !== RUN_GUEST) return;
    if (this.now > vc.segStart) this.closeSegment(vc, this.now);
    vc.segStart = Math.max(vc.segStart, this.now) + cycles;
    this.scheduleGuest(vc);
  }

  // ---- exits and root mode --------------------------------------------------------------------------------

  /**
   * A VM exit of `reason` caused by `cause`, followed by `handling` cycles in the hypervisor. From guest mode
   * the guest pauses; called again while already in root mode it models a back-to-back exit sequence.
   * `runningDevice` marks exits caused by a device interrupt that arrived while its target ran in guest mode.
   */
  exit(vc: Vcpu, reason: number, cause: number, handling: number, runningDevice = false): void {
    if (this.trace !== null) this.trace(this.now, vc.index, 'EXIT', reason);
    const cnt = this.cnt;
    cnt.exits[reason]++;
    cnt.exitsByCause[cause]++;
    if (runningDevice) cnt.deviceExitsRunning++;
    if (this.exitTag !== 0) {
      if (this.exitTag === 1) cnt.shootdownSendExits++;
      else cnt.shootdownArrivalExits++;
    }
    // Host work the scheme attaches to any exit from guest mode (PV EOI read-back, held physical interrupts).
    if (vc.run === RUN_GUEST && this.scheme.onExitFromGuest !== undefined)
      handling += this.scheme.onExitFromGuest(this, vc);
    const total = this.c.exitRoundTrip + handling;
    cnt.exitCycles[reason] += total;
    let start: number;
    if (vc.run === RUN_GUEST) {
      this.closeSegment(vc, this.now);
      vc.run = RUN_ROOT;
      vc.rootReason = reason;
      start = Math.max(vc.segStart, this.now);
      vc.rootEnd = start + total;
    } else {
      start = vc.rootEnd;
      vc.rootEnd += total;
    }
    // The VM-exit transition is taken as half the measured round trip; the handling follows it.
    vc.exitHandled = start + this.exitHalf + handling;
    this.activityAt(vc, vc.rootEnd);
  }

  /**
   * An exit that happens right after the VM entry being prepared (e.g. a physical interrupt pending in the IRR
   * when external-interrupt exiting is turned back on): counted like any exit; returns its cycles, which the
   * caller (a scheme's beforeEntry) adds to the entry so the guest resumes after both.
   */
  exitAtEntry(reason: number, cause: number, handling: number): number {
    const total = this.c.exitRoundTrip + handling;
    this.cnt.exits[reason]++;
    this.cnt.exitsByCause[cause]++;
    this.cnt.exitCycles[reason] += total;
    return total;
  }

  /** Extra hypervisor work while vc is in root mode (e.g. a host interrupt handled before re-entry). */
  rootWork(vc: Vcpu, cycles: number, reason = vc.rootReason): void {
    if (vc.run !== RUN_ROOT) return;
    this.cnt.exitCycles[reason] += cycles;
    vc.rootEnd += cycles;
    this.activityAt(vc, vc.rootEnd);
  }

  /**
   * A physical host interrupt (handler cost `handling`) lands on pCPU p: the vCPU in guest mode there takes
   * EXIT:EXTERNAL_INTERRUPT (V-01); a vCPU in root mode handles it before re-entry; an idle pCPU just runs it.
   */
  hostInterruptOnPcpu(p: number, handling: number, cause: number, runningDevice = false, reason = this.rExt): void {
    const cur = this.pcpuCur[p];
    if (cur < 0) return;
    const u = this.vcpus[cur];
    if (u.run === RUN_GUEST) this.physicalInterruptInGuest(u, reason, cause, handling, runningDevice);
    else if (u.run === RUN_ROOT) this.rootWork(u, handling);
  }

  /**
   * A physical host interrupt reaches vc while it runs in guest mode: an exit of `reason` (external-interrupt
   * exiting / IRQ to EL2) unless the scheme routes physical interrupts otherwise (ELI's shadow IDT).
   */
  physicalInterruptInGuest(vc: Vcpu, reason: number, cause: number, handling: number, runningDevice = false): void {
    const sc = this.scheme;
    if (sc.physicalInterrupt !== undefined) sc.physicalInterrupt(this, vc, reason, cause, handling, runningDevice);
    else this.exit(vc, reason, cause, handling, runningDevice);
  }

  private rootDone(vc: Vcpu): void {
    if (vc.needResched) {
      vc.needResched = false;
      return this.switchOut(vc);
    }
    if (vc.haltExit) {
      vc.haltExit = false;
      if (!this.scheme.hasWakeEvent(this, vc)) return this.halt(vc);
    }
    this.enter(vc);
  }

  /** VM entry: the scheme syncs/injects, then the guest resumes (or starts the injected handler). */
  private enter(vc: Vcpu): void {
    const extra = this.scheme.beforeEntry(this, vc) + this.c.exitIndirect;
    this.cnt.exitCycles[vc.rootReason] += extra;
    const at = this.now + extra;
    vc.run = RUN_GUEST;
    vc.segStart = at; // nothing the guest did before this entry is open any more
    if (this.trace !== null) this.trace(this.now, vc.index, 'ENTRY', vc.inject);
    if (vc.inject >= 0) {
      const v = vc.inject;
      vc.inject = -1;
      if (vc.guestPoll && vc.phase === PH_WORK) this.cnt.blk[B['guestPoll.interruptsWhilePolling']]++;
      if (vc.phase === PH_HALT) vc.phase = PH_WORK;
      this.startHandlerAt(vc, at, v, vc.injectRaised, vc.injectFlag);
      return;
    }
    if (vc.phase === PH_HALT) {
      vc.phase = PH_WORK;
      this.returnToBackground(vc);
    } else if (vc.phase === PH_WORK && vc.softirqQ < 0 && this.nic.any && this.nic.pollLen[vc.index] > 0) {
      // The exit came between a hard-IRQ handler's IRET and its softirq (e.g. an interrupt-window or #NP exit at
      // IRET): the NAPI poll starts now.
      if (!this.softirqNext(vc)) this.softirqEnd(vc);
      this.armIpiFlush(vc);
    } else {
      this.scheduleGuest(vc);
      if (vc.phase === PH_WORK) {
        this.armIpiFlush(vc);
        const g = this.ghp;
        if (vc.guestPoll && g !== null)
          this.schedule(Math.max(at, g.pollEnd[vc.index]), vc.entity, EV_GUEST_POLL_END, vc.index, g.gen[vc.index], 0);
      }
    }
  }

  /** EXIT:HLT: the hypervisor blocks the vCPU at the end of the exit unless a wake event is pending. */
  haltExit(vc: Vcpu, handling: number): void {
    vc.haltExit = true;
    this.exit(vc, this.rHalt, 4 /* CAUSE_HALT */, handling);
  }

  // ---- scheduling -----------------------------------------------------------------------------------------

  /**
   * kvm_vcpu_halt after an HLT/WFI exit found nothing pending: halt-poll if KVM may (sim/halt-poll.ts), else block.
   * A polling vCPU stays loaded (no vcpu_put) and keeps its pCPU busy; it shows as RUN_BLOCKED with no current
   * vCPU on the pCPU, so the schemes' wake paths (wake, kick, doorbell, wake-up vector) reach it as they reach a
   * blocked one, and an interrupt for it is handled as on an idle pCPU before it resumes.
   */
  private halt(vc: Vcpu): void {
    const p = vc.pcpu;
    const poll = this.hp.begin(vc.index, this.now, this.sched.queued(p) === 0);
    if (poll <= 0) return this.block(vc);
    if (this.trace !== null) this.trace(this.now, vc.index, 'HALT_POLL', poll);
    vc.run = RUN_BLOCKED;
    this.cancelActivity(vc);
    this.pcpuCur[p] = -1;
    this.pollVcpu[p] = vc.index;
    this.schedule(this.now + poll, vc.entity, EV_HALT_POLL_END, vc.index, vc.actGen, 0);
  }

  /** A wake event while vc halt-polls: kvm_vcpu_halt returns without schedule-out/in (no vcpuWakeup, no load). */
  private pollSuccess(vc: Vcpu, extra: number): void {
    const p = vc.pcpu;
    const i = vc.index;
    if (this.trace !== null) this.trace(this.now, i, 'POLL_WAKE', 0);
    this.pollVcpu[p] = -1;
    this.hp.pollDone(i, this.now, true);
    this.hp.end(i, this.now);
    this.pcpuCur[p] = i;
    vc.run = RUN_ROOT;
    vc.rootReason = this.rHalt;
    // The host handles what woke it (`extra`, as on an idle pCPU), the poll loop sees it at its next iteration.
    const total = this.c.haltPollCheck + extra;
    this.cnt.exitCycles[this.rHalt] += total;
    vc.rootEnd = this.now + total;
    this.activityAt(vc, vc.rootEnd);
  }

  /** The poll ends without a wake event (time-out, or another thread became runnable): kvm_vcpu_block. */
  private pollStop(vc: Vcpu): void {
    const p = vc.pcpu;
    this.pollVcpu[p] = -1;
    this.hp.pollDone(vc.index, this.now, false);
    this.pcpuCur[p] = vc.index;
    this.block(vc);
  }

  private block(vc: Vcpu): void {
    if (this.trace !== null) this.trace(this.now, vc.index, 'BLOCK', 0);
    vc.run = RUN_BLOCKED;
    this.cancelActivity(vc);
    this.sched.stop(vc.pcpu, this.now);
    this.cnt.blk[B['sched.blocks']]++;
    this.scheme.schedOut(this, vc, true);
    this.pickNext(vc.pcpu);
  }

  private pickNext(p: number): void {
    const i = this.sched.pick(p);
    if (i < 0) {
      this.pcpuCur[p] = -1;
      return;
    }
    this.dispatch_(this.vcpus[i], this.c.contextSwitch, this.rExt);
  }

  /** Puts vc on its pCPU: host scheduling cost + vcpu_load, then VM entry at the end of the root activity. */
  private dispatch_(vc: Vcpu, cost: number, reason: number): void {
    const p = vc.pcpu;
    this.pcpuCur[p] = vc.index;
    this.sched.run(p, vc.index, this.now);
    this.cnt.blk[B['sched.switchesIn']]++;
    this.hp.end(vc.index, this.now); // a halted vCPU's kvm_vcpu_halt returns once its thread runs again
    vc.run = RUN_ROOT;
    vc.rootReason = reason;
    const total = cost + this.scheme.schedIn(this, vc);
    this.cnt.exitCycles[reason] += total;
    vc.rootEnd = this.now + total;
    this.activityAt(vc, vc.rootEnd);
  }

  /**
   * Makes a blocked vCPU runnable (kvm_vcpu_wake_up → try_to_wake_up). `extra` = host work on the idle pCPU before
   * it runs. A halt-polling vCPU resumes at once; another vCPU halt-polling on the pCPU stops polling and blocks
   * (single_task_running() is false). Under CFS the woken vCPU may preempt the running one.
   */
  wake(vc: Vcpu, extra = 0): void {
    if (vc.run !== RUN_BLOCKED) return;
    const p = vc.pcpu;
    const poller = this.pollVcpu[p];
    if (poller === vc.index) return this.pollSuccess(vc, extra);
    if (this.trace !== null) this.trace(this.now, vc.index, 'WAKE', 0);
    if (poller >= 0) this.pollStop(this.vcpus[poller]);
    this.sched.placeWaking(p, vc.index, this.now);
    if (this.pcpuCur[p] < 0) this.dispatch_(vc, this.c.vcpuWakeup + extra, this.rHalt);
    else {
      vc.run = RUN_DESCHED;
      this.sched.enqueue(p, vc.index);
      if (this.sched.wakeupPreempts(p, vc.index, this.now)) this.preemptCurrent(p, RESCHED_WAKEUP);
    }
  }

  /** kvm_vcpu_kick: in guest mode → host IPI → EXIT:EXTERNAL_INTERRUPT; blocked → wake; otherwise nothing. */
  kick(vc: Vcpu, cause: number, runningDevice = false): void {
    if (vc.run === RUN_GUEST) this.physicalInterruptInGuest(vc, this.rExt, cause, this.c.kickHandling, runningDevice);
    else if (vc.run === RUN_BLOCKED) this.wake(vc);
  }

  /**
   * resched_curr on pCPU p: the running vCPU switches out at the end of its root activity; in guest mode the
   * reschedule (tick or IPI) is a physical interrupt, hence an exit.
   */
  private preemptCurrent(p: number, reason: number): void {
    const cur = this.pcpuCur[p];
    if (cur < 0) return;
    const u = this.vcpus[cur];
    if (reason === RESCHED_WAKEUP && u.needResched) return; // already on its way out
    u.needResched = true;
    this.reschedReason[cur] = reason;
    if (u.run === RUN_GUEST) this.physicalInterruptInGuest(u, this.rExt, CAUSE_SCHED, 0);
  }

  /** The scheduler's periodic check on p (round-robin slice, CFS tick): preempt the running vCPU if due. */
  private onSlice(p: number): void {
    this.schedule(this.now + this.schedTick, p, EV_SLICE, p, 0, 0);
    if (this.pcpuCur[p] < 0 || !this.sched.tickPreempts(p, this.now)) return;
    this.preemptCurrent(p, RESCHED_TICK);
  }

  private switchOut(vc: Vcpu): void {
    if (this.trace !== null) this.trace(this.now, vc.index, 'PREEMPT', 0);
    const p = vc.pcpu;
    this.sched.stop(p, this.now);
    this.cnt.blk[
      this.reschedReason[vc.index] === RESCHED_WAKEUP ? B['sched.wakeupPreemptions'] : B['sched.preemptions']
    ]++;
    this.reschedReason[vc.index] = 0;
    this.scheme.schedOut(this, vc, false);
    vc.run = RUN_DESCHED;
    this.cancelActivity(vc);
    this.sched.enqueue(p, vc.index);
    this.pickNext(p);
  }

  // ---- accounting -----------------------------------------------------------------------------------------

  /** Counts a raised interrupt of `source` (KIND_*) and samples the handler work it brings (target's stream). */
  countRaised(vc: Vcpu, vector: number, source = vc.kinds[vector]): void {
    this.sampleWork(vc, vector);
    this.cnt.raised++;
    // By source, not by the vector's label: on x86 a device and the timer may share a vector.
    this.cnt.raisedByKind[source]++;
  }

  /** Samples the handler work an interrupt brings when it reaches its target (target's handler stream). */
  sampleWork(vc: Vcpu, vector: number): void {
    if (vc.perInterrupt[vector] === 0) vc.ledger.work[vector] += vc.handlerCost[vector](this.rng, vc.streamHandler);
  }

  countCoalesced(vc: Vcpu, vector: number): void {
    this.cnt.coalesced++;
    this.cnt.coalescedByKind[vc.kinds[vector]]++;
  }

  /**
   * Closes the books at `end`: open guest segments are accounted up to the end of the run, and every interrupt
   * still pending is recorded with its age (scheme structures, and IPIs still deferred at their sender).
   */
  finish(end: number): void {
    const cnt = this.cnt;
    const ages = cnt.pendingAge;
    const visit = (raisedAt: number) => ages.record(end - raisedAt);
    for (const vc of this.vcpus) {
      if (!this.owns(vc.index)) continue;
      if (vc.run === RUN_GUEST && vc.segStart < end) this.closeSegment(vc, end);
      cnt.cycWork += vc.cycWork;
      cnt.cycHandler += vc.cycHandler;
      cnt.cycSoftirq += vc.cycSoftirq;
      cnt.cycApp += vc.cycApp;
      cnt.blk[B['guestPoll.polledCycles']] += vc.cycGuestPoll;
      if (vc.guestPoll) cnt.blk[B['guestPoll.pollingAtEnd']]++;
      this.hp.atEnd(vc.index, end);
      if (this.sched.curr[vc.pcpu] === vc.index) cnt.blk[B['sched.loadedAtEnd']]++;
      this.scheme.atEnd?.(this, vc);
      cnt.cycSpin += vc.cycSpin;
      // Deferred sends: a broadcast (target -1) is n raised IPIs and a shootdown waiting since its intent.
      const others = this.topo.vms[vc.vm].vcpus - 1;
      vc.ipiq.forEach((at, target) => {
        const n = target < 0 ? others : 1;
        for (let k = 0; k < n; k++) cnt.notePendingAtEnd(end - at);
        if (target < 0) this.pat.waiting(end - at, n, cnt);
      });
      this.pat.finishSender(vc, end, cnt);
      this.scheme.forEachPending(this, vc, visit);
    }
    if (this.nic.any) this.finishRings(end);
  }

  /** Packets still in the RX rings at the end, with their ages (after finish they are counted in pktInRing). */
  private finishRings(end: number): void {
    const cnt = this.cnt;
    this.topo.queues.forEach((q, qi) => {
      if (q.napi === null || !this.owns(q.vcpu)) return;
      cnt.pktInRing += this.nic.len[qi];
      this.nic.forEachInRing(qi, (t) => cnt.packetAgeAtEnd.record(end - t));
      if (q.process === ARR_CLOSED) cnt.requestsInGuest += this.nic.len[qi];
    });
    for (const vc of this.vcpus) if (this.owns(vc.index)) cnt.requestsInGuest += this.nic.appLen[vc.index];
  }

  /** Interrupts pending at the end (after finish): in the schemes' structures plus those outside any. */
  pendingTotal(): number {
    let n = this.cnt.pendingOutside;
    for (const vc of this.vcpus) if (this.owns(vc.index)) n += this.scheme.pendingCount(this, vc);
    return n;
  }
}

export { CAUSE_DEVICE, KIND_IPI, KIND_TIMER, RUN_DESCHED };
