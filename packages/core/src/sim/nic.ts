// NIC receive queues with NAPI (DESIGN §18): the bounded RX ring of each queue, its interrupt mask, moderation state
// (ITR interval, frame count, adaptive ITR) and the per-vCPU NAPI poll lists. Plain typed arrays sized at setup; no
// allocation per packet. The engine drives it: packet arrivals, the hard-IRQ handler (napi_schedule), the softirq
// poll (one packet at a time, interruptible) and napi_complete_done.

import type { QueueDesc } from './topology.ts';

// Adaptive ITR (ixgbevf_update_itr / ixgbevf_set_itr, drivers/net/ethernet/intel/ixgbevf/ixgbevf_main.c): three latency
// classes picked from bytes per µs of the last interrupt interval; EITR values are µs << 2 (IXGBE_100K_ITR 40 = 10 µs,
// IXGBE_20K_ITR 200 = 50 µs, IXGBE_12K_ITR 336 = 84 µs; ixgbe.h, docs/costs.md F32).
export const LOWEST_LATENCY = 0;
export const LOW_LATENCY = 1;
export const BULK_LATENCY = 2;
export const IXGBE_100K_ITR = 40;
export const IXGBE_20K_ITR = 200;
export const IXGBE_12K_ITR = 336;

/** ixgbevf_update_itr: the next latency class from the bytes seen over the last interval (bytes_perint = bytes/µs). */
export function updateItrClass(cls: number, packets: number, bytes: number, itrReg: number): number {
  if (packets === 0) return cls;
  const timepassedUs = itrReg >> 2;
  if (timepassedUs === 0) return cls;
  const bytesPerint = Math.floor(bytes / timepassedUs);
  switch (cls) {
    case LOWEST_LATENCY:
      return bytesPerint > 10 ? LOW_LATENCY : cls;
    case LOW_LATENCY:
      return bytesPerint > 20 ? BULK_LATENCY : bytesPerint <= 10 ? LOWEST_LATENCY : cls;
    default:
      return bytesPerint <= 20 ? LOW_LATENCY : cls;
  }
}

/** ixgbevf_set_itr: the EITR value for a class, exponentially smoothed against the current one. */
export function setItr(cls: number, itrReg: number): number {
  const target = cls === LOWEST_LATENCY ? IXGBE_100K_ITR : cls === LOW_LATENCY ? IXGBE_20K_ITR : IXGBE_12K_ITR;
  if (target === itrReg) return itrReg;
  return Math.floor((10 * target * itrReg) / (9 * target + itrReg));
}

export class NicQueues {
  /** RX ring of each NAPI queue: arrival times (cycles), circular, [base, base + cap). */
  private readonly ring: Float64Array;
  private readonly base: Int32Array;
  private readonly cap: Int32Array;
  private readonly head: Int32Array;
  readonly len: Int32Array;
  /** The queue's interrupt is masked (auto-masked when raised, EIAM; re-enabled by napi_complete_done). */
  readonly masked: Uint8Array;
  /** NAPI is scheduled (on its vCPU's poll list). */
  readonly scheduled: Uint8Array;
  /** Events since the last interrupt (moderation count). */
  readonly sinceIrq: Float64Array;
  /** Adaptive ITR: EITR value (µs << 2), latency class, packets since the last update. */
  readonly itrReg: Float64Array;
  readonly itrClass: Uint8Array;
  readonly itrPackets: Float64Array;
  /** Per vCPU: FIFO of NAPI queues to poll (net_rx_action's poll list). */
  private readonly pollArr: Int32Array;
  private readonly pollBase: Int32Array;
  private readonly pollCap: Int32Array;
  private readonly pollHead: Int32Array;
  readonly pollLen: Int32Array;
  /** Per vCPU: FIFO of closed-loop requests waiting for (or in) process-context work: queue and arrival time. */
  private readonly appQ: Int32Array;
  private readonly appT: Float64Array;
  private readonly appBase: Int32Array;
  private readonly appCap: Int32Array;
  private readonly appHead: Int32Array;
  readonly appLen: Int32Array;
  /** vcpu × 256 + vector → NAPI queue index, or -1; empty when no queue uses NAPI (`any` false: never read). */
  readonly napiOf: Int32Array;
  readonly any: boolean;

  constructor(
    private readonly queues: readonly QueueDesc[],
    V: number,
    private readonly freqGHz: number,
  ) {
    const Q = queues.length;
    this.base = new Int32Array(Q);
    this.cap = new Int32Array(Q);
    this.head = new Int32Array(Q);
    this.len = new Int32Array(Q);
    this.masked = new Uint8Array(Q);
    this.scheduled = new Uint8Array(Q);
    this.sinceIrq = new Float64Array(Q);
    this.itrReg = new Float64Array(Q).fill(IXGBE_20K_ITR); // ixgbevf_configure_msix: rx_itr_setting 1 → 20K
    this.itrClass = new Uint8Array(Q); // kzalloc'd ring container: lowest_latency
    this.itrPackets = new Float64Array(Q);
    // 1 KiB per vCPU, so only when some queue polls (a fleet without NAPI at 10^5 vCPUs would carry 100 MB of -1).
    const napi = queues.some((q) => q.napi !== null);
    this.napiOf = new Int32Array(napi ? V * 256 : 0).fill(-1);
    const perVcpu = new Int32Array(V);
    let total = 0;
    queues.forEach((q, qi) => {
      if (!q.napi) return;
      this.base[qi] = total;
      this.cap[qi] = q.napi.ring;
      total += q.napi.ring;
      this.napiOf[q.vcpu * 256 + q.vector] = qi;
      perVcpu[q.vcpu]++;
    });
    this.any = total > 0;
    this.ring = new Float64Array(total);
    this.pollBase = new Int32Array(V);
    this.pollCap = new Int32Array(V);
    this.pollHead = new Int32Array(V);
    this.pollLen = new Int32Array(V);
    let pt = 0;
    for (let v = 0; v < V; v++) {
      this.pollBase[v] = pt;
      this.pollCap[v] = perVcpu[v];
      pt += perVcpu[v];
    }
    this.pollArr = new Int32Array(pt);
    const appPer = new Int32Array(V);
    for (const q of queues) if (q.app !== null) appPer[q.vcpu] += q.clients;
    this.appBase = new Int32Array(V);
    this.appCap = new Int32Array(V);
    this.appHead = new Int32Array(V);
    this.appLen = new Int32Array(V);
    let at = 0;
    for (let v = 0; v < V; v++) {
      this.appBase[v] = at;
      this.appCap[v] = appPer[v];
      at += appPer[v];
    }
    this.appQ = new Int32Array(at);
    this.appT = new Float64Array(at);
  }

  /** A closed-loop request reaches the application on `vcpu` (at most `clients` are outstanding per queue). */
  appPush(vcpu: number, qi: number, arrived: number): void {
    const k = this.appBase[vcpu] + ((this.appHead[vcpu] + this.appLen[vcpu]) % this.appCap[vcpu]);
    this.appQ[k] = qi;
    this.appT[k] = arrived;
    this.appLen[vcpu]++;
  }

  appHeadQueue(vcpu: number): number {
    return this.appQ[this.appBase[vcpu] + this.appHead[vcpu]];
  }

  /** Removes the application's head request; returns its arrival time. */
  appShift(vcpu: number): number {
    const t = this.appT[this.appBase[vcpu] + this.appHead[vcpu]];
    this.appHead[vcpu] = (this.appHead[vcpu] + 1) % this.appCap[vcpu];
    this.appLen[vcpu]--;
    return t;
  }

  /** Visits the arrival time of every request still waiting for the application on `vcpu`. */
  forEachApp(vcpu: number, visit: (t: number) => void): void {
    const c = this.appCap[vcpu];
    for (let k = 0; k < this.appLen[vcpu]; k++) visit(this.appT[this.appBase[vcpu] + ((this.appHead[vcpu] + k) % c)]);
  }

  /** A packet arrives at time t: false when the ring is full (dropped). */
  push(qi: number, t: number): boolean {
    const n = this.len[qi];
    if (n >= this.cap[qi]) return false;
    this.ring[this.base[qi] + ((this.head[qi] + n) % this.cap[qi])] = t;
    this.len[qi] = n + 1;
    return true;
  }

  /** Arrival time of the oldest packet in the ring (len > 0). */
  peek(qi: number): number {
    return this.ring[this.base[qi] + this.head[qi]];
  }

  /** Removes the oldest packet; returns its arrival time. */
  shift(qi: number): number {
    const t = this.ring[this.base[qi] + this.head[qi]];
    this.head[qi] = (this.head[qi] + 1) % this.cap[qi];
    this.len[qi]--;
    return t;
  }

  /** Visits the arrival time of every packet still in qi's ring. */
  forEachInRing(qi: number, visit: (t: number) => void): void {
    for (let k = 0; k < this.len[qi]; k++) visit(this.ring[this.base[qi] + ((this.head[qi] + k) % this.cap[qi])]);
  }

  /** napi_schedule: puts qi on its vCPU's poll list unless it is already scheduled. */
  schedule(vcpu: number, qi: number): void {
    if (this.scheduled[qi] !== 0) return;
    this.scheduled[qi] = 1;
    const c = this.pollCap[vcpu];
    this.pollArr[this.pollBase[vcpu] + ((this.pollHead[vcpu] + this.pollLen[vcpu]) % c)] = qi;
    this.pollLen[vcpu]++;
  }

  /** Head of vCPU's poll list, or -1. */
  pollHeadQueue(vcpu: number): number {
    return this.pollLen[vcpu] === 0 ? -1 : this.pollArr[this.pollBase[vcpu] + this.pollHead[vcpu]];
  }

  /** Removes the head of the poll list (napi_complete_done) or moves it to the tail (budget used: poll again). */
  pollPop(vcpu: number, requeue: boolean): void {
    const c = this.pollCap[vcpu];
    const qi = this.pollArr[this.pollBase[vcpu] + this.pollHead[vcpu]];
    this.pollHead[vcpu] = (this.pollHead[vcpu] + 1) % c;
    this.pollLen[vcpu]--;
    if (requeue) {
      this.pollArr[this.pollBase[vcpu] + ((this.pollHead[vcpu] + this.pollLen[vcpu]) % c)] = qi;
      this.pollLen[vcpu]++;
    } else this.scheduled[qi] = 0;
  }

  /** Current moderation interval of qi in cycles (adaptive: the EITR value; else the configured minInterval). */
  interval(qi: number): number {
    const q = this.queues[qi];
    if (!q.adaptive) return q.minInterval;
    return Math.round((this.itrReg[qi] / 4) * 1000 * this.freqGHz);
  }

  /** After a NAPI poll completes (ixgbevf_poll → ixgbevf_set_itr): retune the adaptive ITR from the packets seen. */
  retune(qi: number): void {
    const q = this.queues[qi];
    if (!q.adaptive || !q.napi) return;
    const packets = this.itrPackets[qi];
    this.itrClass[qi] = updateItrClass(this.itrClass[qi], packets, packets * q.napi.packetBytes, this.itrReg[qi]);
    if (packets > 0) this.itrPackets[qi] = 0;
    this.itrReg[qi] = setItr(this.itrClass[qi], this.itrReg[qi]);
  }
}
