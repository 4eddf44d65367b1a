// The event loop (DESIGN §7): scheduling with the (time, source, sequence) key, the one activity-end event per
// vCPU (DESIGN §19.2), cross-shard sends, the watchdog, and the dispatch of every event type to its concern.

import { CAUSE_HOST_TICK, CAUSE_IPI } from '../model/vocabulary.ts';
import {
  EV_ARRIVAL,
  EV_ARRIVAL_MSI,
  EV_CSD_ACK,
  EV_DEV_IRQ,
  EV_GUEST_POLL_END,
  EV_GUEST_TIMER,
  EV_HALT_POLL_END,
  EV_IDLE_BEGIN,
  EV_IPI_ARRIVE,
  EV_IPI_FLUSH,
  EV_IPI_SEND,
  EV_IRQS_OFF,
  EV_IRQS_ON,
  EV_MSI,
  EV_RESCHED_SEND,
  EV_SCHEME,
  EV_SHOOTDOWN_SEND,
  EV_SLICE,
  EV_STI_SHADOW_END,
  EV_TICK,
  EV_VCPU,
  EVENT_NAMES,
} from './events.ts';
import { NoProgressError, SimBase } from './sim-base.ts';
import { KIND_DEVICE, type Vcpu } from './vcpu.ts';

export abstract class EventLoop extends SimBase {
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

  protected noProgress(type: number, e: number): NoProgressError {
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

  protected dispatch(type: number, e: number, a0: number, a1: number): void {
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
        return this.scheme.deviceInterrupt(this.sim, vc, a0, a1);
      }
      case EV_TICK: {
        const next = this.now + this.topo.tickPeriod;
        this.schedule(next, e, EV_TICK, e, 0, 0);
        return this.hostTickOn(e);
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
        if (csdFrom < 0) return this.scheme.softwareInterrupt(this.sim, vc, vector, a1, CAUSE_IPI, tag);
        this.pat.csdQueued(vc, this.topo.vms[vc.vm].firstVcpu + csdFrom);
        this.exitTag = 2;
        this.scheme.softwareInterrupt(this.sim, vc, vector, a1, CAUSE_IPI, tag);
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
        return this.scheme.onSchemeEvent?.(this.sim, this.vcpus[e], a0);
      case EV_HALT_POLL_END: {
        const vc = this.vcpus[e];
        if (a0 !== vc.actGen || this.pollVcpu[vc.pcpu] !== e) return; // the poll already ended
        return this.pollStop(vc);
      }
      case EV_GUEST_POLL_END:
        return this.onGuestPollEnd(this.vcpus[e], a0);
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

  /** The host timer tick on pCPU p: the scheme's hostTick, or (none) a physical host interrupt on p. */
  hostTickOn(p: number): void {
    const sc = this.scheme;
    if (sc.hostTick === undefined) return this.hostInterruptOnPcpu(p, this.c.hostTickHandler, CAUSE_HOST_TICK);
    const cur = this.pcpuCur[p];
    sc.hostTick(this.sim, p, cur < 0 ? null : this.vcpus[cur]);
  }

  /** A scheme-owned event for vc at absolute time t (delivered to scheme.onSchemeEvent with a0); never crosses shards. */
  schemeAt(vc: Vcpu, t: number, a0: number): void {
    this.schedule(t, vc.entity, EV_SCHEME, vc.index, a0, 0);
  }

  /**
   * Schedules the end of vc's current timed activity at t, superseding the pending one: each vCPU has at most one
   * EV_VCPU event queued, moved in place (DESIGN §19.2). Its key is the one a fresh event would get (a new sequence
   * number of vc's entity), so the run is the one that pushing a new event and dropping the old gives.
   */
  protected activityAt(vc: Vcpu, t: number): void {
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
}
