// KVM-like vgic core: flush/sync/prune/injection rules G-13, G-14, G-17, G-18, G-19, G-20, G-22, G-23, G-24
// (semantics §B.5.1, §B.5.2, §B.6).

import { describe, expect, it } from 'vitest';
import {
  ARM_HCR,
  HCR_LRENPIE,
  HCR_NPIE,
  HCR_TDIR,
  HCR_UIE,
  hcrEoiCount,
  vmcrSetPmr,
} from '../../src/arch/arm/cpuif-block.ts';
import { LR_ACTIVE, LR_INVALID, LR_PENDING, LR_PENDING_ACTIVE } from '../../src/arch/arm/lr-fields.ts';
import { lrDecode, lrState } from '../../src/arch/arm/lr-view.ts';
import { cpuifMaintenance, icvEoir, icvIar } from '../../src/arch/arm/vcpu-if.ts';
import { kvmVgicInjectIrq, kvmVgicVcpuPendingIrq, VGIC_INJECT_IGNORED, VGIC_NO_KICK } from '../../src/hv/vgic/vgic.ts';
import {
  vgicMapPhysIrq,
  vgicSetConfig,
  vgicSetEnabled,
  vgicSetOwner,
  vgicSetPriority,
  vgicSetTarget,
} from '../../src/hv/vgic/vgic-dist.ts';
import { kvmVgicSyncHwstate, vgicFlushLrState } from '../../src/hv/vgic/vgic-flush.ts';
import {
  EV_KICK,
  EV_PHYS_DEACTIVATE,
  EV_RESAMPLE,
  OWNER_TIMER,
  SYNC_REPLAYED,
  vgicApList,
  vgicEvents,
  vgicIrqSlot,
} from '../../src/hv/vgic/vgic-state.ts';
import { armVm, GICS } from './helpers.ts';

describe('vgic core', () => {
  it.each(GICS)(
    'G-13 SW level SPI: LR.EOI = 1, never P+A; EOI → maintenance, sync clears latch + resample ($name)',
    ({ gic }) => {
      const { s, g } = armVm({ gic });
      vgicSetConfig(s, 0, 40, true);
      expect(kvmVgicInjectIrq(s, 0, 40, true)).toBe(0);
      vgicFlushLrState(s, 0, g[0]);
      expect(lrDecode(g[0], 0)).toMatchObject({ vintid: 40, state: LR_PENDING, eoi: true, hw: false });
      expect(icvIar(g[0], 1)).toBe(40);
      // Still asserted while the handler runs: exit + re-entry must not produce Pending+Active.
      kvmVgicSyncHwstate(s, 0, g[0]);
      vgicFlushLrState(s, 0, g[0]);
      expect(lrDecode(g[0], 0)).toMatchObject({ vintid: 40, state: LR_ACTIVE, eoi: true });
      // The device deasserts (handler), guest EOIs: EOI maintenance fires.
      kvmVgicInjectIrq(s, 0, 40, false);
      icvEoir(g[0], 1, 40);
      expect(lrState(g[0], 0)).toBe(LR_INVALID);
      expect(cpuifMaintenance(g[0])).toBe(true);
      s.pendingLatch[vgicIrqSlot(s, 0, 40)] = 1; // ISPENDR-style latch that the acked EOI must clear
      kvmVgicSyncHwstate(s, 0, g[0]);
      expect(vgicEvents(s)).toContainEqual([EV_RESAMPLE, 40]);
      expect(s.pendingLatch[vgicIrqSlot(s, 0, 40)]).toBe(0);
      expect(s.active[vgicIrqSlot(s, 0, 40)]).toBe(0);
      expect(vgicApList(s, 0)).toEqual([]);
    },
  );

  it.each(GICS)(
    'G-14 edge IRQ re-fired while Active in an LR: latched, kicked, next flush writes P+A ($name)',
    ({ gic }) => {
      const { s, g } = armVm({ gic });
      kvmVgicInjectIrq(s, 0, 40, true);
      vgicFlushLrState(s, 0, g[0]);
      expect(icvIar(g[0], 1)).toBe(40);
      expect(kvmVgicInjectIrq(s, 0, 40, true)).toBe(0);
      expect(vgicEvents(s)).toEqual([[EV_KICK, 0]]);
      expect(s.pendingLatch[vgicIrqSlot(s, 0, 40)]).toBe(1);
      kvmVgicSyncHwstate(s, 0, g[0]);
      vgicFlushLrState(s, 0, g[0]);
      expect(lrState(g[0], 0)).toBe(LR_PENDING_ACTIVE);
      // EOI of the first instance leaves the second pending and deliverable.
      icvEoir(g[0], 1, 40);
      expect(lrState(g[0], 0)).toBe(LR_PENDING);
      expect(icvIar(g[0], 1)).toBe(40);
    },
  );

  it.each(GICS)(
    'G-17 an active IRQ and a lower-priority pending IRQ compete for the last LR: pending wins ($name)',
    ({ gic }) => {
      const { s, g } = armVm({ gic, nrLr: 1 });
      vgicSetPriority(s, 0, 40, 0x10);
      vgicSetPriority(s, 0, 41, 0x80);
      kvmVgicInjectIrq(s, 0, 40, true);
      vgicFlushLrState(s, 0, g[0]);
      expect(icvIar(g[0], 1)).toBe(40);
      kvmVgicSyncHwstate(s, 0, g[0]);
      kvmVgicInjectIrq(s, 0, 41, true);
      expect(vgicFlushLrState(s, 0, g[0])).toBe(1);
      expect(lrDecode(g[0], 0)).toMatchObject({ vintid: 41, state: LR_PENDING });
      // Overflow: the interface is told to come back (UIE; LRENPIE since an active IRQ lives outside).
      expect(g[0][ARM_HCR] & (HCR_UIE | HCR_LRENPIE)).toBe(HCR_UIE | HCR_LRENPIE);
      expect(g[0][ARM_HCR] & HCR_NPIE).toBe(0);
    },
  );

  it.each(GICS)('G-18 equal priority pending IRQs: the HW one sorts first ($name)', ({ gic }) => {
    const { s, g } = armVm({ gic, nrLr: 1 });
    vgicMapPhysIrq(s, 0, 45, 77);
    kvmVgicInjectIrq(s, 0, 40, true);
    kvmVgicInjectIrq(s, 0, 45, true);
    kvmVgicInjectIrq(s, 0, 41, true);
    vgicFlushLrState(s, 0, g[0]);
    expect(lrDecode(g[0], 0)).toMatchObject({ vintid: 45, hw: true, pintid: 77 });
    expect(g[0][ARM_HCR] & (HCR_UIE | HCR_NPIE)).toBe(HCR_UIE | HCR_NPIE);
  });

  it.each(GICS)(
    'G-19 EOIcount = 1 replays the first active IRQ after the LR-resident ones, HW → physical DIR ($name)',
    ({ gic }) => {
      const { s, g } = armVm({ gic, nrLr: 2 });
      // Three nested activations: 50 (0xc0, HW → pINTID 90), 51 (0xa0), 52 (0x80).
      vgicMapPhysIrq(s, 0, 50, 90);
      const prios: Array<[number, number]> = [
        [50, 0xc0],
        [51, 0xa0],
        [52, 0x80],
      ];
      for (const [intid, p] of prios) {
        vgicSetPriority(s, 0, intid, p);
        kvmVgicInjectIrq(s, 0, intid, true);
        vgicFlushLrState(s, 0, g[0]);
        expect(icvIar(g[0], 1)).toBe(intid);
        kvmVgicSyncHwstate(s, 0, g[0]);
      }
      // Next entry: 3 active IRQs, 2 LRs → the two best (52, 51) are resident, 50 lives outside.
      vgicFlushLrState(s, 0, g[0]);
      expect([lrDecode(g[0], 0).vintid, lrDecode(g[0], 1).vintid]).toEqual([52, 51]);
      expect(g[0][ARM_HCR] & HCR_LRENPIE).toBe(HCR_LRENPIE);
      icvEoir(g[0], 1, 52);
      icvEoir(g[0], 1, 51);
      expect(hcrEoiCount(g[0][ARM_HCR])).toBe(0);
      icvEoir(g[0], 1, 50 | 0); // no LR: EOIcount
      expect(hcrEoiCount(g[0][ARM_HCR])).toBe(1);
      expect(cpuifMaintenance(g[0])).toBe(true);
      kvmVgicSyncHwstate(s, 0, g[0]);
      expect(s.syncStats[SYNC_REPLAYED]).toBe(1);
      expect(vgicEvents(s)).toContainEqual([EV_PHYS_DEACTIVATE, 90]);
      for (const [intid] of prios) expect(s.active[vgicIrqSlot(s, 0, intid)]).toBe(0);
      expect(vgicApList(s, 0)).toEqual([]);
    },
  );

  it('G-20 GICv3: TDIR set while any SPI is active in the VM or active IRQs live outside the LRs', () => {
    const { s, g } = armVm({ gic: 3, vcpus: 2, nrLr: 1 });
    vgicFlushLrState(s, 1, g[1]);
    expect(g[1][ARM_HCR] & HCR_TDIR).toBe(0);
    kvmVgicInjectIrq(s, 0, 40, true);
    vgicFlushLrState(s, 0, g[0]);
    icvIar(g[0], 1);
    kvmVgicSyncHwstate(s, 0, g[0]);
    expect(s.activeSpis).toBe(1);
    // vCPU 1 has nothing of its own, but an SPI is active on vCPU 0: its DIR must trap too.
    vgicFlushLrState(s, 1, g[1]);
    expect(g[1][ARM_HCR] & HCR_TDIR).toBe(HCR_TDIR);
    vgicFlushLrState(s, 0, g[0]);
    icvEoir(g[0], 1, 40);
    kvmVgicSyncHwstate(s, 0, g[0]);
    expect(s.activeSpis).toBe(0);
    vgicFlushLrState(s, 1, g[1]);
    expect(g[1][ARM_HCR] & HCR_TDIR).toBe(0);
    // Private IRQs only: active PPIs/SGIs outside the LRs also force TDIR.
    vgicSetEnabled(s, 1, 20, true);
    vgicSetConfig(s, 1, 20, false);
    vgicSetEnabled(s, 1, 21, true);
    vgicSetConfig(s, 1, 21, false);
    vgicSetPriority(s, 1, 20, 0x90);
    kvmVgicInjectIrq(s, 1, 21, true);
    vgicFlushLrState(s, 1, g[1]);
    icvIar(g[1], 1);
    kvmVgicSyncHwstate(s, 1, g[1]);
    kvmVgicInjectIrq(s, 1, 20, true);
    vgicFlushLrState(s, 1, g[1]);
    expect(g[1][ARM_HCR] & HCR_TDIR).toBe(HCR_TDIR);
    // A CPU without TDIR support always traps.
    const old = armVm({ gic: 3, hasTdir: false });
    vgicFlushLrState(old.s, 0, old.g[0]);
    expect(old.g[0][ARM_HCR] & HCR_TDIR).toBe(HCR_TDIR);
  });

  it.each([
    { name: 'level, line already 1, inject 1', level: true, first: true, again: true, ignored: true },
    { name: 'level, line 1, inject 0', level: true, first: true, again: false, ignored: false },
    { name: 'edge, inject 0', level: false, first: null, again: false, ignored: true },
    { name: 'edge, inject 1 twice', level: false, first: true, again: true, ignored: false },
  ])('G-22 vgic_validate_injection: $name', ({ level, first, again, ignored }) => {
    const { s } = armVm({ gic: 3 });
    vgicSetConfig(s, 0, 40, level);
    if (first !== null) expect(kvmVgicInjectIrq(s, 0, 40, first)).toBeGreaterThanOrEqual(VGIC_NO_KICK);
    const r = kvmVgicInjectIrq(s, 0, 40, again);
    expect(r === VGIC_INJECT_IGNORED).toBe(ignored);
  });

  it('G-22 the owner check refuses injections from anyone but the owner', () => {
    const { s } = armVm({ gic: 3 });
    vgicSetOwner(s, 0, 27, OWNER_TIMER);
    expect(kvmVgicInjectIrq(s, 0, 27, true)).toBe(VGIC_INJECT_IGNORED);
    expect(kvmVgicInjectIrq(s, 0, 27, true, OWNER_TIMER)).not.toBe(VGIC_INJECT_IGNORED);
  });

  it.each(GICS)('G-23 an active IRQ retargeted to B stays on A until deactivated, then migrates ($name)', ({ gic }) => {
    const { s, g } = armVm({ gic, vcpus: 2 });
    const i = vgicIrqSlot(s, 0, 40);
    kvmVgicInjectIrq(s, 0, 40, true);
    vgicFlushLrState(s, 0, g[0]);
    icvIar(g[0], 1);
    kvmVgicInjectIrq(s, 0, 40, true); // pending again while active
    vgicSetTarget(s, 40, 1);
    kvmVgicSyncHwstate(s, 0, g[0]);
    expect(s.vcpu[i]).toBe(0);
    expect(vgicApList(s, 1)).toEqual([]);
    vgicFlushLrState(s, 0, g[0]);
    expect(lrDecode(g[0], 0)).toMatchObject({ vintid: 40, state: LR_PENDING_ACTIVE });
    icvEoir(g[0], 1, 40);
    kvmVgicSyncHwstate(s, 0, g[0]);
    expect(vgicEvents(s)).toContainEqual([EV_KICK, 1]);
    expect(s.vcpu[i]).toBe(1);
    expect(vgicApList(s, 0)).toEqual([]);
    vgicFlushLrState(s, 1, g[1]);
    expect(icvIar(g[1], 1)).toBe(40);
  });

  it.each(GICS)('G-24 a blocked vCPU wakes only for priority < PMR ($name)', ({ gic }) => {
    const { s, g } = armVm({ gic });
    vmcrSetPmr(g[0], 0x80);
    vgicSetPriority(s, 0, 40, 0x80);
    kvmVgicInjectIrq(s, 0, 40, true);
    expect(kvmVgicVcpuPendingIrq(s, 0, g[0])).toBe(false);
    vgicSetPriority(s, 0, 41, 0x78);
    kvmVgicInjectIrq(s, 0, 41, true);
    expect(kvmVgicVcpuPendingIrq(s, 0, g[0])).toBe(true);
    vgicSetEnabled(s, 0, 41, false);
    expect(kvmVgicVcpuPendingIrq(s, 0, g[0])).toBe(false);
    s.pendingLast[0] = 1; // GICv4: a doorbell already told us
    expect(kvmVgicVcpuPendingIrq(s, 0, g[0])).toBe(true);
  });
});
