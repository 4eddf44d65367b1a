// SGIs and the virtual timer PPI: G-21, G-25, G-26, G-27 (semantics §B.5.1, KUT:arm/gic.c, KUT:arm/timer.c).

import { describe, expect, it } from 'vitest';
import { vmcrSetEoiMode } from '../../src/arch/arm/cpuif-block.ts';
import { LR_PENDING } from '../../src/arch/arm/lr-fields.ts';
import { lrDecode } from '../../src/arch/arm/lr-view.ts';
import { icvEoir, icvIar } from '../../src/arch/arm/vcpu-if.ts';
import { vgicIsActive, vgicIsPending, vgicMmioChangeActive, vgicSetEnabled } from '../../src/hv/vgic/vgic-dist.ts';
import { kvmVgicSyncHwstate, vgicFlushLrState } from '../../src/hv/vgic/vgic-flush.ts';
import {
  SGIR_FILTER_ALL_BUT_SELF,
  SGIR_FILTER_SELF,
  vgicV2WriteSgir,
  vgicV3DispatchSgi,
} from '../../src/hv/vgic/vgic-sgi.ts';
import { EV_KICK, vgicApList, vgicEvents, vgicIrqSlot } from '../../src/hv/vgic/vgic-state.ts';
import {
  CNTV_CTL_ENABLE,
  CNTV_CTL_IMASK,
  CNTV_CTL_ISTATUS,
  cntvCtlRead,
  kvmTimerUpdateIrq,
  vtimerInit,
} from '../../src/hv/vgic/vtimer.ts';
import { armVm, GICS } from './helpers.ts';

/** Guest handler loop on one vCPU: enter, ack everything deliverable (EOImode 0), exit. Returns the IAR values. */
function runGuest(vm: ReturnType<typeof armVm>, v: number): number[] {
  const got: number[] = [];
  vgicFlushLrState(vm.s, v, vm.g[v]);
  for (;;) {
    const iar = icvIar(vm.g[v], 1);
    if (iar === 1023) break;
    got.push(iar);
    icvEoir(vm.g[v], 1, iar);
  }
  kvmVgicSyncHwstate(vm.s, v, vm.g[v]);
  return got;
}

describe('SGIs and timer', () => {
  it('G-21 GICv2 SGI from CPUs 1 and 3: CPUID 1 with EOI, source 3 latched, then CPUID 3', () => {
    const vm = armVm({ gic: 2, vcpus: 4 });
    const { s, g } = vm;
    vgicV2WriteSgir(s, 1, 5, 0, 1 << 0);
    vgicV2WriteSgir(s, 3, 5, 0, 1 << 0);
    const i = vgicIrqSlot(s, 0, 5);
    expect(s.source[i]).toBe(0b1010);
    vgicFlushLrState(s, 0, g[0]);
    expect(lrDecode(g[0], 0)).toMatchObject({ vintid: 5, cpuid: 1, eoi: true, state: LR_PENDING });
    expect(lrDecode(g[0], 1).state).toBe(0); // one LR per source at a time
    expect(s.source[i]).toBe(0b1000);
    expect(s.pendingLatch[i]).toBe(1);
    const iar = icvIar(g[0], 1);
    expect(iar).toBe(5 | (1 << 10));
    icvEoir(g[0], 1, iar);
    kvmVgicSyncHwstate(s, 0, g[0]);
    vgicFlushLrState(s, 0, g[0]);
    expect(lrDecode(g[0], 0)).toMatchObject({ vintid: 5, cpuid: 3, eoi: false, state: LR_PENDING });
    expect(icvIar(g[0], 1)).toBe(5 | (3 << 10));
  });

  it.each(GICS)(
    'G-25 self SGI runs once with the expected INTID (+ sender), broadcast reaches all others ($name)',
    ({ gic }) => {
      const vm = armVm({ gic, vcpus: 4 });
      const self =
        gic === 2 ? vgicV2WriteSgir(vm.s, 2, 3, SGIR_FILTER_SELF, 0) : vgicV3DispatchSgi(vm.s, 2, 3, false, [2], 1);
      expect(self).toBe(1);
      expect(vgicEvents(vm.s)).toEqual([[EV_KICK, 2]]);
      expect(runGuest(vm, 2)).toEqual([gic === 2 ? 3 | (2 << 10) : 3]);
      expect(runGuest(vm, 2)).toEqual([]);
      const n =
        gic === 2
          ? vgicV2WriteSgir(vm.s, 1, 4, SGIR_FILTER_ALL_BUT_SELF, 0)
          : vgicV3DispatchSgi(vm.s, 1, 4, true, [], 0);
      expect(n).toBe(3);
      for (let v = 0; v < 4; v++) expect(runGuest(vm, v)).toEqual(v === 1 ? [] : [gic === 2 ? 4 | (1 << 10) : 4]);
    },
  );

  it.each(GICS)(
    'G-26 GICD_ICACTIVER instead of EOIR deactivates the SGI; the next SGI is delivered ($name)',
    ({ gic }) => {
      const vm = armVm({ gic, vcpus: 1 });
      const { s, g } = vm;
      vmcrSetEoiMode(g[0], true); // handler never deactivates through the CPU interface
      const send = () =>
        gic === 2 ? vgicV2WriteSgir(s, 0, 1, SGIR_FILTER_SELF, 0) : vgicV3DispatchSgi(s, 0, 1, false, [0], 1);
      send();
      vgicFlushLrState(s, 0, g[0]);
      const iar = icvIar(g[0], 1);
      expect(iar & 0x3ff).toBe(1);
      icvEoir(g[0], 1, iar); // priority drop only (EOImode 1)
      // The ICACTIVER write traps: exit, sync, emulate.
      kvmVgicSyncHwstate(s, 0, g[0]);
      expect(vgicIsActive(s, 0, 1)).toBe(true);
      vgicMmioChangeActive(s, 0, 1, false, 0);
      expect(vgicIsActive(s, 0, 1)).toBe(false);
      vgicFlushLrState(s, 0, g[0]);
      expect(lrDecode(g[0], 0).state).toBe(0);
      kvmVgicSyncHwstate(s, 0, g[0]);
      expect(vgicApList(s, 0)).toEqual([]);
      send();
      vgicFlushLrState(s, 0, g[0]);
      expect(lrDecode(g[0], 0)).toMatchObject({ vintid: 1, state: LR_PENDING });
      expect(icvIar(g[0], 1) & 0x3ff).toBe(1);
    },
  );

  it.each(GICS)(
    'G-27 vtimer: pending at the GIC even with the PPI disabled; inactive when disabled or masked ($name)',
    ({ gic }) => {
      const vm = armVm({ gic, vcpus: 1 });
      const { s, g } = vm;
      vtimerInit(s);
      vgicSetEnabled(s, 0, 27, false);
      const now = 1000;
      const cval = 500; // in the past
      kvmTimerUpdateIrq(s, 0, CNTV_CTL_ENABLE, cval, now);
      expect(vgicIsPending(s, 0, 27)).toBe(true);
      expect(vgicFlushLrState(s, 0, g[0])).toBe(0); // disabled: never presented
      kvmVgicSyncHwstate(s, 0, g[0]);
      kvmTimerUpdateIrq(s, 0, 0, cval, now); // timer disabled
      expect(vgicIsPending(s, 0, 27)).toBe(false);
      expect(cntvCtlRead(CNTV_CTL_ENABLE | CNTV_CTL_IMASK, cval, now) & CNTV_CTL_ISTATUS).toBe(CNTV_CTL_ISTATUS);
      kvmTimerUpdateIrq(s, 0, CNTV_CTL_ENABLE | CNTV_CTL_IMASK, cval, now);
      expect(vgicIsPending(s, 0, 27)).toBe(false);
      // Unmasked and enabled at the GIC: delivered.
      vgicSetEnabled(s, 0, 27, true);
      kvmTimerUpdateIrq(s, 0, CNTV_CTL_ENABLE, cval, now);
      expect(runGuest(vm, 0)).toEqual([27]);
    },
  );
});
