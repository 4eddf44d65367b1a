// KVM halt-polling on the host side of HLT/WFI exits (DESIGN §15; virt/kvm/kvm_main.c kvm_vcpu_halt,
// grow_halt_poll_ns, shrink_halt_poll_ns, update_halt_poll_stats; include/linux/kvm_host.h kvm_vcpu_can_poll).
// Module parameters and defaults: halt_poll_ns = KVM_HALT_POLL_NS_DEFAULT (x86 200,000 ns, arm64 500,000 ns),
// halt_poll_ns_grow 2, halt_poll_ns_grow_start 10,000 ns, halt_poll_ns_shrink 0. Each vCPU has its own
// halt_poll_ns, starting at 0 (so the first halts never poll) and adapted after every halt:
//   halt_ns ≤ halt_poll_ns                         → unchanged
//   halt_poll_ns > 0 and halt_ns > max             → shrink (÷ shrink, 0 when shrink = 0 or below grow_start)
//   halt_poll_ns < max and halt_ns < max           → grow (× grow, at least grow_start)
// where halt_ns runs from the start of kvm_vcpu_halt until it returns (polling and blocking included). The poll
// itself runs while single_task_running() && !need_resched() (kvm_vcpu_can_poll): the engine ends it when another
// vCPU becomes runnable on the pCPU. x86's kvm_arch_no_poll: no polling (and no adaptation) when the guest
// cleared MSR_KVM_POLL_CONTROL bit 0 — cpuidle-haltpoll does (arch_haltpoll_enable → kvm_disable_host_haltpoll).

import { B } from './blocking-counters.ts';
import type { Counters } from './counters.ts';

export interface HaltPollParams {
  /** Cycles: the module's halt_poll_ns (0 disables polling). */
  max: number;
  grow: number;
  /** Cycles: halt_poll_ns_grow_start. */
  growStart: number;
  shrink: number;
}

export class HaltPoll {
  /** Per-vCPU halt_poll_ns (cycles). */
  readonly pollNs: Float64Array;
  /** Start of the current kvm_vcpu_halt (cycles), −1 outside one. */
  readonly haltStart: Float64Array;
  /** 1 while the vCPU busy-polls (the pCPU is not available to others). */
  readonly polling: Uint8Array;
  /** kvm_arch_no_poll per vCPU. */
  readonly noPoll: Uint8Array;

  constructor(
    V: number,
    readonly p: HaltPollParams,
    private readonly cnt: Counters,
  ) {
    this.pollNs = new Float64Array(V);
    this.haltStart = new Float64Array(V).fill(-1);
    this.polling = new Uint8Array(V);
    this.noPoll = new Uint8Array(V);
  }

  /**
   * kvm_vcpu_halt begins for vCPU i at `now`; `canPoll` = kvm_vcpu_can_poll at the start (no other runnable
   * thread on the pCPU). Returns the cycles to poll (0: block at once).
   */
  begin(i: number, now: number, canPoll: boolean): number {
    const b = this.cnt.blk;
    b[B['haltPoll.halts']]++;
    this.haltStart[i] = now;
    if (this.pollNs[i] > this.p.max) this.pollNs[i] = this.p.max;
    const doPoll = this.noPoll[i] === 0 && this.pollNs[i] > 0;
    if (!doPoll) return 0;
    b[B['haltPoll.attempted']]++;
    if (!canPoll) {
      b[B['haltPoll.failed']]++; // the loop checks once, then kvm_vcpu_can_poll is false
      return 0;
    }
    this.polling[i] = 1;
    return this.pollNs[i];
  }

  /** The poll of vCPU i ends at `now`: a wake event (success) or not (it blocks next). */
  pollDone(i: number, now: number, success: boolean): void {
    const b = this.cnt.blk;
    this.polling[i] = 0;
    const d = now - this.haltStart[i];
    b[B['haltPoll.polledCycles']] += d;
    if (success) {
      b[B['haltPoll.successful']]++;
      b[B['haltPoll.successCycles']] += d;
    } else b[B['haltPoll.failed']]++;
  }

  /** kvm_vcpu_halt returns at `now` (the vCPU runs again): adapt halt_poll_ns. */
  end(i: number, now: number): void {
    const start = this.haltStart[i];
    if (start < 0) return;
    this.haltStart[i] = -1;
    this.cnt.blk[B['haltPoll.ended']]++;
    if (this.noPoll[i] !== 0) return; // halt_poll_allowed false: no adaptation
    const haltNs = now - start;
    const max = this.p.max;
    const cur = this.pollNs[i];
    if (max === 0) {
      this.pollNs[i] = 0;
      return;
    }
    if (haltNs <= cur) return;
    if (cur > 0 && haltNs > max) this.shrinkPoll(i);
    else if (cur < max && haltNs < max) this.growPoll(i);
  }

  private growPoll(i: number): void {
    this.cnt.blk[B['haltPoll.grows']]++;
    if (this.p.grow === 0) return;
    let v = this.pollNs[i] * this.p.grow;
    if (v < this.p.growStart) v = this.p.growStart;
    this.pollNs[i] = v;
  }

  private shrinkPoll(i: number): void {
    this.cnt.blk[B['haltPoll.shrinks']]++;
    let v = this.p.shrink === 0 ? 0 : Math.floor(this.pollNs[i] / this.p.shrink);
    if (v < this.p.growStart) v = 0;
    this.pollNs[i] = v;
  }

  /** End of the run: a halt in progress is counted, its poll's cycles up to `end` too. */
  atEnd(i: number, end: number): void {
    if (this.haltStart[i] < 0) return;
    const b = this.cnt.blk;
    b[B['haltPoll.haltedAtEnd']]++;
    if (this.polling[i] !== 0) {
      b[B['haltPoll.pollingAtEnd']]++;
      b[B['haltPoll.polledCycles']] += end - this.haltStart[i];
    }
  }
}
