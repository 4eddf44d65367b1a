// A-10..A-18: x86-avic at scheme level, run through the engine (APM vol. 2 §15.29; the AMD IOMMU spec's guest
// virtual APIC mode; KVM arch/x86/kvm/svm/avic.c). Arch-level AVIC rules: test/arch-x86/avic.test.ts.

import { describe, expect, it } from 'vitest';
import { vecSet, vecTest } from '../../src/arch/x86/bitmap.ts';
import { CAUSE_IPI, ExitReasonId } from '../../src/hv/exit-reasons.ts';
import type { X86AvicScheme } from '../../src/hv/x86-avic.ts';
import type { ScenarioInput } from '../../src/scenario/schema.ts';
import { PH_HANDLER, PH_WORK, RUN_BLOCKED, RUN_DESCHED, RUN_GUEST } from '../../src/sim/vcpu.ts';
import { harness, microScenario, runAll } from '../helpers.ts';

const R = ExitReasonId;
const V = 0x41;
const AMD = { costs: { preset: 'epyc-kvm' }, cpu: { freqGHz: 2.25 } } as const;
const avic = (patch: Partial<ScenarioInput> = {}) => microScenario('x86-avic', { ...AMD, ...patch });
const schemeOf = (h: ReturnType<typeof harness>) => h.sim.scheme as unknown as X86AvicScheme;

/** One vCPU that idles (100 µs active, 200 µs idle), no device: the guest timer wakes it. */
const idle = (patch: Partial<ScenarioInput> = {}) =>
  avic({
    duration: '5ms',
    vms: [
      {
        name: 'vm',
        vcpus: 1,
        guest: { handler: { dist: 'fixed', value: '1us' }, idle: { activeMean: '100us', idleMean: '200us' } },
      },
    ],
    devices: [],
    ...patch,
  });

/** Two vCPUs on two pCPUs sending each other IPIs (10K/s), no device. */
const twoVcpus = (patch: Partial<ScenarioInput> = {}) =>
  avic({
    duration: '4ms',
    host: { pcpus: 2, timerHz: 0 },
    vms: [{ name: 'vm', vcpus: 2, guest: { handler: { dist: 'fixed', value: '1us' }, ipi: { rate: 10_000 } } }],
    devices: [],
    ...patch,
  });

describe('x86-avic paths (A- rules at scheme level)', () => {
  it('A-10 (APM §15.29, IOMMU GA mode IsRun = 1): a device interrupt to a running vCPU sets IRR and rings the doorbell of its pCPU; delivered and EOI’d (edge, accelerated) with no exit', () => {
    const h = harness('x86-avic', avic());
    const vc = h.vc();
    h.stepUntil(() => vc.phase === PH_HANDLER);
    h.stepUntil(() => vc.phase === PH_WORK && h.trace[0].some((l) => l.startsWith('EOI')));
    expect(h.trace[0]).toEqual(['AVIC_DOORBELL:0', `HANDLER:${V}`, `EOI:${V}`]);
    expect(schemeOf(h).phys.isRunning(vc.index)).toBe(true);
    expect(schemeOf(h).irte[vc.index].isRun()).toBe(true);
  });

  it('A-11 (IOMMU GA log; KVM avic_ga_log_notifier → kvm_vcpu_wake_up): to a blocked vCPU (IsRunning = 0) the IOMMU sets IRR, logs the GA tag and interrupts the host, which wakes the vCPU; VMRUN delivers it', () => {
    const h = harness('x86-avic', idle());
    const vc = h.vc();
    expect(h.stepUntil(() => vc.run === RUN_BLOCKED && vc.idle, 5e6)).toBe(true);
    const s = schemeOf(h);
    expect(s.phys.isRunning(vc.index)).toBe(false);
    expect(s.irte[vc.index].isRun()).toBe(false);
    h.clear();
    h.sim.countRaised(vc, V);
    h.sim.scheme.deviceInterrupt(h.sim, vc, V, h.sim.now);
    expect(vecTest(vc.lapic.IRR, V)).toBe(true);
    expect(h.trace[0].slice(0, 2)).toEqual([`GA_LOG:${s.irte[vc.index].tag()}`, 'WAKE:0']);
    expect(s.gaLog.length).toBe(0); // the handler drained it
    h.stepUntil(() => vc.run === RUN_GUEST);
    expect(h.trace[0]).toContain(`ENTRY:${V}`);
    expect(s.phys.isRunning(vc.index)).toBe(true); // avic_vcpu_load on the way back in
  });

  it('A-12 (KVM avic_vcpu_put / avic_vcpu_load): a preempted vCPU has IsRunning = 0, so a device interrupt is logged but wakes nothing (it is runnable); at load IsRunning = 1 and VMRUN delivers the IRR bit', () => {
    const scen = avic({
      host: { pcpus: 1, timerHz: 0, scheduler: 'round-robin', schedSlice: '200us' },
      vms: [
        { name: 'vm', vcpus: 1, guest: { handler: { dist: 'fixed', value: '1us' } } },
        { name: 'hog', vcpus: 1, guest: { handler: { dist: 'fixed', value: '1us' } } },
      ],
      devices: [],
    });
    const h = harness('x86-avic', scen);
    const vc = h.vc(0);
    expect(h.stepUntil(() => vc.run === RUN_DESCHED, 5e6)).toBe(true);
    const s = schemeOf(h);
    expect(s.phys.isRunning(vc.index)).toBe(false);
    h.clear();
    h.sim.countRaised(vc, V);
    h.sim.scheme.deviceInterrupt(h.sim, vc, V, h.sim.now);
    expect(h.trace[0]).toEqual([`GA_LOG:${s.irte[vc.index].tag()}`]);
    expect(vc.run).toBe(RUN_DESCHED);
    h.clear();
    h.stepUntil(() => vc.run === RUN_GUEST, 5e6);
    expect(s.phys.isRunning(vc.index)).toBe(true);
    expect(s.phys.hostApicId(vc.index)).toBe(0);
    expect(h.trace[0]).toEqual([`ENTRY:${V}`, `HANDLER:${V}`, `EOI:${V}`]);
  });

  it('A-13 (APM §15.29 IPI acceleration): an ICR write to a running target sets its IRR and rings its doorbell — no exit on either side', () => {
    const sim = runAll('x86-avic', twoVcpus());
    expect(sim.cnt.deliveredByKind[2]).toBeGreaterThan(20);
    expect(sim.cnt.exits.reduce((a, b) => a + b, 0)).toBe(0);
    const vmx = runAll('x86-vmx', twoVcpus());
    expect(sim.cnt.raisedByKind[2]).toBe(vmx.cnt.raisedByKind[2]); // the same intents
  });

  it('A-14 (APM AVIC_INCOMPLETE_IPI, cause TARGET_NOT_RUNNING; KVM avic_incomplete_ipi_interception → avic_kick_target_vcpus): an IPI to a blocked target exits on the sender, then KVM wakes the target', () => {
    const scen = twoVcpus({
      duration: '10ms',
      vms: [
        {
          name: 'vm',
          vcpus: 2,
          guest: {
            handler: { dist: 'fixed', value: '1us' },
            ipi: { rate: 10_000 },
            idle: { activeMean: '100us', idleMean: '200us' },
          },
        },
      ],
    });
    const h = harness('x86-avic', scen);
    expect(h.stepUntil(() => h.trace.some((t) => t.includes('AVIC_INCOMPLETE_IPI:1')), 10e6)).toBe(true);
    const sender = h.trace[0].includes('AVIC_INCOMPLETE_IPI:1') ? 0 : 1;
    const t = h.trace[sender];
    expect(t[t.indexOf('AVIC_INCOMPLETE_IPI:1') + 1]).toBe('EXIT:AVIC_INCOMPLETE_IPI');
    const sim = runAll('x86-avic', scen);
    expect(sim.cnt.exits[R.AVIC_INCOMPLETE_IPI]).toBeGreaterThan(0);
    expect(sim.cnt.exitsByCause[CAUSE_IPI]).toBe(sim.cnt.exits[R.AVIC_INCOMPLETE_IPI]);
    expect(sim.cnt.raised).toBe(sim.cnt.delivered + sim.cnt.coalesced + sim.pendingTotal());
  });

  it('A-15 (KVM is_avic_unaccelerated_access_trap: APIC_TMICT; x2AVIC intercepts the timer MSRs): a one-shot timer’s TMICT write exits AVIC_NOACCEL in xAPIC mode, MSR_WRITE under x2AVIC', () => {
    const oneshot = (x2apic: boolean) =>
      idle({
        duration: '10ms',
        host: { pcpus: 1, timerHz: 0, x2apic },
        vms: [
          {
            name: 'vm',
            vcpus: 1,
            guest: {
              handler: { dist: 'fixed', value: '1us' },
              idle: { activeMean: '100us', idleMean: '200us' },
              apic: { timer: 'oneshot' },
            },
          },
        ],
      });
    const xapic = runAll('x86-avic', oneshot(false));
    expect(xapic.cnt.exits[R.AVIC_NOACCEL]).toBeGreaterThan(3);
    expect(xapic.cnt.exits[R.MSR_WRITE]).toBe(0);
    const x2 = runAll('x86-avic', oneshot(true));
    expect(x2.cnt.exits[R.AVIC_NOACCEL]).toBe(0);
    expect(x2.cnt.exits[R.MSR_WRITE]).toBe(xapic.cnt.exits[R.AVIC_NOACCEL]);
  });

  it('A-16 (APM §15.29 EOI acceleration; KVM: APIC_EOI is a trap-like unaccelerated register): an edge EOI has no exit, a level-triggered one exits AVIC_NOACCEL after it retires the ISR bit', () => {
    const h = harness('x86-avic', avic());
    const vc = h.vc();
    // The second interrupt's vector is marked level-triggered (TMR) when the guest EOIs it.
    const scheme = h.sim.scheme;
    const edgeEoi = scheme.guestEoi.bind(scheme);
    let n = 0;
    scheme.guestEoi = (sim, v) => {
      if (++n === 2) vecSet(v.lapic.TMR, V);
      edgeEoi(sim, v);
    };
    h.stepUntil(() => h.trace[0].filter((l) => l.startsWith('EOI')).length === 2);
    h.stepUntil(() => vc.run === RUN_GUEST);
    const t = h.trace[0];
    expect(t.slice(0, 3)).toEqual(['AVIC_DOORBELL:0', `HANDLER:${V}`, `EOI:${V}`]); // edge: no exit
    expect(t.slice(3, 7)).toEqual(['AVIC_DOORBELL:0', `HANDLER:${V}`, `EOI:${V}`, 'EXIT:AVIC_NOACCEL']);
    expect(vecTest(vc.lapic.ISR, V)).toBe(false);
  });

  it('A-17 (KVM avic_vcpu_load / svm_vcpu_blocking): IsRunning and the IRTE’s IsRun follow the vCPU — set while loaded, clear while blocked; each load and put costs avicLoadPut', () => {
    // No halt-polling: a polling vCPU is still loaded (IsRunning = 1) until it blocks.
    const h = harness('x86-avic', idle({ host: { pcpus: 1, timerHz: 0, haltPoll: false } }));
    const vc = h.vc();
    const s = schemeOf(h);
    for (let k = 0; k < 3; k++) {
      expect(h.stepUntil(() => vc.run === RUN_BLOCKED && vc.idle, 5e6)).toBe(true);
      expect([s.phys.isRunning(0), s.irte[0].isRun()]).toEqual([false, false]);
      expect(h.stepUntil(() => vc.run === RUN_GUEST, 5e6)).toBe(true);
      expect([s.phys.isRunning(0), s.irte[0].isRun()]).toEqual([true, true]);
    }
    expect(s.schedIn(h.sim, vc)).toBe(h.sim.c.avicLoadPut);
  });

  it('A-18 (x86-avic on the AMD built-in): every raised interrupt is accounted for, and AVIC takes fewer exits than the SVM exit-and-inject baseline', () => {
    const s = {
      ...twoVcpus(),
      duration: '10ms',
      devices: [{ name: 'nic', vm: 'vm', vector: V, arrival: { process: 'poisson' as const, rate: 50_000 } }],
    };
    const a = runAll('x86-avic', s);
    const v = runAll('x86-vmx', s);
    expect(a.cnt.raised).toBe(a.cnt.delivered + a.cnt.coalesced + a.pendingTotal());
    const exits = (sim: typeof a) => sim.cnt.exits.reduce((x, y) => x + y, 0);
    expect(exits(a)).toBeLessThan(exits(v) / 10);
  });
});
