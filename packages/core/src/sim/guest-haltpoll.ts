// Guest-side haltpoll (DESIGN §15): the cpuidle-haltpoll driver with the haltpoll governor
// (drivers/cpuidle/governors/haltpoll.c, drivers/cpuidle/poll_state.c), an option of the guest (default off).
// Two idle states: 0 = poll (poll_idle: spin in guest mode with interrupts enabled until need_resched() or
// poll_limit_ns from the start), 1 = halt (HLT/WFI). haltpoll_select: halt if poll_limit_ns is 0; after a poll
// that reached its time limit, halt; otherwise poll. haltpoll_reflect after a halt adapts the per-CPU
// poll_limit_ns with the halt's residency block_ns (adjust_poll_limit):
//   poll_limit_ns < block_ns ≤ guest_halt_poll_ns → × guest_halt_poll_grow, at least guest_halt_poll_grow_start,
//                                                   at most guest_halt_poll_ns
//   block_ns > guest_halt_poll_ns (and guest_halt_poll_allow_shrink) → ÷ guest_halt_poll_shrink (0 if shrink = 0)
// Defaults: guest_halt_poll_ns 200,000, grow 2, grow_start 50,000, shrink 2, allow_shrink true; poll_limit_ns
// starts at 0 (haltpoll_enable_device). An interrupt taken during the poll runs its handler and the poll goes on
// (poll_idle only stops on need_resched or its time limit); in the model the idle period's end (the guest timer)
// is the need_resched. The residency of a halt runs from HLT until the idle loop gets control back, i.e. after
// the handler of the interrupt that ended it, as cpuidle_enter_state measures it.

import { B } from './blocking-counters.ts';
import type { Counters } from './counters.ts';

export interface GuestHaltPollParams {
  /** Cycles: guest_halt_poll_ns. */
  max: number;
  grow: number;
  /** Cycles: guest_halt_poll_grow_start. */
  growStart: number;
  shrink: number;
  allowShrink: boolean;
}

export class GuestHaltPoll {
  /** 1: the vCPU's guest runs cpuidle-haltpoll. */
  readonly enabled: Uint8Array;
  /** Per-vCPU poll_limit_ns (cycles). */
  readonly limit: Float64Array;
  /** Parameters of each vCPU's VM (index into params). */
  private readonly paramOf: Int32Array;
  /** last_state_idx (0 poll, 1 halt) and poll_time_limit of the last poll. */
  private readonly lastPoll: Uint8Array;
  private readonly timeLimit: Uint8Array;
  /** End of the current poll window (cycles), and the HLT of the current halt state (−1 none). */
  readonly pollEnd: Float64Array;
  readonly haltAt: Float64Array;
  /** Generation of the poll-end event. */
  readonly gen: Int32Array;

  constructor(
    V: number,
    private readonly params: GuestHaltPollParams[],
    paramOf: Int32Array,
    private readonly cnt: Counters,
  ) {
    this.enabled = new Uint8Array(V);
    for (let i = 0; i < V; i++) this.enabled[i] = paramOf[i] >= 0 ? 1 : 0;
    this.paramOf = paramOf;
    this.limit = new Float64Array(V);
    this.lastPoll = new Uint8Array(V);
    this.timeLimit = new Uint8Array(V);
    this.pollEnd = new Float64Array(V);
    this.haltAt = new Float64Array(V).fill(-1);
    this.gen = new Int32Array(V);
  }

  /** haltpoll_select: true → enter the poll state (until pollEnd), false → halt. */
  selectPoll(i: number, now: number): boolean {
    if (this.limit[i] === 0) return false;
    if (this.lastPoll[i] !== 0 && this.timeLimit[i] !== 0) return false;
    this.cnt.blk[B['guestPoll.polls']]++;
    this.pollEnd[i] = now + this.limit[i];
    this.gen[i]++;
    return true;
  }

  /** The poll ended at its time limit (→ halt next) or on need_resched (the idle period ended). */
  pollDone(i: number, timedOut: boolean): void {
    this.cnt.blk[B[timedOut ? 'guestPoll.timedOut' : 'guestPoll.woken']]++;
    this.lastPoll[i] = 1;
    this.timeLimit[i] = timedOut ? 1 : 0;
    this.gen[i]++;
  }

  /** The guest executes HLT/WFI as its idle state 1. */
  halted(i: number, now: number): void {
    this.haltAt[i] = now;
  }

  /** The idle loop has control again after a halt: haltpoll_reflect(1) → adjust_poll_limit(block_ns). */
  haltReturned(i: number, now: number): void {
    const at = this.haltAt[i];
    if (at < 0) return;
    this.haltAt[i] = -1;
    this.lastPoll[i] = 0;
    const p = this.params[this.paramOf[i]];
    const block = now - at;
    if (block > this.limit[i] && block <= p.max) {
      let v = this.limit[i] * p.grow;
      if (v < p.growStart) v = p.growStart;
      if (v > p.max) v = p.max;
      this.limit[i] = v;
    } else if (block > p.max && p.allowShrink) {
      this.limit[i] = p.shrink === 0 ? 0 : Math.floor(this.limit[i] / p.shrink);
    }
  }
}
