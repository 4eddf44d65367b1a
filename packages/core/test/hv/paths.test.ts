// Path-level rules of semantics §C that need a whole scheme (exits, entries, scheduling), run through the engine.
// Each test is named by its rule id. Arch-level rules live in test/arch-x86.

import { describe, expect, it } from 'vitest';
import { vecTest } from '../../src/arch/x86/bitmap.ts';
import { acceptIrq } from '../../src/arch/x86/lapic.ts';
import { POSTED_INTR_VECTOR, POSTED_INTR_WAKEUP_VECTOR, piNdst, piNv, piTestSn } from '../../src/arch/x86/pi-desc.ts';
import { CAUSE_IPI, ExitReasonId } from '../../src/hv/exit-reasons.ts';
import type { X86ApicvPiScheme } from '../../src/hv/x86-apicv-pi.ts';
import type { ScenarioInput, SchemeId } from '../../src/scenario/schema.ts';
import { PH_HANDLER, PH_WORK, RUN_BLOCKED, RUN_DESCHED, RUN_GUEST } from '../../src/sim/vcpu.ts';
import { harness, microScenario } from '../helpers.ts';

const V = 0x41;

/** Trace of the first device interrupt: from the start until its handler returned to work. */
function firstInterruptTrace(scheme: SchemeId, patch: Partial<ScenarioInput> = {}): string[] {
  const h = harness(scheme, microScenario(scheme, patch));
  const vc = h.vc();
  h.stepUntil(() => vc.phase === PH_HANDLER);
  h.stepUntil(() => vc.phase === PH_WORK && vc.run === RUN_GUEST && h.trace[0].some((l) => l.startsWith('EOI')));
  return h.trace[0];
}

describe('x86 paths (V-, P-, E- rules at scheme level)', () => {
  it.each([
    ['x86-vmx', 'MSR_WRITE'],
    ['x86-emul', 'APIC_ACCESS'],
  ] as const)(
    'V-07: %s trace is EXIT:EXTERNAL_INTERRUPT, ENTRY(inject v), handler, EXIT(EOI write), ENTRY',
    (scheme, eoiExit) => {
      // The guest acks at the start of its handler (x86 Linux, handle_edge_irq); no PV EOI (see V-08).
      expect(firstInterruptTrace(scheme, { schemeOptions: { 'x86-vmx': { pvEoi: false } } })).toEqual([
        'EXIT:EXTERNAL_INTERRUPT',
        `ENTRY:${V}`,
        `HANDLER:${V}`,
        `EXIT:${eoiExit}`,
        `EOI:${V}`,
        'ENTRY:-1',
      ]);
    },
  );

  it('V-08: x86-vmx with PV EOI — the EOI skips its exit when KVM offered it; the next exit retires the ISR bit', () => {
    const h = harness('x86-vmx', microScenario('x86-vmx'));
    const vc = h.vc();
    h.stepUntil(() => vc.phase === PH_HANDLER);
    h.stepUntil(() => vc.phase === PH_WORK && vc.run === RUN_GUEST);
    expect(h.trace[0]).toEqual(['EXIT:EXTERNAL_INTERRUPT', `ENTRY:${V}`, `HANDLER:${V}`, `EOI:${V}`]);
    expect(vecTest(vc.lapic.ISR, V)).toBe(true); // apic_set_eoi waits for the next exit
    h.clear();
    h.stepUntil(() => h.trace[0].length > 0);
    expect(h.trace[0]).toEqual(['EXIT:EXTERNAL_INTERRUPT']); // the next device interrupt
    expect(vecTest(vc.lapic.ISR, V)).toBe(false);
    expect(h.sim.cnt.exits[ExitReasonId.MSR_WRITE]).toBe(0);
  });

  it('V-09: PV EOI is not offered while another interrupt is pending in IRR (the EOI must exit so KVM can inject it)', () => {
    const h = harness('x86-vmx', microScenario('x86-vmx'));
    const vc = h.vc();
    h.stepUntil(() => vc.run !== RUN_GUEST); // the first EXTERNAL_INTERRUPT exit
    // A second vector becomes pending before that exit's entry: 0x42 is injected first, 0x41 stays in IRR.
    h.sim.countRaised(vc, 0x42);
    acceptIrq(vc.lapic, 0x42, false);
    h.clear();
    h.stepUntil(() => h.trace[0].includes('EOI:66'));
    expect(h.trace[0]).toEqual(['ENTRY:66', 'HANDLER:66', 'EXIT:MSR_WRITE', 'EOI:66']);
  });

  it.each(['x86-vmx', 'x86-apicv-pi', 'x86-emul'] as const)(
    'V-01: %s — a physical (host) interrupt in guest mode exits with EXTERNAL_INTERRUPT and is handled before re-entry',
    (scheme) => {
      const h = harness(scheme, microScenario(scheme, { devices: [] }));
      const vc = h.vc();
      expect(vc.run).toBe(RUN_GUEST);
      h.clear();
      h.sim.hostTickOn(vc.pcpu);
      expect(h.trace[0]).toEqual(['EXIT:EXTERNAL_INTERRUPT']);
      const reentry = vc.rootEnd;
      expect(reentry - h.sim.now).toBe(h.sim.c.exitRoundTrip + h.sim.c.hostTickHandler);
      h.stepUntil(() => vc.run === RUN_GUEST);
      expect(h.sim.now).toBe(reentry);
    },
  );

  it('P-08: a vector posted to a vCPU in guest mode is notified (0xF2), moved PIR → VIRR and delivered with no VM exit', () => {
    const trace = firstInterruptTrace('x86-apicv-pi');
    expect(trace).toEqual([`PI_NOTIFY:${POSTED_INTR_VECTOR}`, 'PI_PROCESS:0', `HANDLER:${V}`, `EOI:${V}`]);
    expect(trace.some((l) => l.startsWith('EXIT'))).toBe(false);
  });

  it('E-01/E-02: ELI direct mode — assigned interrupt reaches the guest handler and is EOI’d with no exit', () => {
    const trace = firstInterruptTrace('x86-eli');
    expect(trace).toEqual([`DIRECT:${V}`, `HANDLER:${V}`, `EOI:${V}`]);
  });

  /** A vCPU that idles: 1 ms active, then a long idle period; no device so only the guest timer wakes it. */
  const idleScenario = (scheme: SchemeId) =>
    microScenario(scheme, {
      duration: '5ms',
      vms: [
        {
          name: 'vm',
          vcpus: 1,
          guest: { handler: { dist: 'fixed', value: '1us' }, idle: { activeMean: '100us', idleMean: '200us' } },
        },
      ],
      devices: [],
    });

  it('P-09: software post to a blocked vCPU sends no notification IPI, wakes it, and sync_pir_to_irr harvests at entry', () => {
    const h = harness('x86-apicv-pi', idleScenario('x86-apicv-pi'));
    const vc = h.vc();
    expect(h.stepUntil(() => vc.run === RUN_BLOCKED, 5e6)).toBe(true);
    h.clear();
    expect(h.stepUntil(() => vc.run === RUN_GUEST, 5e6)).toBe(true);
    const t = h.trace[0];
    expect(t).not.toContain('PI_PROCESS:0');
    expect(t.slice(0, 3)).toEqual(['WAKE:0', 'PI_SYNC:0', 'ENTRY:236']); // guest timer vector 0xEC
  });

  it('P-14: a vCPU blocked in HLT with IF = 1 has NV = 0xF1 and sits on its pCPU’s wakeup list; a device post fires 0xF1 and wakes it (P-11: it then services v)', () => {
    const scen = idleScenario('x86-apicv-pi');
    scen.devices = [{ name: 'nic', vm: 'vm', vector: V, arrival: { process: 'periodic', rate: 4000 } }];
    const h = harness('x86-apicv-pi', scen);
    const vc = h.vc();
    expect(h.stepUntil(() => vc.run === RUN_BLOCKED && vc.idle, 5e6)).toBe(true);
    expect(piNv(vc.pid)).toBe(POSTED_INTR_WAKEUP_VECTOR);
    expect((h.sim.scheme as unknown as X86ApicvPiScheme).isOnWakeupList(vc)).toBe(true);
    h.clear();
    // Post the device vector directly while blocked.
    h.sim.countRaised(vc, V);
    h.sim.scheme.deviceInterrupt(h.sim, vc, V, h.sim.now);
    expect(h.trace[0].slice(0, 2)).toEqual([`PI_NOTIFY:${POSTED_INTR_WAKEUP_VECTOR}`, 'WAKE:0']);
    h.stepUntil(() => vc.run === RUN_GUEST);
    expect(h.trace[0]).toContain(`ENTRY:${V}`);
    expect(h.trace[0]).toContain(`HANDLER:${V}`);
    expect(piNv(vc.pid)).toBe(POSTED_INTR_VECTOR); // vcpu_load restored NV
  });

  it('P-13: a preempted vCPU has SN = 1 and gets no notification; when loaded again SN = 0, NDST = its pCPU and the post is delivered', () => {
    const scen = microScenario('x86-apicv-pi', {
      host: { pcpus: 1, timerHz: 0, scheduler: 'round-robin', schedSlice: '200us' },
      vms: [
        { name: 'vm', vcpus: 1, guest: { handler: { dist: 'fixed', value: '1us' } } },
        { name: 'hog', vcpus: 1, guest: { handler: { dist: 'fixed', value: '1us' } } },
      ],
      devices: [],
    });
    const h = harness('x86-apicv-pi', scen);
    const vc = h.vc(0);
    expect(h.stepUntil(() => vc.run === RUN_DESCHED, 5e6)).toBe(true);
    expect(piTestSn(vc.pid)).toBe(true);
    h.clear();
    h.sim.countRaised(vc, V);
    h.sim.scheme.deviceInterrupt(h.sim, vc, V, h.sim.now);
    expect(h.trace[0]).toEqual([]); // SN: PIR set, no notification
    expect(vecTest(vc.pid, V)).toBe(true);
    h.stepUntil(() => vc.run === RUN_GUEST, 5e6);
    expect(piTestSn(vc.pid)).toBe(false);
    expect(piNdst(vc.pid)).toBe(0); // x2APIC: NDST = APIC ID of pCPU 0
    expect(h.trace[0]).toEqual(['PI_SYNC:0', `ENTRY:${V}`, `HANDLER:${V}`, `EOI:${V}`]);
  });

  it('E-03: ELI direct mode — a host vector hits a non-present shadow-IDT gate and exits with #NP; the guest never sees it', () => {
    const h = harness('x86-eli', microScenario('x86-eli', { devices: [] }));
    const vc = h.vc();
    h.sim.hostTickOn(vc.pcpu);
    expect(h.trace[0]).toEqual(['EXIT:EXCEPTION_NP']);
    expect(vc.rootEnd - h.sim.now).toBe(h.sim.c.exitRoundTrip + h.sim.c.hostTickHandler + h.sim.c.npExitHandling);
    h.stepUntil(() => vc.run === RUN_GUEST);
    expect(h.trace[0].filter((l) => l.startsWith('HANDLER'))).toEqual([]);
  });

  it('E-05: a virtual interrupt puts the vCPU in injection mode (EOI intercepted) until it is EOI’d, then back to direct mode', () => {
    const h = harness('x86-eli', microScenario('x86-eli', { devices: [] }));
    const vc = h.vc();
    h.sim.countRaised(vc, 0xfb);
    h.sim.scheme.softwareInterrupt(h.sim, vc, 0xfb, h.sim.now, CAUSE_IPI);
    h.stepUntil(() => vc.phase === PH_WORK && h.trace[0].includes('MODE_DIRECT:0'), 1e6);
    expect(h.trace[0]).toEqual([
      'EXIT:EXCEPTION_NP', // the kick (host reschedule IPI) in direct mode
      'MODE_INJECTION:0',
      'ENTRY:251',
      'HANDLER:251',
      'EXIT:MSR_WRITE', // EOI of a virtual interrupt traps: it never reaches the physical APIC
      'EOI:251',
      'MODE_DIRECT:0', // acked at the handler's start: nothing virtual in service at the next entry
      'ENTRY:-1',
    ]);
  });

  it('E-06: an assigned interrupt for a halted vCPU takes the host path (vIRR) and is injected at its next entry', () => {
    const scen = microScenario('x86-eli', {
      vms: [
        {
          name: 'vm',
          vcpus: 1,
          guest: { handler: { dist: 'fixed', value: '1us' }, idle: { activeMean: '50us', idleMean: '500us' } },
        },
      ],
      devices: [],
    });
    const h = harness('x86-eli', scen);
    const vc = h.vc();
    expect(h.stepUntil(() => vc.run === RUN_BLOCKED, 5e6)).toBe(true);
    h.clear();
    h.sim.countRaised(vc, V);
    h.sim.scheme.deviceInterrupt(h.sim, vc, V, h.sim.now);
    expect(vecTest(vc.lapic.IRR, V)).toBe(true);
    h.stepUntil(() => vc.run === RUN_GUEST);
    expect(h.trace[0]).toEqual([
      'WAKE:0',
      'MODE_INJECTION:0',
      `ENTRY:${V}`,
      `HANDLER:${V}`,
      'EXIT:MSR_WRITE', // injection mode: the EOI is intercepted
      `EOI:${V}`,
      'MODE_DIRECT:0',
      'ENTRY:-1',
    ]);
  });

  /** ELI direct mode, inside a 20 µs handler of an assigned interrupt (guest IF = 0). */
  const eliInLongHandler = () => {
    const scen = microScenario('x86-eli', {
      vms: [{ name: 'vm', vcpus: 1, guest: { handler: { dist: 'fixed', value: '20us' } } }],
    });
    const h = harness('x86-eli', scen);
    const vc = h.vc();
    h.stepUntil(() => vc.phase === PH_HANDLER);
    h.clear();
    return { h, vc };
  };

  it('E-09: in direct mode with IF = 0 a kick (reschedule IPI) waits like the host tick, then exits as #NP', () => {
    const { h, vc } = eliInLongHandler();
    h.sim.kick(vc, CAUSE_IPI);
    expect(h.trace[0]).toEqual([]);
    h.stepUntil(() => vc.phase !== PH_HANDLER);
    expect(h.trace[0]).toEqual(['EXIT:EXCEPTION_NP']);
  });

  it('E-07: in direct mode guest IF = 0 holds off host interrupts too; the tick exits (#NP) only after the handler’s IRET', () => {
    const { h, vc } = eliInLongHandler();
    h.sim.hostTickOn(vc.pcpu);
    expect(h.trace[0]).toEqual([]); // held off
    expect(h.sim.cnt.exits[ExitReasonId.EXCEPTION_NP]).toBe(0);
    h.stepUntil(() => vc.phase !== PH_HANDLER);
    expect(h.trace[0]).toEqual(['EXIT:EXCEPTION_NP']); // taken as IRET sets IF
    expect(h.sim.cnt.exits[ExitReasonId.EXCEPTION_NP]).toBe(1);
  });
});
