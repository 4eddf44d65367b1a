// DESIGN §15 through the engine: halt-polling, wake-up preemption and guest haltpoll on real paths, and the
// overcommit built-ins' counters (non-zero and conserved).

import { describe, expect, it } from 'vitest';
import { BUILTIN_SCENARIOS } from '../../src/scenario/builtin.ts';
import { ScenarioError, validateScenario } from '../../src/scenario/load.ts';
import type { ScenarioInput, SchemeId } from '../../src/scenario/schema.ts';
import { B } from '../../src/sim/blocking-counters.ts';
import type { Sim } from '../../src/sim/engine.ts';
import { simulate } from '../../src/simulate.ts';
import type { SchemeResult } from '../../src/stats/results.ts';
import { harness, microScenario, runAll } from '../helpers.ts';

const blk = (sim: Sim, n: keyof typeof B) => sim.cnt.blk[B[n]];

/** One idle-heavy vCPU alone on its pCPU with a periodic device: wake events come every 50 µs. */
const idleMicro = (scheme: SchemeId, patch: Partial<ScenarioInput> = {}): ScenarioInput =>
  microScenario(scheme, {
    duration: '5ms',
    vms: [
      {
        name: 'vm',
        vcpus: 1,
        guest: { handler: { dist: 'fixed', value: '1us' }, idle: { activeMean: '20us', idleMean: '2ms' } },
      },
    ],
    devices: [{ name: 'nic', vm: 'vm', vector: 0x41, arrival: { process: 'periodic', rate: 20_000 } }],
    ...patch,
  });

describe('KVM halt-polling through the engine', () => {
  it.each(['x86-vmx', 'x86-apicv-pi', 'x86-eli'] as const)(
    '%s: a wake event during the poll resumes the vCPU without schedule-out/in',
    (scheme) => {
      const h = harness(scheme, idleMicro(scheme));
      const t: string[] = [];
      h.sim.trace = (_t, _v, what) => {
        if (what === 'HALT_POLL' || what === 'POLL_WAKE' || what === 'BLOCK' || what === 'WAKE') t.push(what);
      };
      h.sim.runUntil(h.sim.topo.durationCycles);
      h.sim.finish(h.sim.topo.durationCycles);
      const sim = h.sim;
      expect(blk(sim, 'haltPoll.successful')).toBeGreaterThan(10);
      // A successful poll is HALT_POLL → POLL_WAKE with no BLOCK/WAKE between them.
      const s = t.join(' ');
      expect(s).toContain('HALT_POLL POLL_WAKE');
      // One vCPU alone: every halt either polls successfully (no vcpu_load) or blocks (one vcpu_load when woken).
      expect(blk(sim, 'sched.switchesIn') + blk(sim, 'haltPoll.successful') + blk(sim, 'haltPoll.haltedAtEnd')).toBe(
        blk(sim, 'haltPoll.halts'),
      );
    },
  );

  it('polling costs haltPollCheck instead of vcpuWakeup + vcpu_load: delivery to a halted vCPU is faster', () => {
    const lat = (haltPoll: false | object) => {
      const r = simulate({ ...idleMicro('x86-apicv-pi'), host: { pcpus: 1, timerHz: 0, haltPoll } } as ScenarioInput);
      return r.schemes[0].latencyNs.delivery.p50;
    };
    expect(lat({})).toBeLessThan(lat(false));
  });

  it('stops polling when another vCPU becomes runnable on its pCPU (single_task_running)', () => {
    const two = idleMicro('x86-vmx', {
      host: { pcpus: 1, timerHz: 0, haltPoll: { maxNs: '2ms', growStart: '1ms' } },
      vms: [
        {
          name: 'vm',
          vcpus: 2,
          pin: [0, 0],
          guest: { handler: { dist: 'fixed', value: '1us' }, idle: { activeMean: '20us', idleMean: '300us' } },
        },
      ],
      devices: [{ name: 'nic', vm: 'vm', vector: 0x41, queues: [0], arrival: { process: 'poisson', rate: 5_000 } }],
    });
    const h = harness('x86-vmx', two);
    const ev: [number, number, string][] = [];
    h.sim.trace = (t, v, what) => ev.push([t, v, what]);
    h.sim.runUntil(h.sim.topo.durationCycles);
    // A BLOCK of one vCPU right after its HALT_POLL, at the instant the other vCPU is woken.
    let interrupted = 0;
    const last = new Map<number, string>();
    for (let k = 0; k < ev.length; k++) {
      const [t, v, what] = ev[k];
      if (what === 'BLOCK' && last.get(v) === 'HALT_POLL') {
        const other = ev.find(([t2, v2, w2]) => t2 === t && v2 !== v && w2 === 'WAKE');
        if (other) interrupted++;
      }
      if (what === 'HALT_POLL' || what === 'BLOCK' || what === 'POLL_WAKE') last.set(v, what);
    }
    expect(interrupted).toBeGreaterThan(0);
  });
});

describe('guest haltpoll (cpuidle-haltpoll) through the engine', () => {
  it('x86: turns host halt-polling off (kvm_arch_no_poll) and takes interrupts in its poll with fewer HLT exits', () => {
    const withPoll = (on: boolean) => {
      const s = idleMicro('x86-apicv-pi');
      s.vms[0].guest = { ...s.vms[0].guest, haltPoll: on };
      return runAll('x86-apicv-pi', s);
    };
    const on = withPoll(true);
    const off = withPoll(false);
    expect(blk(on, 'haltPoll.attempted')).toBe(0);
    expect(blk(off, 'haltPoll.attempted')).toBeGreaterThan(0);
    expect(blk(on, 'guestPoll.polls')).toBeGreaterThan(10);
    expect(blk(on, 'guestPoll.interruptsWhilePolling')).toBeGreaterThan(10);
    expect(blk(on, 'guestPoll.polledCycles')).toBeGreaterThan(0);
    const hlt = (sim: Sim) => sim.cnt.exits[2]; // EXIT_REASONS[2] = HLT
    // The governor grows poll_limit_ns only when a halt outlasts it: with a wake event every 50 µs it settles at
    // grow_start (50 µs), so about every other wake event finds the guest polling instead of halted.
    expect(hlt(on)).toBeLessThan(hlt(off) * 0.6);
    // Polling is not guest work: the poll's cycles are not counted as work.
    expect(on.cnt.cycWork).toBeLessThanOrEqual(off.cnt.cycWork * 1.05);
  });

  it('the bare-metal reference ignores it (a KVM guest driver)', () => {
    const s = idleMicro('bare-metal');
    s.vms[0].guest = { ...s.vms[0].guest, haltPoll: true };
    expect(runAll('bare-metal', s).cnt.blk[B['guestPoll.polls']]).toBe(0);
  });
});

describe('host scheduler through the engine', () => {
  it('CFS: woken vCPUs preempt the busy batch vCPU; round-robin makes them wait for the slice', () => {
    const run = (scheduler: 'cfs' | 'round-robin') => {
      const s = structuredClone(BUILTIN_SCENARIOS.overcommit);
      s.duration = '20ms';
      s.schemes = ['x86-vmx'];
      s.host = { ...s.host, scheduler };
      return simulate(s).schemes.find((x) => x.scheme === 'x86-vmx') as SchemeResult;
    };
    const cfs = run('cfs');
    const rr = run('round-robin');
    expect(cfs.blocking.sched.wakeupPreemptions).toBeGreaterThan(100);
    expect(rr.blocking.sched.wakeupPreemptions).toBe(0);
    expect(cfs.latencyNs.delivery.p50 * 10).toBeLessThan(rr.latencyNs.delivery.p50);
  });
});

describe('overcommit built-ins', () => {
  const short = (name: string, host: object = {}) => {
    const s = structuredClone(BUILTIN_SCENARIOS[name]);
    s.duration = '20ms';
    s.host = { ...s.host, ...host };
    return simulate(s);
  };
  const x86 = short('overcommit');
  const arm41 = short('arm-overcommit');
  const arm40 = short('arm-overcommit', { gic: { listRegs: 4, v4: '4.0' } });
  const of = (r: ReturnType<typeof simulate>, id: string) => r.schemes.find((x) => x.scheme === id) as SchemeResult;

  it('overcommit: wake-up-vector deliveries, doorbells and SN-suppressed posts are non-zero and conserved', () => {
    const pi = of(x86, 'x86-apicv-pi').blocking.pi;
    expect(pi.wakeupVector).toBeGreaterThan(100);
    expect(pi.snSuppressed).toBeGreaterThan(0);
    expect(pi.snSuppressed).toBe(pi.snFoundAtLoad + pi.snPendingAtEnd);
    expect(pi.wakeupArmed).toBe(pi.wakeupVector + pi.wakeupDisarmed + pi.wakeupArmedAtEnd);
    for (const r of [arm41, arm40]) {
      const v4 = of(r, 'arm-gicv4').blocking.v4;
      expect(v4.doorbells).toBeGreaterThan(100);
      expect(v4.doorbells).toBe(v4.doorbellWakes + v4.doorbellRunnable);
      expect(v4.doorbells).toBeLessThanOrEqual(v4.doorbellRequests);
      expect(v4.vptLatched).toBeGreaterThan(0);
      expect(v4.vptLatched).toBe(v4.vptFoundAtLoad + v4.vptPendingAtEnd);
    }
    for (const r of [x86, arm41, arm40])
      for (const x of r.schemes) {
        expect(x.blocking.violated, x.scheme).toEqual([]);
        expect(x.conservation.ok, x.scheme).toBe(true);
      }
  });

  it('overcommit: every virtualized scheme halts, blocks and is woken; bare metal never time-slices', () => {
    for (const r of [x86, arm41])
      for (const x of r.schemes) {
        const s = x.blocking.sched;
        if (x.scheme === 'bare-metal') {
          expect(s.switchesIn + s.preemptions + s.wakeupPreemptions).toBe(0);
          continue;
        }
        expect(x.blocking.haltPoll.halts, x.scheme).toBeGreaterThan(100);
        expect(s.blocks, x.scheme).toBeGreaterThan(100);
        expect(s.wakeupPreemptions, x.scheme).toBeGreaterThan(100);
        // 3 vCPUs per pCPU, the batch vCPU always runnable: KVM never gets to poll (kvm_vcpu_can_poll).
        expect(x.blocking.haltPoll.successful, x.scheme).toBe(0);
      }
  });
});

describe('schema', () => {
  it.each([
    [{ scheduler: 'fifo' }, 'scenario.host.scheduler'],
    [{ haltPoll: { grow: -1 } }, 'scenario.host.haltPoll'],
    [{ haltPoll: { maxNs: 'soon' } }, 'scenario.host.haltPoll'],
  ])('host %j is refused naming the field', (host, field) => {
    const s = { ...microScenario('x86-vmx'), host: { pcpus: 1, ...host } };
    expect(() => validateScenario(s)).toThrow(ScenarioError);
    try {
      validateScenario(s);
    } catch (e) {
      expect((e as Error).message).toContain(field);
      expect((e as Error).message).not.toContain('\n');
    }
  });

  it('defaults: CFS, halt-polling on with the per-arch halt_poll_ns, guest haltpoll off', () => {
    const s = validateScenario(microScenario('x86-vmx'));
    expect(s.host.scheduler).toBe('cfs');
    expect(s.host.haltPoll).toEqual({ grow: 2, growStart: 10_000, shrink: 0 });
    expect(s.vms[0].guest.haltPoll).toBe(false);
  });
});
