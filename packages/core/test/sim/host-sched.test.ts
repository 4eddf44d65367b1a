// DESIGN §15: the host scheduler (sim/host-sched.ts) — CFS as of Linux v6.5 and the round-robin policy — and KVM's
// halt-polling and the guest's haltpoll governor as pure state machines.

import { describe, expect, it } from 'vitest';
import { B, NUM_BLOCKING_SLOTS } from '../../src/sim/blocking-counters.ts';
import { Counters } from '../../src/sim/counters.ts';
import { GuestHaltPoll } from '../../src/sim/guest-haltpoll.ts';
import { HaltPoll } from '../../src/sim/halt-poll.ts';
import { cfsSliceNs, cfsTunablesNs, HostSched } from '../../src/sim/host-sched.ts';

const MS = 1e6; // ns, at 1 GHz also cycles

describe('CFS (kernel/sched/fair.c v6.5 defaults)', () => {
  it('tunables scale by 1 + ilog2(min(ncpus, 8)) (SCHED_TUNABLESCALING_LOG)', () => {
    expect([1, 2, 4, 8, 64].map((n) => cfsTunablesNs(n).factor)).toEqual([1, 2, 3, 4, 4]);
    const t = cfsTunablesNs(4);
    expect([t.latency, t.minGranularity, t.wakeupGranularity]).toEqual([18 * MS, 2.25 * MS, 3 * MS]);
    // sched_period: sched_latency up to sched_nr_latency threads, then nr × min_granularity.
    expect(cfsSliceNs(1, 2)).toBe(3 * MS);
    expect(cfsSliceNs(1, 8)).toBe(0.75 * MS);
    expect(cfsSliceNs(1, 10)).toBe(0.75 * MS);
  });

  it('picks the queued vCPU with the smallest vruntime; round-robin picks in FIFO order', () => {
    const cfs = new HostSched('cfs', 1, 3, 3, 1, 1);
    cfs.run(0, 0, 0);
    cfs.stop(0, 5 * MS); // vCPU 0 ran 5 ms
    cfs.enqueue(0, 0);
    cfs.enqueue(0, 1);
    cfs.enqueue(0, 2);
    cfs.run(0, cfs.pick(0), 5 * MS);
    expect(cfs.curr[0]).toBe(1); // vruntime 0, lowest index among ties
    cfs.stop(0, 6 * MS);
    cfs.enqueue(0, 1);
    expect(cfs.pick(0)).toBe(2);
    const rr = new HostSched('round-robin', 1, 3, 3, 1, 1);
    for (const i of [2, 0, 1]) rr.enqueue(0, i);
    expect([rr.pick(0), rr.pick(0), rr.pick(0), rr.pick(0)]).toEqual([2, 0, 1, -1]);
  });

  it('a woken vCPU preempts the running one only when it is behind by more than the wake-up granularity', () => {
    // 1 CPU: wakeup_granularity 1 ms, sched_latency 6 ms (a waking thread is placed at most 3 ms behind).
    const s = new HostSched('cfs', 1, 2, 2, 1, 1);
    s.run(0, 0, 0);
    s.placeWaking(0, 1, 0.5 * MS);
    s.enqueue(0, 1);
    expect(s.wakeupPreempts(0, 1, 0.5 * MS)).toBe(false); // vCPU 0 is 0.5 ms ahead
    expect(s.wakeupPreempts(0, 1, 1.5 * MS)).toBe(true); // 1.5 ms ahead > 1 ms
    const rr = new HostSched('round-robin', 1, 2, 2, 1, 1);
    rr.run(0, 0, 0);
    rr.enqueue(0, 1);
    expect(rr.wakeupPreempts(0, 1, 100 * MS)).toBe(false);
  });

  it('a long sleeper is placed sched_latency/2 behind min_vruntime, not further (GENTLE_FAIR_SLEEPERS)', () => {
    const s = new HostSched('cfs', 1, 2, 2, 1, 1);
    s.run(0, 0, 0);
    s.placeWaking(0, 1, 100 * MS); // vCPU 1 slept 100 ms at vruntime 0; vCPU 0 is at 100 ms
    s.enqueue(0, 1);
    // behind by exactly 3 ms: preempts (> 1 ms granularity) …
    expect(s.wakeupPreempts(0, 1, 100 * MS)).toBe(true);
    s.stop(0, 100 * MS);
    s.enqueue(0, 0);
    s.run(0, s.pick(0), 100 * MS);
    expect(s.curr[0]).toBe(1);
    // … and gets 3 ms of catch-up, not 100: after 3.0 ms vCPU 0 is the leftmost again by a tie, after 4 ms clearly.
    expect(s.tickPreempts(0, 104 * MS)).toBe(true); // ran 4 ms > ideal slice 3 ms (6 ms / 2)
  });

  it('tick preemption: after the ideal slice; not before min_granularity; round-robin whenever a vCPU waits', () => {
    const s = new HostSched('cfs', 1, 2, 2, 1, 1);
    s.run(0, 0, 0);
    expect(s.tickPreempts(0, 10 * MS)).toBe(false); // nobody waits
    s.enqueue(0, 1);
    expect(s.tickPreempts(0, 0.5 * MS)).toBe(false); // below min_granularity 0.75 ms
    expect(s.tickPreempts(0, 2.9 * MS)).toBe(false); // ahead by 2.9 ms ≤ ideal 3 ms
    expect(s.tickPreempts(0, 3.1 * MS)).toBe(true); // ran more than sched_latency / 2
    const rr = new HostSched('round-robin', 1, 2, 2, 1, 1);
    rr.run(0, 0, 0);
    expect(rr.tickPreempts(0, 1)).toBe(false);
    rr.enqueue(0, 1);
    expect(rr.tickPreempts(0, 1)).toBe(true);
  });
});

describe('KVM halt-polling (kvm_vcpu_halt, grow_halt_poll_ns, shrink_halt_poll_ns)', () => {
  const params = { max: 200_000, grow: 2, growStart: 10_000, shrink: 0 }; // x86 defaults at 1 GHz
  const blk = (c: Counters, n: keyof typeof B) => c.blk[B[n]];

  it('halt_poll_ns starts at 0, grows to grow_start after a short halt, doubles, and a long halt resets it', () => {
    const c = new Counters();
    const h = new HaltPoll(1, params, c);
    const seq: number[] = [];
    let t = 0;
    const halt = (len: number) => {
      const poll = h.begin(0, t, true);
      if (poll > 0 && len <= poll) h.pollDone(0, t + len, true);
      else if (poll > 0) h.pollDone(0, t + poll, false);
      h.end(0, t + len);
      t += len + 1000;
      seq.push(h.pollNs[0]);
    };
    for (let k = 0; k < 6; k++) halt(150_000); // shorter than halt_poll_ns (200 µs)
    expect(seq).toEqual([10_000, 20_000, 40_000, 80_000, 160_000, 160_000]); // 160 µs ≥ the 150 µs halts
    halt(300_000); // longer than the maximum: shrink, and halt_poll_ns_shrink = 0 resets
    expect(h.pollNs[0]).toBe(0);
    expect(blk(c, 'haltPoll.halts')).toBe(7);
    expect(blk(c, 'haltPoll.attempted')).toBe(6); // the first halt did not poll
    expect(blk(c, 'haltPoll.successful')).toBe(1); // only the 160 µs poll outlasted a 150 µs halt
    expect(blk(c, 'haltPoll.grows')).toBe(5);
    expect(blk(c, 'haltPoll.shrinks')).toBe(1);
  });

  it('grows past a halt longer than max only up to max (clamped at the next halt)', () => {
    const h = new HaltPoll(1, { ...params, max: 30_000 }, new Counters());
    h.pollNs[0] = 20_000;
    h.begin(0, 0, true);
    h.pollDone(0, 20_000, false);
    h.end(0, 25_000); // 25 µs < max and > halt_poll_ns: grow to 40 µs
    expect(h.pollNs[0]).toBe(40_000);
    expect(h.begin(0, 100_000, true)).toBe(30_000);
  });

  it('does not poll while another thread is runnable (kvm_vcpu_can_poll): an attempt that fails at once', () => {
    const c = new Counters();
    const h = new HaltPoll(1, params, c);
    h.pollNs[0] = 50_000;
    expect(h.begin(0, 0, false)).toBe(0);
    expect([blk(c, 'haltPoll.attempted'), blk(c, 'haltPoll.failed'), blk(c, 'haltPoll.polledCycles')]).toEqual([
      1, 1, 0,
    ]);
  });

  it('kvm_arch_no_poll (guest cleared MSR_KVM_POLL_CONTROL): no poll, halt_poll_ns left alone', () => {
    const c = new Counters();
    const h = new HaltPoll(1, params, c);
    h.noPoll[0] = 1;
    h.pollNs[0] = 50_000;
    expect(h.begin(0, 0, true)).toBe(0);
    h.end(0, 1000);
    expect(h.pollNs[0]).toBe(50_000);
    expect(blk(c, 'haltPoll.attempted')).toBe(0);
  });
});

describe('guest haltpoll governor (drivers/cpuidle/governors/haltpoll.c)', () => {
  const p = { max: 200_000, grow: 2, growStart: 50_000, shrink: 2, allowShrink: true };

  it('halts while poll_limit_ns is 0, grows from grow_start, caps at guest_halt_poll_ns, halves after a long halt', () => {
    const g = new GuestHaltPoll(1, [p], Int32Array.of(0), new Counters());
    expect(g.selectPoll(0, 0)).toBe(false); // poll_limit_ns = 0 at enable
    const haltFor = (t: number, len: number) => {
      g.halted(0, t);
      g.haltReturned(0, t + len);
    };
    haltFor(0, 30_000);
    expect(g.limit[0]).toBe(50_000); // 0 × 2 < grow_start
    haltFor(100_000, 120_000);
    expect(g.limit[0]).toBe(100_000);
    haltFor(300_000, 190_000);
    expect(g.limit[0]).toBe(200_000);
    haltFor(600_000, 150_000); // 150 µs ≤ poll_limit_ns: unchanged
    expect(g.limit[0]).toBe(200_000);
    haltFor(900_000, 500_000); // > guest_halt_poll_ns: ÷ 2
    expect(g.limit[0]).toBe(100_000);
  });

  it('after a halt it polls; after a poll that reached its limit it halts; after a woken poll it polls again', () => {
    const c = new Counters();
    const g = new GuestHaltPoll(1, [p], Int32Array.of(0), c);
    g.limit[0] = 50_000;
    expect(g.selectPoll(0, 0)).toBe(true);
    expect(g.pollEnd[0]).toBe(50_000);
    g.pollDone(0, true);
    expect(g.selectPoll(0, 50_000)).toBe(false);
    g.halted(0, 50_000);
    g.haltReturned(0, 60_000);
    expect(g.selectPoll(0, 60_000)).toBe(true);
    g.pollDone(0, false);
    expect(g.selectPoll(0, 70_000)).toBe(true);
    expect([c.blk[B['guestPoll.polls']], c.blk[B['guestPoll.timedOut']], c.blk[B['guestPoll.woken']]]).toEqual([
      3, 1, 1,
    ]);
  });
});

describe('blocking counters', () => {
  it('add exactly across shards and their invariants can fail', async () => {
    const { blockingInvariants } = await import('../../src/sim/blocking-counters.ts');
    const a = new Counters();
    const b = new Counters();
    a.blk[B['pi.snSuppressed']] = 2;
    a.blk[B['pi.postsToPreempted']] = 5;
    b.blk[B['pi.snFoundAtLoad']] = 2;
    a.add(b);
    expect(a.blk.length).toBe(NUM_BLOCKING_SLOTS);
    expect(blockingInvariants(a.blk).every(([, ok]) => ok)).toBe(true);
    a.blk[B['pi.snFoundAtLoad']] = 1; // one SN-suppressed post lost
    const bad = blockingInvariants(a.blk).filter(([, ok]) => !ok);
    expect(bad.map(([n]) => n)).toEqual([
      'every SN-suppressed post is found in PIR at vcpu_load or is still pending at the end',
    ]);
  });
});
