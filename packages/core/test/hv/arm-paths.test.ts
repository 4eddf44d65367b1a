// Path-level checks of the ARM schemes (semantics §B.5–§B.7) through the engine, with the path trace: exits per
// device interrupt, exitless guest ACK/EOI, GICv4 residency and doorbells, KVM's WFI trap policy (native WFI
// under GICv4), SGI traps, LR overflow → maintenance, bare-metal GIC costs, schema validation, and conservation
// over random small ARM scenarios (fast-check).

import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ARM_AREA_WORDS, ARM_HCR, HCR_UIE } from '../../src/arch/arm/cpuif-block.ts';
import { kvmVcpuShouldClearTwi, type WfiTrapPolicy } from '../../src/hv/arm-gicv4.ts';
import { ExitReasonId } from '../../src/hv/exit-reasons.ts';
import { ScenarioError, validateScenario } from '../../src/scenario/load.ts';
import type { ScenarioInput, SchemeId } from '../../src/scenario/schema.ts';
import { PH_HALT, PH_HANDLER, PH_WORK, RUN_BLOCKED, RUN_GUEST } from '../../src/sim/vcpu.ts';
import { harness, microScenario, runAll } from '../helpers.ts';

const V = 0x41;
const GIC_SCHEMES = ['arm-gicv2', 'arm-gicv3', 'arm-gicv4'] as const;

/** One VM, one vCPU on one pCPU, a device at 10K/s periodic, 1 µs handlers, no host ticks, no idle. */
function armMicro(scheme: SchemeId, patch: Partial<ScenarioInput> = {}): ScenarioInput {
  return microScenario(scheme, { name: 'arm-micro', arch: 'arm', costs: { preset: 'arm-kvm-vhe' }, ...patch });
}

/** Trace of the first device interrupt: from the start until its handler returned to work. */
function firstInterruptTrace(scheme: SchemeId): string[] {
  const h = harness(scheme, armMicro(scheme));
  const vc = h.vc();
  h.stepUntil(() => vc.phase === PH_HANDLER);
  h.stepUntil(() => vc.phase === PH_WORK && vc.run === RUN_GUEST && h.trace[0].some((l) => l.startsWith('EOI')));
  return h.trace[0];
}

describe('ARM GIC paths', () => {
  it.each(['arm-gicv2', 'arm-gicv3'] as const)(
    '%s: a device interrupt to a running vCPU takes exactly one exit (ARM_IRQ); ACK and EOI take none',
    (scheme) => {
      expect(firstInterruptTrace(scheme)).toEqual(['EXIT:ARM_IRQ', `ENTRY:${V}`, `HANDLER:${V}`, `EOI:${V}`]);
      // Steady state: over the whole run, one ARM_IRQ per interrupt and nothing else.
      const sim = runAll(scheme, armMicro(scheme));
      const delivered = sim.cnt.delivered;
      expect(delivered).toBeGreaterThan(15);
      expect(sim.cnt.exits[ExitReasonId.ARM_IRQ]).toBe(sim.cnt.raised);
      const total = sim.cnt.exits.reduce((a, b) => a + b, 0);
      expect(total).toBe(sim.cnt.exits[ExitReasonId.ARM_IRQ]);
    },
  );

  it('arm-gicv4: a vLPI to a resident vPE is delivered and EOIed with zero exits and no LR', () => {
    expect(firstInterruptTrace('arm-gicv4')).toEqual([`HANDLER:${V}`, `EOI:${V}`]);
    const sim = runAll('arm-gicv4', armMicro('arm-gicv4'));
    expect(sim.cnt.delivered).toBeGreaterThan(15);
    expect(sim.cnt.exits.reduce((a, b) => a + b, 0)).toBe(0);
  });

  /** A vCPU that idles for long: the device interrupt finds it in WFI (blocked if WFI traps). */
  const idle = (scheme: SchemeId, v4: '4.0' | '4.1' = '4.1', wfiTrapPolicy: WfiTrapPolicy = 'default') =>
    armMicro(scheme, {
      duration: '5ms',
      host: { pcpus: 1, timerHz: 0, gic: { listRegs: 4, v4 } },
      schemeOptions: { 'arm-gicv4': { wfiTrapPolicy } },
      vms: [
        {
          name: 'vm',
          vcpus: 1,
          guest: { handler: { dist: 'fixed', value: '1us' }, idle: { activeMean: '20us', idleMean: '50ms' } },
        },
      ],
      devices: [{ name: 'nic', vm: 'vm', vector: V, arrival: { process: 'periodic', rate: 2_000 } }],
    });

  it.each(['4.0', '4.1'] as const)(
    'arm-gicv4 (GICv%s): a vLPI for a vCPU blocked in WFI rings the doorbell, which wakes it; delivered from the VPT',
    (v4) => {
      // kvm-arm.wfi_trap_policy=trap: alone on its pCPU the vCPU would otherwise WFI natively (see below).
      const h = harness('arm-gicv4', idle('arm-gicv4', v4, 'trap'));
      const vc = h.vc();
      expect(h.stepUntil(() => vc.run === RUN_BLOCKED)).toBe(true);
      expect(h.trace[0]).toContain('EXIT:ARM_WFI');
      h.clear();
      expect(h.stepUntil(() => h.trace[0].includes(`HANDLER:${V}`))).toBe(true);
      expect(h.trace[0]).toEqual([`DOORBELL:${0x2000 + V}`, 'WAKE:0', `ENTRY:${V}`, `HANDLER:${V}`]);
    },
  );

  it.each(['4.0', '4.1'] as const)(
    'arm-gicv4 (GICv%s), default WFI policy, vCPU alone with a forwarded NIC: TWI clear, the WFI runs natively and a vLPI wakes it with no exit',
    (v4) => {
      const h = harness('arm-gicv4', idle('arm-gicv4', v4));
      const vc = h.vc();
      const c = h.sim.c;
      expect(h.stepUntil(() => vc.phase === PH_HALT)).toBe(true);
      expect(vc.run).toBe(RUN_GUEST); // no trap: still in guest mode, the vPE resident
      expect(h.trace[0]).toEqual([]);
      expect(h.stepUntil(() => h.trace[0].includes(`HANDLER:${V}`))).toBe(true);
      expect(h.trace[0]).toEqual([`HANDLER:${V}`]); // no EXIT, DOORBELL, WAKE or ENTRY
      // MSI → ITS → RD → the core leaves WFI (the bare-metal wake-up) → IAR: nothing from the hypervisor.
      expect(h.sim.cnt.delivery.max).toBe(c.msiDelivery + c.haltWake + c.irqDelivery + c.vgicAckSysreg);
      const sim = runAll('arm-gicv4', idle('arm-gicv4', v4));
      expect(sim.cnt.delivered).toBeGreaterThan(5);
      expect(sim.cnt.exits.reduce((a, b) => a + b, 0)).toBe(0);
    },
  );

  /** The idle vCPU shares pCPU 0 with a busy vCPU of another VM. */
  const shared = (wfiTrapPolicy: WfiTrapPolicy) =>
    armMicro('arm-gicv4', {
      duration: '5ms',
      // The fixed-slice policy: the vCPU in native WFI holds the pCPU until the slice ends.
      host: { pcpus: 1, timerHz: 0, scheduler: 'round-robin', schedSlice: '200us' },
      schemeOptions: { 'arm-gicv4': { wfiTrapPolicy } },
      vms: [
        {
          name: 'vm',
          vcpus: 1,
          pin: [0],
          guest: { handler: { dist: 'fixed', value: '1us' }, idle: { activeMean: '20us', idleMean: '50ms' } },
        },
        { name: 'busy', vcpus: 1, pin: [0], guest: { handler: { dist: 'fixed', value: '1us' } } },
      ],
      devices: [{ name: 'nic', vm: 'vm', vector: V, arrival: { process: 'periodic', rate: 2_000 } }],
    });

  it('arm-gicv4, default WFI policy, another vCPU runnable on the same pCPU: single_task_running() is false, WFI traps', () => {
    const h = harness('arm-gicv4', shared('default'));
    const vc = h.vc(0);
    expect(h.stepUntil(() => vc.run === RUN_BLOCKED)).toBe(true);
    expect(h.trace[0]).toEqual(['EXIT:ARM_WFI', 'BLOCK:0']);
    // Woken by the doorbell while the busy vCPU is queued behind it: TWI is set again at that load.
    h.clear();
    expect(h.stepUntil(() => h.trace[0].includes(`HANDLER:${V}`))).toBe(true);
    expect(h.stepUntil(() => vc.run === RUN_BLOCKED)).toBe(true);
    expect(h.trace[0]).toContain('EXIT:ARM_WFI');
  });

  it('arm-gicv4, wfiTrapPolicy trap: WFI traps even alone on the pCPU (doorbell path)', () => {
    const h = harness('arm-gicv4', idle('arm-gicv4', '4.1', 'trap'));
    expect(h.stepUntil(() => h.trace[0].includes(`HANDLER:${V}`))).toBe(true);
    expect(h.trace[0]).toEqual([
      'EXIT:ARM_WFI',
      'BLOCK:0',
      `DOORBELL:${0x2000 + V}`,
      'WAKE:0',
      `ENTRY:${V}`,
      `HANDLER:${V}`,
    ]);
  });

  it('arm-gicv4, wfiTrapPolicy notrap: WFI runs natively on a shared pCPU; the vCPU holds it until the slice ends', () => {
    const h = harness('arm-gicv4', shared('notrap'));
    expect(h.stepUntil(() => h.trace[0].includes(`HANDLER:${V}`))).toBe(true);
    // In native WFI at the first slice end: the scheduler's exit preempts it (the busy vCPU waited that long);
    // back on the pCPU it resumes its WFI with no trap, and the vLPI is taken with no exit.
    expect(h.trace[0]).toEqual(['EXIT:ARM_IRQ', 'PREEMPT:0', 'ENTRY:-1', `HANDLER:${V}`]);
    expect(h.trace[1]).toEqual(['ENTRY:-1', 'EXIT:ARM_IRQ', 'PREEMPT:0']);
    const sim = runAll('arm-gicv4', shared('notrap'));
    expect(sim.cnt.exits[ExitReasonId.ARM_WFI]).toBe(0);
    expect(runAll('arm-gicv4', shared('default')).cnt.exits[ExitReasonId.ARM_WFI]).toBeGreaterThan(0);
  });

  it('kvm_vcpu_should_clear_twi: forced policies decide alone; by default alone on the CPU and vLPIs or vSGIs', () => {
    const cases: [WfiTrapPolicy, boolean, number, boolean, boolean][] = [
      ['default', true, 1, false, true],
      ['default', true, 0, true, true],
      ['default', true, 0, false, false],
      ['default', false, 4, true, false],
      ['trap', true, 4, true, false],
      ['notrap', false, 0, false, true],
    ];
    for (const [policy, single, vlpis, nassgireq, clear] of cases)
      expect(kvmVcpuShouldClearTwi(policy, single, vlpis, nassgireq)).toBe(clear);
  });

  it('arm-gicv3: a device interrupt for a vCPU blocked in WFI wakes it through the kick, no doorbell', () => {
    const h = harness('arm-gicv3', idle('arm-gicv3'));
    const vc = h.vc();
    expect(h.stepUntil(() => vc.run === RUN_BLOCKED)).toBe(true);
    h.clear();
    expect(h.stepUntil(() => h.trace[0].includes(`HANDLER:${V}`))).toBe(true);
    expect(h.trace[0]).toEqual(['WAKE:0', `ENTRY:${V}`, `HANDLER:${V}`]);
  });

  /** Two vCPUs on two pCPUs sending IPIs (SGIs), no devices. */
  const ipis = (scheme: SchemeId) =>
    armMicro(scheme, {
      host: { pcpus: 2, timerHz: 0 },
      vms: [{ name: 'vm', vcpus: 2, guest: { handler: { dist: 'fixed', value: '1us' }, ipi: { rate: 20_000 } } }],
      devices: [],
    });

  it.each([
    ['arm-gicv2', 'ARM_MMIO', true],
    ['arm-gicv3', 'ARM_SYSREG', true],
    ['arm-gicv4', 'ARM_SYSREG', false],
  ] as const)('%s: an SGI traps on the sender (%s); receiver exit to take it: %s', (scheme, trap, receiverExits) => {
    const sim = runAll(scheme, ipis(scheme));
    const c = sim.cnt;
    expect(c.raisedByKind[2]).toBeGreaterThan(20);
    // Every SGI sent is one trap on the sender (the last ones may still be in flight at the end of the run).
    expect(c.exits[ExitReasonId[trap]]).toBeGreaterThanOrEqual(c.raisedByKind[2]);
    expect(c.exits[ExitReasonId[trap]]).toBeLessThanOrEqual(c.raisedByKind[2] + 2);
    // GICv2/v3: the target is kicked out of guest mode (ARM_IRQ); GICv4.1 vSGIs arrive with no exit.
    if (receiverExits) expect(c.exits[ExitReasonId.ARM_IRQ]).toBeGreaterThan(0.5 * c.raisedByKind[2]);
    else expect(c.exits[ExitReasonId.ARM_IRQ]).toBe(0);
    expect(c.raised).toBe(c.delivered + c.coalesced + sim.pendingTotal());
  });

  /** 8 vectors all on vCPU 0 firing together: 8 distinct pending interrupts per burst. */
  const burst = (scheme: SchemeId, listRegs: number) =>
    armMicro(scheme, {
      duration: '3ms',
      host: { pcpus: 1, timerHz: 0, gic: { listRegs } },
      devices: [
        {
          name: 'mq',
          vm: 'vm',
          queues: [0, 0, 0, 0, 0, 0, 0, 0],
          vector: 0x50,
          arrival: { process: 'periodic', rate: 5000 },
        },
      ],
    });

  it.each(['arm-gicv2', 'arm-gicv3'] as const)(
    '%s: more pending interrupts than LRs → UIE/NPIE → MAINTENANCE exits refill the LRs; 16 LRs need none',
    (scheme) => {
      const h = harness(scheme, burst(scheme, 2));
      const vc = h.vc();
      const g = h.sim.arena.u32View(0, h.sim.arena.layout.arm, ARM_AREA_WORDS);
      // The first entry after the burst writes 2 of the 8 and arms the underflow interrupt.
      expect(h.stepUntil(() => vc.run === RUN_GUEST && (g[ARM_HCR] & HCR_UIE) !== 0)).toBe(true);
      expect(h.stepUntil(() => h.trace[0].includes('EXIT:MAINTENANCE'))).toBe(true);
      const two = runAll(scheme, burst(scheme, 2)).cnt;
      const sixteen = runAll(scheme, burst(scheme, 16)).cnt;
      expect(two.exits[ExitReasonId.MAINTENANCE]).toBeGreaterThan(10);
      expect(sixteen.exits[ExitReasonId.MAINTENANCE]).toBe(0);
      // Every interrupt of the bursts is still delivered (none lost to the overflow).
      expect(two.delivered + two.coalesced).toBeGreaterThan(0.9 * two.raised);
    },
  );

  it('arm-gicv4: the bursts are vLPIs in the VPT — no LR overflow, no maintenance even with 1 LR', () => {
    const c = runAll('arm-gicv4', burst('arm-gicv4', 1)).cnt;
    expect(c.delivered).toBeGreaterThan(100);
    expect(c.exits[ExitReasonId.MAINTENANCE]).toBe(0);
  });

  it('bare-metal on arch arm charges the physical GIC ACK and EOI; on x86 the IDT vectoring and x2APIC EOI', () => {
    const firstHw = (input: ScenarioInput) => {
      const h = harness('bare-metal', input);
      const vc = h.vc();
      h.stepUntil(() => h.trace[0].some((l) => l.startsWith('EOI')));
      return { hw: h.sim.cnt.cycHw, c: h.sim.c, vc };
    };
    const arm = firstHw(armMicro('bare-metal'));
    expect(arm.hw).toBe(arm.c.irqDelivery + arm.c.gicAck + arm.c.gicEoi);
    const x86 = firstHw({ ...armMicro('bare-metal'), arch: 'x86', costs: { preset: 'xeon-e5-kvm' } });
    expect(x86.hw).toBe(x86.c.irqDelivery + x86.c.eoiLocal);
  });
});

describe('ARM scenario validation', () => {
  const bad = (patch: Partial<ScenarioInput>) => () => validateScenario(armMicro('arm-gicv3', patch));
  it.each([
    [{ host: { pcpus: 1, gic: { listRegs: 0 } } }, /^scenario\.host\.gic\.listRegs: expected 1\.\.16/],
    [{ host: { pcpus: 1, gic: { listRegs: 17 } } }, /^scenario\.host\.gic\.listRegs: expected 1\.\.16/],
    [{ host: { pcpus: 1, gic: { listRegs: 2.5 } } }, /^scenario\.host\.gic\.listRegs: expected an integer/],
    [{ arch: 'x86', schemes: ['x86-vmx'], host: { pcpus: 1, gic: { listRegs: 4 } } }, /^scenario\.host\.gic: .*arm/],
    [
      { schemes: ['arm-gicv2'], vms: [{ name: 'vm', vcpus: 9 }], host: { pcpus: 9 } },
      /^scenario\.vms\[0\]\.vcpus: arm-gicv2 supports at most 8/,
    ],
  ] as const)('rejects %j with a one-line error naming the field', (patch, msg) => {
    expect(bad(patch as Partial<ScenarioInput>)).toThrow(ScenarioError);
    expect(bad(patch as Partial<ScenarioInput>)).toThrow(msg);
  });

  it('accepts 1..16 list registers and defaults to 4 / GICv4.1', () => {
    expect(validateScenario(armMicro('arm-gicv3')).host.gic).toBeUndefined();
    expect(validateScenario(armMicro('arm-gicv3', { host: { pcpus: 1, gic: { listRegs: 16 } } })).host.gic).toEqual({
      listRegs: 16,
      v4: '4.1',
    });
  });
});

describe('ARM conservation (fast-check)', () => {
  it('raised = delivered + coalesced + pending for random small ARM scenarios, every GIC scheme', () => {
    fc.assert(
      fc.property(
        fc.record({
          scheme: fc.constantFrom(...GIC_SCHEMES),
          vcpus: fc.integer({ min: 1, max: 3 }),
          pcpus: fc.integer({ min: 1, max: 2 }),
          rate: fc.integer({ min: 5_000, max: 300_000 }),
          queuesOnZero: fc.integer({ min: 0, max: 6 }),
          idle: fc.boolean(),
          ipi: fc.integer({ min: 0, max: 30_000 }),
          listRegs: fc.integer({ min: 1, max: 6 }),
          v4: fc.constantFrom('4.0' as const, '4.1' as const),
          seed: fc.integer({ min: 0, max: 1_000_000 }),
        }),
        (p) => {
          const devices: ScenarioInput['devices'] = [
            { name: 'nic', vm: 'vm', vector: V, arrival: { process: 'poisson', rate: p.rate } },
          ];
          if (p.queuesOnZero > 0)
            devices.push({
              name: 'mq',
              vm: 'vm',
              queues: Array.from({ length: p.queuesOnZero }, () => 0),
              vector: 0x60,
              arrival: { process: 'periodic', rate: 20_000 },
            });
          const input = armMicro(p.scheme, {
            seed: p.seed,
            duration: '1ms',
            host: { pcpus: p.pcpus, timerHz: 4000, schedSlice: '200us', gic: { listRegs: p.listRegs, v4: p.v4 } },
            vms: [
              {
                name: 'vm',
                vcpus: p.vcpus,
                pin: Array.from({ length: p.vcpus }, (_, i) => i % p.pcpus),
                guest: {
                  handler: { dist: 'exponential', mean: '1us' },
                  ...(p.idle ? { idle: { activeMean: '50us', idleMean: '40us' } } : {}),
                  ...(p.ipi > 0 ? { ipi: { rate: p.ipi } } : {}),
                },
              },
            ],
            devices,
          });
          const sim = runAll(p.scheme, input);
          const pending = sim.pendingTotal();
          expect(pending).toBeGreaterThanOrEqual(0);
          expect(sim.cnt.raised).toBe(sim.cnt.delivered + sim.cnt.coalesced + pending);
          // Every delivered interrupt was EOIed except the one possibly in its handler at the end.
          expect(sim.cnt.delivered - sim.cnt.completed).toBeLessThanOrEqual(p.vcpus);
        },
      ),
      { numRuns: 60, seed: 20260 },
    );
  });
});
