// Property tests (DESIGN §6.2 style): random sequences of inject / retarget / flush / guest IAR / EOIR / DIR /
// sync on a 2-vCPU VM keep every LR legal and lose nothing on LR overflow: every injected edge interrupt is
// either acknowledged exactly once or coalesced into a pending instance that was still outstanding.
// Counting: injected = acked + coalesced, per INTID, after a drain.

import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ARM_USED_LRS, cpuifNrLr, vmcrSetEoiMode } from '../../src/arch/arm/cpuif-block.ts';
import { LR_PENDING, LR_PENDING_ACTIVE } from '../../src/arch/arm/lr-fields.ts';
import { lrHw, lrState, lrVintid } from '../../src/arch/arm/lr-view.ts';
import { icvDir, icvDirTraps, icvEoir, icvIar } from '../../src/arch/arm/vcpu-if.ts';
import { kvmVgicInjectIrq } from '../../src/hv/vgic/vgic.ts';
import { vgicMapPhysIrq, vgicSetConfig, vgicSetPriority, vgicSetTarget } from '../../src/hv/vgic/vgic-dist.ts';
import { kvmVgicSyncHwstate, vgicFlushLrState } from '../../src/hv/vgic/vgic-flush.ts';
import { vgicIrqSlot } from '../../src/hv/vgic/vgic-state.ts';
import { vgicDeactivateTrapped, vgicV2DirTraps } from '../../src/hv/vgic/vgic-trap.ts';
import { armVm } from './helpers.ts';

const EDGE = [40, 41, 42, 43, 44, 45]; // 45 is HW-mapped
const LEVEL = 46;
const NV = 2;

type Op =
  | { k: 'inject'; irq: number }
  | { k: 'level'; on: boolean }
  | { k: 'retarget'; irq: number; to: number }
  | { k: 'enter' | 'exit' | 'ack' | 'eoi'; v: number };

const opArb: fc.Arbitrary<Op> = fc.oneof(
  { weight: 4, arbitrary: fc.record({ k: fc.constant('inject' as const), irq: fc.constantFrom(...EDGE) }) },
  { weight: 1, arbitrary: fc.record({ k: fc.constant('level' as const), on: fc.boolean() }) },
  {
    weight: 1,
    arbitrary: fc.record({
      k: fc.constant('retarget' as const),
      irq: fc.constantFrom(...EDGE),
      to: fc.integer({ min: 0, max: NV - 1 }),
    }),
  },
  ...(['enter', 'exit', 'ack', 'eoi'] as const).map((k) => ({
    weight: k === 'ack' || k === 'eoi' ? 3 : 2,
    arbitrary: fc.record({ k: fc.constant(k), v: fc.integer({ min: 0, max: NV - 1 }) }),
  })),
);

function scenario(gic: 2 | 3, nrLr: number, split: boolean, prios: number[], ops: Op[]): void {
  const vm = armVm({ gic, vcpus: NV, nrLr });
  const { s, g } = vm;
  for (const [k, irq] of EDGE.entries()) vgicSetPriority(s, 0, irq, prios[k]);
  vgicMapPhysIrq(s, 0, 45, 99);
  vgicSetConfig(s, 0, LEVEL, true);
  for (const b of g) vmcrSetEoiMode(b, split);
  const inGuest = [false, false];
  const stack: number[][] = [[], []];
  const injected = new Map<number, number>();
  const coalesced = new Map<number, number>();
  const acked = new Map<number, number>();
  const bump = (m: Map<number, number>, k: number) => m.set(k, (m.get(k) ?? 0) + 1);

  // KVM coalesces an edge in two places: a new injection while the software latch is still set, and the fold of
  // an LR that is still Pending into a latch that a later injection set again (vgic_v2_fold_lr re-latches).
  const latched = (irq: number): boolean => s.pendingLatch[vgicIrqSlot(s, 0, irq)] !== 0;
  const enter = (v: number) => {
    if (inGuest[v]) return;
    vgicFlushLrState(s, v, g[v]);
    inGuest[v] = true;
  };
  const exit = (v: number) => {
    if (!inGuest[v]) return;
    for (let n = 0; n < g[v][ARM_USED_LRS]; n++) {
      const id = lrVintid(g[v], n);
      if (EDGE.includes(id) && lrState(g[v], n) & LR_PENDING && latched(id)) bump(coalesced, id);
    }
    kvmVgicSyncHwstate(s, v, g[v]);
    inGuest[v] = false;
  };
  const ack = (v: number): boolean => {
    if (!inGuest[v]) return false;
    const iar = icvIar(g[v], 1);
    if (iar === 1023) return false;
    bump(acked, iar);
    stack[v].push(iar);
    return true;
  };
  const eoi = (v: number) => {
    if (!inGuest[v] || stack[v].length === 0) return;
    const iar = stack[v].pop()!;
    icvEoir(g[v], 1, iar);
    if (!split) return;
    if (vgicV2DirTraps(vm.fmt) || icvDirTraps(g[v])) {
      exit(v); // the DIR write traps: exit (sync), then KVM emulates it
      vgicDeactivateTrapped(s, v, iar);
    } else icvDir(g[v], iar);
  };
  const checkInvariants = () => {
    const owners = new Map<number, number>();
    for (let v = 0; v < NV; v++) {
      for (let k = 0; k < s.apLen[v]; k++) {
        const i = s.ap[v * s.apCap + k];
        expect(owners.has(i)).toBe(false); // on at most one ap_list
        owners.set(i, v);
        expect(s.vcpu[i]).toBe(v);
      }
      if (!inGuest[v]) continue;
      const seen = new Set<number>();
      for (let n = 0; n < cpuifNrLr(g[v]); n++) {
        const st = lrState(g[v], n);
        if (n >= g[v][ARM_USED_LRS]) expect(st).toBe(0);
        if (st === 0) continue;
        const id = lrVintid(g[v], n);
        expect(seen.has(id)).toBe(false); // no duplicate vINTID across LRs
        seen.add(id);
        if (lrHw(g[v], n) || id === LEVEL) expect(st).not.toBe(LR_PENDING_ACTIVE);
        expect(s.vcpu[vgicIrqSlot(s, v, id)]).toBe(v); // an LR-resident IRQ is on this vCPU's ap_list
      }
    }
    for (let i = 0; i < s.nrIrqs; i++) if (s.vcpu[i] >= 0) expect(owners.get(i)).toBe(s.vcpu[i]);
  };

  for (const op of ops) {
    if (op.k === 'inject') {
      bump(injected, op.irq);
      if (latched(op.irq)) bump(coalesced, op.irq);
      kvmVgicInjectIrq(s, 0, op.irq, true);
    } else if (op.k === 'level') kvmVgicInjectIrq(s, 0, LEVEL, op.on);
    else if (op.k === 'retarget') vgicSetTarget(s, op.irq, op.to);
    else if (op.k === 'enter') enter(op.v);
    else if (op.k === 'exit') exit(op.v);
    else if (op.k === 'ack') ack(op.v);
    else eoi(op.v);
    checkInvariants();
  }
  // Drain: the level line drops, then every vCPU runs its handlers to completion until nothing is left.
  kvmVgicInjectIrq(s, 0, LEVEL, false);
  for (let round = 0; round < 64; round++) {
    let work = false;
    for (let v = 0; v < NV; v++) {
      enter(v);
      while (stack[v].length > 0 || ack(v)) {
        work = true;
        eoi(v);
        enter(v);
      }
      exit(v);
      checkInvariants();
    }
    if (!work && s.apLen.every((n) => n === 0)) break;
  }
  expect(Array.from(s.apLen)).toEqual([0, 0]);
  for (const irq of EDGE) {
    const i = vgicIrqSlot(s, 0, irq);
    expect(s.active[i]).toBe(0);
    expect(s.pendingLatch[i]).toBe(0);
    const inj = injected.get(irq) ?? 0;
    const co = coalesced.get(irq) ?? 0;
    expect(acked.get(irq) ?? 0).toBe(inj - co);
  }
}

describe('vgic properties', () => {
  for (const gic of [2, 3] as const) {
    it(`GICv${gic}: random inject/flush/ack/EOI/DIR/sync keeps LRs legal and loses no edge interrupt`, () => {
      fc.assert(
        fc.property(
          fc.integer({ min: 1, max: 4 }),
          fc.boolean(),
          fc.array(fc.constantFrom(0x20, 0x40, 0x80, 0xa0, 0xc0), { minLength: EDGE.length, maxLength: EDGE.length }),
          fc.array(opArb, { minLength: 1, maxLength: 80 }),
          (nrLr, split, prios, ops) => scenario(gic, nrLr, split, prios, ops),
        ),
        { numRuns: 300, seed: 0x1c5 + gic },
      );
    });
  }
});
