// The discrete-event engine: virtual time in cycles, one typed-array event queue, pCPU scheduling of vCPUs, the
// guest program (work / handler / EOI / IRET / HLT), and the primitives a DeliveryScheme uses to express a path
// step by step (exit, root work, hardware stall, handler start, wake, kick). Deterministic: every random draw
// comes from an entity-owned stream and every tie breaks on (time, source entity, per-source sequence).
//
// Sim is the last link of the per-concern chain (sim-base.ts → … → host-scheduling.ts, DESIGN §19.4); this file
// holds the start of a run and the accounting (raised/coalesced counts, the books at the end).

import { B } from './blocking-counters.ts';
import {
  EV_ARRIVAL,
  EV_ARRIVAL_MSI,
  EV_IDLE_BEGIN,
  EV_IPI_SEND,
  EV_IRQS_OFF,
  EV_RESCHED_SEND,
  EV_SHOOTDOWN_SEND,
  EV_SLICE,
  EV_TICK,
} from './events.ts';
import { SCHED_CFS } from './host-sched.ts';
import { HostScheduling } from './host-scheduling.ts';
import { ARR_CLOSED } from './topology.ts';
import { PH_WORK, RUN_DESCHED, RUN_GUEST, type Vcpu } from './vcpu.ts';

export class Sim extends HostScheduling {
  /** Initial events: arrivals, ticks, idle periods, IPIs, slices; first vCPU on each pCPU starts running. */
  start(): void {
    const { topo, P, V } = this;
    for (const vc of this.ownVcpus) this.scheme.init(this, vc);
    // The first vCPU of each pCPU runs, the others queue — all queued before anything is loaded, so a vcpu_load
    // at t = 0 sees its pCPU's run queue as it is (KVM's single_task_running()).
    for (const vc of this.ownVcpus) {
      const p = vc.pcpu;
      if (this.pcpuCur[p] < 0) {
        this.pcpuCur[p] = vc.index;
        this.sched.run(p, vc.index, 0);
        this.cnt.blk[B['sched.loadedAtStart']]++;
      } else {
        vc.run = RUN_DESCHED;
        this.vcpuPut(vc, false);
        this.sched.enqueue(p, vc.index);
      }
    }
    for (const vc of this.ownVcpus) {
      if (this.pcpuCur[vc.pcpu] === vc.index) {
        vc.run = RUN_GUEST;
        this.vcpuLoad(vc);
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
        this.schedule(this.expGap(pat.reschedStream[i], pat.reschedMean[i]), vc.entity, EV_RESCHED_SEND, i, 0, 0);
      if (pat.shootMean[i] > 0)
        this.schedule(this.expGap(pat.shootStream[i], pat.shootMean[i]), vc.entity, EV_SHOOTDOWN_SEND, i, 0, 0);
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

  /** Counts a raised interrupt of `source` (KIND_*) and samples the handler work it brings (target's stream). */
  countRaised(vc: Vcpu, vector: number, source = vc.kinds[vector]): void {
    this.sampleWork(vc, vector);
    this.cnt.raised++;
    // By source, not by the vector's label: on x86 a device and the timer may share a vector.
    this.cnt.raisedByKind[source]++;
  }

  /** Samples the handler work an interrupt brings when it reaches its target (target's handler stream). */
  sampleWork(vc: Vcpu, vector: number): void {
    if (vc.perInterrupt[vector] === 0) vc.ledger.addWork(vector, vc.handlerCost[vector](this.rng, vc.streamHandler));
  }

  /** Bookkeeping for a scheme: `n` more in the overcommit/blocking counter `slot` (B of model/blocking-slots.ts). */
  countBlocking(slot: number, n = 1): void {
    this.cnt.blk[slot] += n;
  }

  /** Bookkeeping for a scheme: hardware cycles spent outside any guest segment (bare metal: a tick on a halted CPU). */
  countHwCycles(cycles: number): void {
    this.cnt.cycHw += cycles;
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
    for (const vc of this.ownVcpus) {
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
  protected finishRings(end: number): void {
    const cnt = this.cnt;
    this.topo.queues.forEach((q, qi) => {
      if (q.napi === null || !this.owns(q.vcpu)) return;
      cnt.pktInRing += this.nic.len[qi];
      this.nic.forEachInRing(qi, (t) => cnt.packetAgeAtEnd.record(end - t));
      if (q.process === ARR_CLOSED) cnt.requestsInGuest += this.nic.len[qi];
    });
    for (const vc of this.ownVcpus) cnt.requestsInGuest += this.nic.appLen[vc.index];
  }

  /** Interrupts pending at the end (after finish): in the schemes' structures plus those outside any. */
  pendingTotal(): number {
    let n = this.cnt.pendingOutside;
    for (const vc of this.ownVcpus) n += this.scheme.pendingCount(this, vc);
    return n;
  }
}

export { CROSS_SHARD_EVENTS } from './events.ts';
export {
  NoProgressError,
  type SchemeBinding,
  type SendFn,
  type ShardView,
  type SimOptions,
  type TraceFn,
} from './sim-base.ts';
