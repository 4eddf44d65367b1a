// The engine's state (DESIGN §7, §19.4): entities, clock, queue, RNG streams, per-vCPU contexts and the
// per-concern tables, built once per scheme run. The engine is one class assembled from one file per concern,
// each extending the previous (event loop → devices → guest program → guest handler → IPI sends → root mode →
// host scheduling → Sim with start and accounting); a method one concern calls on a later one is declared here,
// abstract, so every file reads the others only through named members.

import type { DeliveryScheme, SchemeHost } from '../hv/scheme.ts';
import { Arena, type VcpuLayout } from '../mem/vcpu-block.ts';
import { ExitReasonId } from '../model/vocabulary.ts';
import type { CostTable } from '../scenario/costs.ts';
import { guestHaltPollConfig, haltPollConfig } from '../scenario/defaults.ts';
import type { Scenario, SchemeId } from '../scenario/schema.ts';
import { Arrivals } from './arrivals.ts';
import { Counters } from './counters.ts';
import { makeSampler, type Sampler } from './distributions.ts';
import type { Sim } from './engine.ts';
import { EventQueue } from './event-queue.ts';
import { GuestHaltPoll, type GuestHaltPollParams } from './guest-haltpoll.ts';
import { GuestModel } from './guest-model.ts';
import { HaltPoll } from './halt-poll.ts';
import { cfsTunablesNs, HostSched, SCHED_CFS } from './host-sched.ts';
import { IpiPatterns } from './ipi-patterns.ts';
import { ledgerSlots, ledgerStride } from './ledger.ts';
import { NicQueues } from './nic.ts';
import { RngStreams } from './rng.ts';
import type { Topology, VcpuDesc } from './topology.ts';
import { distToCycles } from './topology.ts';
import { Vcpu } from './vcpu.ts';

/** The engine's watchdog fired: events kept coming at one virtual time (an input or model bug, not a hang). */
export class NoProgressError extends Error {
  override readonly name = 'NoProgressError';
}

const R_EXTINT = ExitReasonId.EXTERNAL_INTERRUPT;
const R_HLT = ExitReasonId.HLT;

/**
 * Optional observer of path steps (tests, debugging, `ivsim run --trace`); null in normal runs, so it costs one
 * compare. `aux` is the raise time of the interrupt at 'HANDLER' (so an 'ASSERT' of a device queue — detail = the
 * queue — pairs with its handler entry).
 */
export type TraceFn = (t: number, vcpu: number, what: string, detail: number, aux?: number) => void;

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

/**
 * How the engine gets its scheme (DESIGN §19.12): built by the composition root (run/compose.ts) from the scheme's
 * descriptor and registry entry, with the scheme's options already bound into `create`.
 */
export interface SchemeBinding {
  readonly id: SchemeId;
  /** The descriptor's `virtualized`: the engine sizes its halt-polling state by it before the scheme exists. */
  readonly virtualized: boolean;
  /** The guest-visible LAPIC has no TSC-deadline timer, so an `auto` guest timer is one-shot (guest-model.ts). */
  readonly noTscDeadline: boolean;
  /**
   * Builds the run's scheme, once the engine's own state is set up (scenario, topology, costs, vCPU contexts,
   * arena); `host` is the engine. Called once, from the constructor, so a scheme may size itself from the host but
   * not call its effects there.
   */
  create(host: SchemeHost): DeliveryScheme;
}

export interface SimOptions {
  /** Use a SharedArrayBuffer for the vCPU state arena (parallel engine). */
  sharedArena?: boolean;
  /** Existing arena memory (shared by all shards of a run, so any thread can read any vCPU's state block). */
  arenaBuffer?: SharedArrayBuffer;
  /** The regions of a vCPU block and where they are (default: every region); the composition root sets it. */
  layout?: VcpuLayout;
  shard?: ShardView;
}

export abstract class SimBase {
  /**
   * This object typed as the finished engine: the engine passes itself to the scheme hooks (which see it as a
   * SchemeHost, DESIGN §19.5), and a concern early in the chain hands itself to them through this field.
   */
  protected readonly sim: Sim;
  now = 0;
  readonly q = new EventQueue(4096);
  readonly rng: RngStreams;
  readonly cnt = new Counters();
  /**
   * Every vCPU's context by index. Sharded, only the VMs this shard has a vCPU of are built: the other entries are
   * holes, never read (nothing of a VM wholly on another shard can reach this one).
   */
  readonly vcpus: Vcpu[];
  /** The vCPUs this Sim owns, in index order (all of them unsharded). */
  readonly ownVcpus: Vcpu[];
  readonly arena: Arena;
  readonly pcpuCur: Int32Array;
  protected readonly pcpuOwned: Uint8Array;
  /** The host scheduler of every pCPU (host.scheduler; sim/host-sched.ts). */
  readonly sched: HostSched;
  /** Period and first time of the scheduler's preemption check (EV_SLICE): the slice (round-robin) or the tick (CFS). */
  protected readonly schedTick: number;
  /** KVM halt-polling state of every vCPU (sim/halt-poll.ts); polling is off when host.haltPoll is false. */
  readonly hp: HaltPoll;
  /** The vCPU halt-polling on each pCPU (−1 none): loaded, busy, but running neither guest nor root code. */
  readonly pollVcpu: Int32Array;
  /** Guest-side haltpoll (sim/guest-haltpoll.ts), null when no guest of a virtualized scheme uses it. */
  readonly ghp: GuestHaltPoll | null;
  /** Why each vCPU's pending reschedule was requested (RESCHED_*). */
  protected readonly reschedReason: Uint8Array;
  protected readonly seq: Float64Array;
  /** Handle of each vCPU's one queued EV_VCPU event (−1: none). */
  protected readonly actEv: Int32Array;
  protected readonly qLastIrq: Float64Array;
  protected readonly qDeferred: Uint8Array;
  protected readonly idleActive: Sampler[];
  protected readonly idleIdle: Sampler[];
  protected readonly ipiMean: Float64Array;
  protected readonly ipiVector: Int32Array;
  protected readonly timerVector: Int32Array;
  /** The guest kernel's interrupt-related program (EOI position, APIC accesses, timer programming). */
  readonly guest: GuestModel;
  /** When each device queue's next event happens (open-loop processes). */
  protected readonly arrivals: Arrivals;
  /** NIC RX rings, interrupt masks, moderation state and NAPI poll lists (DESIGN §18). */
  readonly nic: NicQueues;
  /** First RNG stream of the per-interrupt handler-work draws (one per vCPU) and of the per-packet draws (per queue). */
  protected readonly streamWork0: number;
  protected readonly streamPacket0: number;
  readonly P: number;
  readonly V: number;
  /** Owning shard of every vCPU (all 0 when unsharded); events for other shards leave through `send`. */
  readonly vcpuOwner: Int32Array;
  readonly self: number;
  protected readonly send: SendFn | null;
  /** The run's delivery scheme (SchemeBinding.create). */
  readonly scheme: DeliveryScheme;
  /** Exit reasons the engine itself charges (kicks, preemption, wake-ups): the scheme's architectural names. */
  protected readonly rExt: number;
  protected readonly rHalt: number;
  /** The VM-exit half of exitRoundTrip (whole cycles). */
  protected readonly exitHalf: number;
  /** End of the run (cycles): what is still in flight then is pending. */
  readonly end: number;
  trace: TraceFn | null = null;
  /** Rescheduling IPIs and broadcasts with wait (DESIGN §16). */
  readonly pat: IpiPatterns;
  /** While a broadcast with wait is being sent: the sender's vmVcpu (sendIpi tags its IPIs with it), else -1. */
  protected csdSender = -1;
  /** Attribution of exits taken while set: 1 = sending a shootdown, 2 = a shootdown IPI arriving (DESIGN §16). */
  protected exitTag = 0;

  constructor(
    readonly scenario: Scenario,
    readonly topo: Topology,
    binding: SchemeBinding,
    readonly c: CostTable,
    opts: SimOptions = {},
  ) {
    this.sim = this as unknown as Sim;
    const P = topo.pcpus;
    const V = topo.vcpus.length;
    const Q = topo.queues.length;
    this.P = P;
    this.V = V;
    this.stallLimit = 1_000_000 + 1024 * (P + V + Q);
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
    this.guest = new GuestModel(scenario, topo, binding.noTscDeadline);
    this.seq = new Float64Array(P + V + Q);
    this.actEv = new Int32Array(V).fill(-1);
    // The ledger part of each arena block holds the vectors the widest VM uses (DESIGN §19.3).
    // (one slot map per vector table: the instances of a VM spec share theirs)
    const slotMaps = new Map<Uint8Array, Int16Array>();
    const ledgerIx = topo.vms.map((vm) => {
      let ix = slotMaps.get(vm.kinds);
      if (ix === undefined) {
        ix = ledgerSlots(vm.kinds).ix;
        slotMaps.set(vm.kinds, ix);
      }
      return ix;
    });
    this.arena = new Arena(V, opts.sharedArena ?? false, opts.arenaBuffer, ledgerStride(topo.vms), opts.layout);
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
    const hpc = binding.virtualized ? haltPollConfig(scenario) : null;
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
    if (binding.virtualized)
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
    // Samplers are pure functions of (rng, stream): one pair per VM spec, shared by its vCPUs.
    const none: Sampler = () => 0;
    const specActive = scenario.vms.map(({ guest: g }) =>
      g.idle ? makeSampler(distToCycles({ dist: 'exponential', mean: g.idle.activeMean }, f)) : none,
    );
    const specIdle = scenario.vms.map(({ guest: g }) =>
      g.idle ? makeSampler(distToCycles({ dist: 'exponential', mean: g.idle.idleMean }, f)) : none,
    );
    // A shard builds the contexts of the VMs it has a vCPU of (DESIGN §19.10): its own vCPUs, and their VM-mates on
    // other shards, which exist only as the targets of cross-shard sends (their index and entity). The contexts of
    // VMs wholly on other shards are never touched, so they are not built (holes in `vcpus`).
    const needVm = new Uint8Array(topo.vms.length).fill(opts.shard ? 0 : 1);
    if (opts.shard)
      for (let i = 0; i < V; i++) if (this.vcpuOwner[i] === this.self) needVm[topo.vcpus[i].vmInstance] = 1;
    const build = (d: VcpuDesc, i: number): Vcpu => {
      const vm = topo.vms[d.vmInstance];
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
        ledgerIx[d.vmInstance],
      );
    };
    this.vcpus = opts.shard ? new Array<Vcpu>(V) : [];
    this.ownVcpus = [];
    topo.vcpus.forEach((d, i) => {
      const vm = topo.vms[d.vmInstance];
      const g = scenario.vms[d.vmSpec].guest;
      this.idleActive.push(specActive[d.vmSpec]);
      this.idleIdle.push(specIdle[d.vmSpec]);
      this.ipiMean[i] = g.ipi && g.ipi.rate > 0 && vm.vcpus > 1 ? (f * 1e9) / g.ipi.rate : 0;
      this.ipiVector[i] = g.ipi ? g.ipi.vector : 0;
      this.timerVector[i] = g.timerVector;
      if (needVm[d.vmInstance] === 0) return;
      const vc = build(d, i);
      if (opts.shard) this.vcpus[i] = vc;
      else this.vcpus.push(vc);
      if (this.vcpuOwner[i] === this.self) this.ownVcpus.push(vc);
    });
    const scheme = binding.create(this.sim);
    if (scheme.id !== binding.id || scheme.virtualized !== binding.virtualized)
      throw new Error(`internal: scheme ${scheme.id} does not match its descriptor ${binding.id}`);
    this.scheme = scheme;
    this.rExt = scheme.hostIrqExitReason ?? R_EXTINT;
    this.rHalt = scheme.haltExitReason ?? R_HLT;
  }

  /** Events until the next watchdog checkpoint, and the virtual time at the last one (kept across calls). */
  protected checkLeft = 1;
  protected checkTime = Number.NaN;
  /**
   * Events between two checkpoints: every entity may legitimately act many times at one instant (a burst of
   * zero-cost steps), but not without bound.
   */
  readonly stallLimit: number;

  /** An exponential gap of mean `mean` cycles from `stream`, at least one cycle (open-loop guest sources). */
  protected expGap(stream: number, mean: number): number {
    return Math.max(1, Math.round(-Math.log(this.rng.uniformOpen(stream)) * mean));
  }

  // ---- implemented by later concerns of the chain (see the file header) ----

  protected abstract activityEnd(vc: Vcpu): void;
  protected abstract armIpiFlush(vc: Vcpu): void;
  abstract closeSegment(vc: Vcpu, t: number): void;
  abstract countRaised(vc: Vcpu, vector: number, source?: number): void;
  protected abstract csdUnlock(vc: Vcpu): void;
  protected abstract halt(vc: Vcpu): void;
  protected abstract haltForIdle(vc: Vcpu): void;
  abstract hostInterruptOnPcpu(
    p: number,
    handling: number,
    cause: number,
    runningDevice?: boolean,
    reason?: number,
  ): void;
  protected abstract nicMaybeRaise(qi: number): void;
  protected abstract onArrival(qi: number, closed: number): void;
  protected abstract onArrivalMsi(qi: number): void;
  protected abstract onCsdAck(vc: Vcpu): void;
  protected abstract onGuestPollEnd(vc: Vcpu, gen: number): void;
  protected abstract onGuestTimer(vc: Vcpu): void;
  protected abstract onIdleBegin(vc: Vcpu): void;
  protected abstract onIpiFlush(vc: Vcpu): void;
  protected abstract onIpiSend(vc: Vcpu): void;
  protected abstract onIrqsOff(vc: Vcpu): void;
  protected abstract onIrqsOn(vc: Vcpu, gen: number): void;
  protected abstract onReschedSend(vc: Vcpu): void;
  protected abstract onShootdownSend(vc: Vcpu): void;
  protected abstract onSlice(p: number): void;
  protected abstract onStiShadowEnd(vc: Vcpu, gen: number): void;
  protected abstract pollStop(vc: Vcpu): void;
  protected abstract raiseDevice(qi: number): void;
  protected abstract rootDone(vc: Vcpu): void;
  abstract sampleWork(vc: Vcpu, vector: number): void;
  abstract scheduleGuest(vc: Vcpu): void;
  protected abstract switchOut(vc: Vcpu): void;
}
