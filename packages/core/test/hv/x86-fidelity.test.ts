// Whole-path behaviours of the x86 schemes that the fidelity work added (DESIGN §12): the guest's LAPIC timer and
// its exits, x86-emul's APIC access pattern (in-kernel and userspace LAPIC), IPI departure and IPIv, ELI's edges,
// and the STI interrupt shadow. Run through the engine with the harness, checked by exit reason.

import { describe, expect, it } from 'vitest';
import { vecIsEmpty, vecTest } from '../../src/arch/x86/bitmap.ts';
import { CAUSE_IPI, ExitReasonId } from '../../src/hv/exit-reasons.ts';
import type { X86VmxScheme } from '../../src/hv/x86-vmx.ts';
import type { ScenarioInput, SchemeId } from '../../src/scenario/schema.ts';
import { PH_HANDLER, PH_WORK, RUN_BLOCKED, RUN_GUEST } from '../../src/sim/vcpu.ts';
import { harness, microScenario, runAll } from '../helpers.ts';

const R = ExitReasonId;
const V = 0x41;

/** One vCPU that works 100 µs, idles 200 µs (its timer ends each idle period); no device. */
const idleVm = (scheme: SchemeId, patch: Partial<ScenarioInput> = {}): ScenarioInput =>
  microScenario(scheme, {
    duration: '20ms',
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

describe('the guest LAPIC timer is not virtualized (every x86 scheme)', () => {
  it.each(['x86-vmx', 'x86-apicv-pi', 'x86-eli', 'x86-emul'] as const)(
    'T-01: %s — each idle period arms the timer (WRMSR TSC_DEADLINE exit) and each expiry of a blocked vCPU wakes it',
    (scheme) => {
      const sim = runAll(scheme, idleVm(scheme));
      const timers = sim.cnt.raisedByKind[3];
      expect(timers).toBeGreaterThan(20);
      // Per timer interrupt: one arm at idle entry + one re-arm in the handler, both WRMSR IA32_TSC_DEADLINE.
      const msr = sim.cnt.exits[R.MSR_WRITE];
      const eoiWrites = scheme === 'x86-apicv-pi' ? 0 : scheme === 'x86-emul' ? 0 : timers; // x2APIC EOI (pvEoi: V-08)
      expect(msr).toBeGreaterThanOrEqual(2 * timers - 2);
      expect(msr).toBeLessThanOrEqual(2 * timers + 2 + eoiWrites);
      expect(sim.cnt.exitsByCause[2]).toBeGreaterThanOrEqual(2 * timers - 2); // cause guestTimer
    },
  );

  it('T-02: x86-apicv-pi — a timer that expires while the vCPU runs exits with PREEMPTION_TIMER, then is posted', () => {
    const h = harness('x86-apicv-pi', microScenario('x86-apicv-pi', { devices: [] }));
    const vc = h.vc();
    h.sim.countRaised(vc, 0xec);
    h.sim.scheme.softwareInterrupt(h.sim, vc, 0xec, h.sim.now, 2);
    expect(h.trace[0][0]).toBe('EXIT:PREEMPTION_TIMER');
    expect(vecTest(vc.pid, 0xec)).toBe(true); // PIR; harvested by the entry's sync
    h.stepUntil(() => vc.phase === PH_HANDLER);
    expect(h.trace[0]).toContain('PI_SYNC:0');
    expect(h.trace[0]).toContain('ENTRY:236');
  });

  it('T-03: x86-apicv-pi — every guest timer interrupt of an idle guest costs its exits, by reason', () => {
    const sim = runAll('x86-apicv-pi', idleVm('x86-apicv-pi'));
    const timers = sim.cnt.deliveredByKind[3];
    expect(timers).toBeGreaterThan(20);
    // Arm at idle entry and re-arm in the handler: MSR_WRITE (TSC deadline); HLT; no EOI exit (virtualized).
    expect(sim.cnt.exits[R.MSR_WRITE]).toBeGreaterThanOrEqual(2 * timers - 2);
    expect(sim.cnt.exits[R.HLT]).toBeGreaterThanOrEqual(timers - 1);
    expect(sim.cnt.exits[R.EOI_INDUCED]).toBe(0);
  });

  it('T-04: bare metal programs its timer natively (no exits at all)', () => {
    const sim = runAll('bare-metal', idleVm('bare-metal'));
    expect(sim.cnt.raisedByKind[3]).toBeGreaterThan(20);
    expect(sim.cnt.exits.reduce((a, b) => a + b, 0)).toBe(0);
  });

  it('T-05: a userspace LAPIC has no TSC-deadline timer: the guest writes TMICT (APIC_ACCESS) instead', () => {
    const s = idleVm('x86-emul', { schemeOptions: { 'x86-emul': { lapic: 'userspace' } } });
    const sim = runAll('x86-emul', s);
    expect(sim.cnt.exits[R.MSR_WRITE]).toBe(0);
    expect(sim.cnt.exits[R.APIC_ACCESS]).toBeGreaterThanOrEqual(3 * sim.cnt.deliveredByKind[3] - 3); // arm ×2 + EOI
  });
});

describe('x86-emul: every APIC access exits (APIC_ACCESS per access)', () => {
  const oneInterrupt = (patch: Partial<ScenarioInput>) => {
    const h = harness('x86-emul', microScenario('x86-emul', patch));
    const vc = h.vc();
    h.stepUntil(() => vc.phase === PH_HANDLER);
    h.stepUntil(() => vc.phase === PH_WORK && vc.run === RUN_GUEST);
    return h;
  };

  it('X-50: a device interrupt costs EXTERNAL_INTERRUPT + one APIC_ACCESS for the EOI (Linux guest: no reads, no TPR)', () => {
    const h = oneInterrupt({});
    expect(h.trace[0].filter((l) => l.startsWith('EXIT'))).toEqual(['EXIT:EXTERNAL_INTERRUPT', 'EXIT:APIC_ACCESS']);
  });

  it('X-51: the guest APIC access pattern adds one exit per access: 2 register reads, 1 TPR raise/lower pair', () => {
    const h = oneInterrupt({
      vms: [
        {
          name: 'vm',
          vcpus: 1,
          guest: {
            handler: { dist: 'fixed', value: '1us' },
            tprAccessesPerInterrupt: 2,
            apic: { readsPerInterrupt: 2 },
          },
        },
      ],
    });
    expect(h.trace[0].filter((l) => l.startsWith('EXIT'))).toEqual([
      'EXIT:EXTERNAL_INTERRUPT',
      'EXIT:APIC_ACCESS', // EOI (acked at the handler's start)
      'EXIT:CR_ACCESS',
      'EXIT:CR_ACCESS',
      'EXIT:APIC_ACCESS', // ISR read
      'EXIT:APIC_ACCESS',
    ]);
  });

  it('X-52: an xAPIC IPI is ICR2 then ICR: two APIC_ACCESS exits on the sender (plus its ICR reads if any)', () => {
    const s = microScenario('x86-emul', {
      host: { pcpus: 2, timerHz: 0 },
      vms: [
        {
          name: 'vm',
          vcpus: 2,
          guest: { handler: { dist: 'fixed', value: '1us' }, ipi: { rate: 20_000 }, apic: { icrReadsPerIpi: 1 } },
        },
      ],
      devices: [],
    });
    const sim = runAll('x86-emul', s);
    const sent = sim.cnt.raisedByKind[2];
    expect(sent).toBeGreaterThan(10);
    // Sender: ICR read + ICR2 + ICR = 3 APIC_ACCESS; target: the EOI = 1 (per delivered IPI).
    const delivered = sim.cnt.deliveredByKind[2];
    const apic = sim.cnt.exits[R.APIC_ACCESS];
    expect(apic).toBeGreaterThanOrEqual(3 * (sent - 2) + delivered);
    expect(apic).toBeLessThanOrEqual(3 * sent + delivered);
  });

  it('X-53: with the LAPIC in user space every APIC access costs apicUserspaceExit more than in KVM', () => {
    const k = oneInterrupt({});
    const u = oneInterrupt({ schemeOptions: { 'x86-emul': { lapic: 'userspace' } } });
    const perExit = (h: typeof k) => h.sim.cnt.exitCycles[R.APIC_ACCESS] / h.sim.cnt.exits[R.APIC_ACCESS];
    expect(perExit(u) - perExit(k)).toBe(u.sim.c.apicUserspaceExit);
  });
});

describe('IPIs', () => {
  const twoVcpus = (scheme: SchemeId, patch: Partial<ScenarioInput> = {}) =>
    microScenario(scheme, {
      duration: '4ms',
      host: { pcpus: 2, timerHz: 0 },
      vms: [{ name: 'vm', vcpus: 2, guest: { handler: { dist: 'fixed', value: '1us' }, ipi: { rate: 10_000 } } }],
      devices: [],
      ...patch,
    });

  it('I-50: a trapped ICR write sends the IPI after the VM-exit half and the ICR emulation, not when the trap starts', () => {
    const h = harness('x86-vmx', twoVcpus('x86-vmx'));
    const sender = h.vc(0);
    const c = h.sim.c;
    h.stepUntil(() => h.trace[0].includes('EXIT:MSR_WRITE') || h.trace[1].includes('EXIT:MSR_WRITE'), 4e6);
    const s = h.trace[0].includes('EXIT:MSR_WRITE') ? sender : h.vc(1);
    const trapStart = h.sim.now;
    expect(h.sim.exitHandledAt(s)).toBe(trapStart + Math.floor(c.exitRoundTrip / 2) + c.icrEmulation);
  });

  it('I-51: IPIv — the ICR write does not exit; the target takes the post with no exit either (both running)', () => {
    const sim = runAll('x86-apicv-pi', twoVcpus('x86-apicv-pi', { schemeOptions: { 'x86-apicv-pi': { ipiv: true } } }));
    expect(sim.cnt.deliveredByKind[2]).toBeGreaterThan(20);
    expect(sim.cnt.exits.reduce((a, b) => a + b, 0)).toBe(0);
    const noIpiv = runAll('x86-apicv-pi', twoVcpus('x86-apicv-pi'));
    expect(noIpiv.cnt.exits[R.MSR_WRITE]).toBe(noIpiv.cnt.raisedByKind[2]);
    // Same intents under both (open-loop source), and IPIv delivers them sooner.
    expect(sim.cnt.raisedByKind[2]).toBe(noIpiv.cnt.raisedByKind[2]);
    expect(sim.cnt.delivery.sum / sim.cnt.delivery.count).toBeLessThan(
      noIpiv.cnt.delivery.sum / noIpiv.cnt.delivery.count,
    );
  });

  it('I-52: an IPI the guest wants to send while it cannot execute is deferred, not dropped', () => {
    // One pCPU for both vCPUs: the sender is often descheduled when its IPI source fires.
    const s = twoVcpus('x86-vmx', { host: { pcpus: 1, timerHz: 0, schedSlice: '100us' } });
    const bm = runAll('bare-metal', s);
    const vmx = runAll('x86-vmx', s);
    expect(vmx.cnt.raisedByKind[2]).toBe(bm.cnt.raisedByKind[2]);
    const pending = vmx.pendingTotal();
    expect(vmx.cnt.raised).toBe(vmx.cnt.delivered + vmx.cnt.coalesced + pending);
    expect(vmx.cnt.pendingAge.count).toBe(pending);
  });
});

describe('ELI edges', () => {
  it('E-08: a physical interrupt pending in the IRR when the vCPU switches to injection mode exits and becomes virtual', () => {
    const h = harness('x86-eli', microScenario('x86-eli', { devices: [] }));
    const vc = h.vc();
    // A virtual interrupt makes the next entry switch to injection mode while V still waits in the physical IRR
    // (it arrived in direct mode while the guest could not take it).
    h.sim.countRaised(vc, 0xfb);
    h.sim.scheme.softwareInterrupt(h.sim, vc, 0xfb, h.sim.now, CAUSE_IPI); // kick → #NP exit, vIRR ← 0xfb
    vc.pIRR[V >>> 5] |= 1 << (V & 31);
    vc.ledger.post(V, h.sim.now, 1);
    h.sim.cnt.raised++;
    h.clear();
    h.stepUntil(() => h.trace[0].includes('ENTRY:251'));
    expect(h.trace[0].slice(0, 3)).toEqual(['MODE_INJECTION:0', 'EXIT:EXTERNAL_INTERRUPT', 'ENTRY:251']);
    expect(vecIsEmpty(vc.pIRR)).toBe(true);
    expect(vecTest(vc.lapic.IRR, V)).toBe(true); // virtual now, injected after 0xfb
    h.stepUntil(() => h.trace[0].includes(`HANDLER:${V}`));
    expect(h.trace[0]).toContain(`ENTRY:${V}`);
  });

  it('E-11: an assigned vector equal to a host system vector (0xEC, LOCAL_TIMER) still leaves host ticks exiting as #NP', () => {
    // Found by the random-scenario property suite: the model numbers an assigned physical vector like its guest
    // vector, so the host's own interrupt must come in on a vector the shadow IDT does not hold.
    const s = microScenario('x86-eli', {
      host: { pcpus: 1, timerHz: 4000 },
      devices: [{ name: 'nic', vm: 'vm', vector: 0xec, arrival: { process: 'periodic', rate: 10_000 } }],
    });
    const sim = runAll('x86-eli', s);
    expect(sim.cnt.exits[R.EXCEPTION_NP]).toBeGreaterThan(0);
    expect(sim.cnt.deliveredByKind[1]).toBeGreaterThan(10);
    expect(sim.cnt.raised).toBe(sim.cnt.delivered + sim.cnt.coalesced + sim.pendingTotal());
  });

  it('E-10: exitless EOI needs x2APIC — with an xAPIC guest the direct-mode EOI traps (APIC_ACCESS)', () => {
    const x2 = runAll('x86-eli', microScenario('x86-eli'));
    const xapic = runAll('x86-eli', microScenario('x86-eli', { host: { pcpus: 1, timerHz: 0, x2apic: false } }));
    expect(x2.cnt.exits.reduce((a, b) => a + b, 0)).toBe(0);
    expect(xapic.cnt.exits[R.APIC_ACCESS]).toBe(xapic.cnt.deliveredByKind[1]);
    expect(xapic.cnt.exits[R.EXTERNAL_INTERRUPT]).toBe(0); // delivery stays exitless
  });
});

describe('STI and the interrupt shadow', () => {
  it('V-10: an interrupt that arrives in an interrupts-off section is injected after STI’s shadow, not at an IRET', () => {
    const scen = microScenario('x86-vmx', {
      duration: '5ms',
      vms: [
        {
          name: 'vm',
          vcpus: 1,
          guest: {
            handler: { dist: 'fixed', value: '1us' },
            irqsOff: { rate: 20_000, length: { dist: 'fixed', value: '20us' } },
          },
        },
      ],
    });
    const h = harness('x86-vmx', scen);
    const vc = h.vc();
    // Find a device interrupt that lands inside a section: its exit arms the window instead of injecting.
    const vmx = h.sim.scheme as unknown as X86VmxScheme;
    expect(h.stepUntil(() => vc.irqsOff && vmx.interruptWindowArmed(vc) && vc.run === RUN_GUEST, 5e6)).toBe(true);
    h.clear();
    h.stepUntil(() => !vc.irqsOff);
    expect(vc.stiShadow).toBe(true);
    expect(h.trace[0]).toEqual([]); // STI itself: the shadow still blocks
    const sti = h.sim.now;
    h.stepUntil(() => h.trace[0].length > 0);
    expect(h.trace[0]).toEqual(['EXIT:INTERRUPT_WINDOW']);
    expect(h.sim.now).toBe(sti + 1); // one instruction later
    h.stepUntil(() => vc.phase === PH_HANDLER);
    expect(h.trace[0]).toContain(`ENTRY:${V}`);
  });

  it('V-11: a halted vCPU under x86-vmx is woken by its timer through an hrtimer on its pCPU (no exit while blocked)', () => {
    const h = harness('x86-vmx', {
      ...microScenario('x86-vmx', { devices: [] }),
      vms: [
        {
          name: 'vm',
          vcpus: 1,
          guest: { handler: { dist: 'fixed', value: '1us' }, idle: { activeMean: '50us', idleMean: '300us' } },
        },
      ],
    });
    const vc = h.vc();
    expect(h.stepUntil(() => vc.run === RUN_BLOCKED, 5e6)).toBe(true);
    const exits = h.sim.cnt.exits.reduce((a, b) => a + b, 0);
    h.clear();
    h.stepUntil(() => vc.phase === PH_HANDLER, 5e6);
    // Woken by the hrtimer with no exit; the only exit is the handler re-arming its timer (TSC deadline).
    expect(h.trace[0]).toEqual(['WAKE:0', 'ENTRY:236', 'HANDLER:236', 'EOI:236', 'EXIT:MSR_WRITE']);
    expect(h.sim.cnt.exits.reduce((a, b) => a + b, 0)).toBe(exits + 1);
  });
});
