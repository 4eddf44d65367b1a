// Devices (DESIGN §7, §18): arrival processes, interrupt moderation, MSIs, and the NIC receive path with NAPI
// (RX rings, softirq polls, the closed-loop server application).

import type { Sampler } from './distributions.ts';
import { EventLoop } from './event-loop.ts';
import { EV_ARRIVAL, EV_ARRIVAL_MSI, EV_DEV_IRQ, EV_MSI } from './events.ts';
import { ARR_CLOSED } from './topology.ts';
import { KIND_DEVICE, type Vcpu } from './vcpu.ts';

export abstract class Devices extends EventLoop {
  /** An arrival raises its MSI at once: no moderation, no NAPI (one event per interrupt). */
  protected directMsi(qi: number): boolean {
    const q = this.topo.queues[qi];
    return q.minInterval === 0 && q.maxFrames === 0 && q.napi === null;
  }

  /** A closed-loop client's think time (≥ 1 cycle), from the queue's stream. */
  protected thinkTime(qi: number): number {
    const q = this.topo.queues[qi];
    return Math.max(1, (q.think as Sampler)(this.rng, 3 * this.V + qi));
  }

  /** Process-context work of the application's head request (per-packet stream of its queue). */
  protected appWork(vc: Vcpu): number {
    const qi = this.nic.appHeadQueue(vc.index);
    return (this.topo.queues[qi].app as Sampler)(this.rng, this.streamPacket0 + qi);
  }

  /** The guest has softirq or closed-loop application work to do before its own work or its idle loop. */
  protected kernelBusy(vc: Vcpu): boolean {
    if (!this.nic.any) return false;
    const i = vc.index;
    return vc.softirqQ >= 0 || this.nic.pollLen[i] > 0 || this.nic.appLen[i] > 0;
  }

  /** A NAPI poll is scheduled on vc (its hard-IRQ handler ran) but the softirq has not started it yet. */
  protected pollWaiting(vc: Vcpu): boolean {
    return vc.softirqQ < 0 && this.nic.any && this.nic.pollLen[vc.index] > 0;
  }

  /** net_rx_action: poll the next packet of vc's poll list, or end the softirq when nothing is left. */
  protected pollOrEnd(vc: Vcpu): void {
    if (!this.softirqNext(vc)) this.softirqEnd(vc);
  }

  /** An unmoderated queue's arrival at now − msiDelivery, its MSI arriving now; schedules the next one. */
  protected onArrivalMsi(qi: number): void {
    const msi = this.c.msiDelivery;
    const raisedAt = this.now - msi;
    const next = this.arrivals.next(qi, raisedAt);
    if (next !== Number.POSITIVE_INFINITY) this.schedule(next + msi, this.P + this.V + qi, EV_ARRIVAL_MSI, qi, 0, 0);
    const q = this.topo.queues[qi];
    if (this.trace !== null) this.trace(raisedAt, q.vcpu, 'ASSERT', qi); // the device raised it msiDelivery ago
    const vc = this.vcpus[q.vcpu];
    this.countRaised(vc, q.vector, KIND_DEVICE);
    this.scheme.deviceInterrupt(this.sim, vc, q.vector, raisedAt);
  }

  /** A device event: `closed` = 1 for a closed-loop request (its successor follows its response, not this event). */
  protected onArrival(qi: number, closed: number): void {
    const e = this.P + this.V + qi;
    if (closed === 0) {
      const next = this.arrivals.next(qi, this.now);
      if (next !== Number.POSITIVE_INFINITY) this.schedule(next, e, EV_ARRIVAL, qi, 0, 0);
    }
    const q = this.topo.queues[qi];
    if (q.napi !== null) return this.nicArrival(qi);
    this.nic.sinceIrq[qi]++;
    if (this.moderationAllows(qi, q.minInterval)) this.raiseDevice(qi);
  }

  /**
   * Interrupt moderation (ITR, frame count): true when qi may interrupt now — no interval, the interval since its
   * last interrupt has passed, or `maxFrames` events arrived since; otherwise the interrupt is held until the
   * interval has passed (one EV_DEV_IRQ), and the events meanwhile share it.
   */
  protected moderationAllows(qi: number, itr: number): boolean {
    const due = this.qLastIrq[qi] + itr;
    const q = this.topo.queues[qi];
    if (itr === 0 || this.now >= due || (q.maxFrames > 0 && this.nic.sinceIrq[qi] >= q.maxFrames)) return true;
    if (this.qDeferred[qi] === 0) {
      this.qDeferred[qi] = 1;
      this.schedule(due, this.P + this.V + qi, EV_DEV_IRQ, qi, 0, 0);
    }
    return false;
  }

  protected raiseDevice(qi: number): void {
    const q = this.topo.queues[qi];
    if (this.trace !== null) this.trace(this.now, q.vcpu, 'ASSERT', qi);
    this.qLastIrq[qi] = this.now;
    this.nic.sinceIrq[qi] = 0;
    this.schedule(this.now + this.c.msiDelivery, this.P + this.V + qi, EV_MSI, q.vcpu, q.vector, this.now);
  }

  /** A packet reaches the RX ring (or is dropped: ring full); the device then decides whether to interrupt. */
  protected nicArrival(qi: number): void {
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
  protected nicMaybeRaise(qi: number): void {
    const nic = this.nic;
    if (nic.masked[qi] !== 0 || nic.len[qi] === 0) return;
    if (!this.moderationAllows(qi, nic.interval(qi))) return;
    nic.masked[qi] = 1; // EIAM: the MSI-X vector masks itself when it fires
    this.cnt.napiIrqs++;
    this.raiseDevice(qi);
  }

  /**
   * net_rx_action on vc: poll the head of its poll list, one packet at a time (each an interruptible step of guest
   * work at `perPacket`); a poll ends when it has used its budget (the queue goes to the tail and is polled again) or
   * the ring is empty (napi_complete_done: the driver retunes ITR, re-enables the interrupt). Returns false when there
   * is nothing to poll.
   */
  protected softirqNext(vc: Vcpu): boolean {
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
  protected packetDone(vc: Vcpu): void {
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
    this.pollOrEnd(vc);
  }

  /** A closed-loop response leaves: its client thinks, then sends the next request. */
  protected respond(qi: number, arrived: number): void {
    const cnt = this.cnt;
    cnt.requestsDone++;
    cnt.requestLatency.record(this.now - arrived);
    this.schedule(this.now + this.thinkTime(qi), this.P + this.V + qi, EV_ARRIVAL, qi, 1, 0);
  }

  /** The server application finished the head request's process-context work: the response leaves. */
  protected appDone(vc: Vcpu): void {
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
  protected softirqEnd(vc: Vcpu): void {
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
}
