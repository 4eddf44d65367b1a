// ITS translation and GICv4 direct injection: I-01, I-02, I-03, I-04, I-05, I-08, I-09, I-11, I-12, I-13, I-14,
// I-15 (semantics §A.8, §B.7; I-15 is ours, docs/arm-notes.md).

import { describe, expect, it } from 'vitest';
import { ARM_HCR, ARM_IAR_SRC, HCR_EN, IAR_SRC_VLPI } from '../../src/arch/arm/cpuif-block.ts';
import {
  Gicv4Rds,
  itsClearVpendValid,
  rdIsDirty,
  rdIsValid,
  rdSchedule,
  VDELIVER_DOORBELL,
  VDELIVER_LATCHED,
  VDELIVER_RESIDENT,
  VPENDBASER_4_1_VGRP0EN,
  VPENDBASER_4_1_VGRP1EN,
  VPENDBASER_DIRTY,
  VPENDBASER_IDAI_DB,
  VPENDBASER_PENDINGLAST,
  VPENDBASER_VALID,
} from '../../src/arch/arm/gicv4-rd.ts';
import {
  ItsTables,
  itsCacheSize,
  itsMapc,
  itsMapd,
  itsMapti,
  itsTranslate,
  lpiPropEnabled,
  lpiPropPriority,
  vptTest,
} from '../../src/arch/arm/its.ts';
import { cpuifVirqPending, icvEoir, icvIar } from '../../src/arch/arm/vcpu-if.ts';
import { kvmVgicVcpuPendingIrq } from '../../src/hv/vgic/vgic.ts';
import { kvmVgicSyncHwstate, vgicFlushLrState } from '../../src/hv/vgic/vgic-flush.ts';
import {
  ITS_MSI_DROPPED,
  vgicItsInv,
  vgicItsInvall,
  vgicItsMapti,
  vgicItsMovi,
  vgicItsTriggerMsi,
} from '../../src/hv/vgic/vgic-its.ts';
import { vgicV3DispatchSgi } from '../../src/hv/vgic/vgic-sgi.ts';
import { EV_KICK, vgicEvents, vgicIrqSlot } from '../../src/hv/vgic/vgic-state.ts';
import {
  kvmVgicV4SetForwarding,
  V4_LOAD_RESIDENT,
  V4_LOAD_VMOVP,
  VgicV4,
  vgicV4Acked,
  vgicV4Commit,
  vgicV4DeliverMsi,
  vgicV4EnableVsgis,
  vgicV4Load,
  vgicV4Movi,
  vgicV4Put,
  vgicV4WfiDone,
} from '../../src/hv/vgic/vgic-v4.ts';
import { armVm } from './helpers.ts';

const ITS_CFG = { maxDevices: 8, maxEvents: 32, maxCollections: 8, maxVpes: 4, maxLpis: 64 };

/** KUT:arm/gic.c test_its_trigger set-up: dev 2 / event 20 → LPI 8195 on collection 3 (vCPU 3). */
function kutIts() {
  const vm = armVm({ gic: 3, vcpus: 4, lpis: 64 });
  const its = new ItsTables(ITS_CFG);
  its.prop.fill(0xa0 | 1);
  for (let c = 0; c < 4; c++) itsMapc(its, c, true, c);
  itsMapd(its, 2, true, 32);
  expect(vgicItsMapti(vm.s, its, 2, 20, 8195, 3)).toBe(1);
  return { ...vm, its };
}

/** Enter the vCPU, acknowledge and EOI everything, exit. Returns the INTIDs acknowledged. */
function run(vm: ReturnType<typeof armVm>, v: number): number[] {
  const out: number[] = [];
  vgicFlushLrState(vm.s, v, vm.g[v]);
  for (let iar = icvIar(vm.g[v], 1); iar !== 1023; iar = icvIar(vm.g[v], 1)) {
    out.push(iar);
    icvEoir(vm.g[v], 1, iar);
  }
  kvmVgicSyncHwstate(vm.s, v, vm.g[v]);
  return out;
}

/** GICv4 VM: host ITS with device 5 (events → forwarded vLPIs), vCPU v runs on pCPU v. */
function v4Vm(v41: boolean) {
  const vm = kutIts();
  const host = new ItsTables(ITS_CFG);
  itsMapd(host, 5, true, 32);
  const v4 = new VgicV4(vm.s, host, vm.g, { v41, nRd: 4 });
  return { ...vm, host, v4 };
}

function enterV4(x: ReturnType<typeof v4Vm>, v: number, pcpu: number): number {
  const r = vgicV4Load(x.v4, v, pcpu);
  vgicV4Commit(x.v4, v);
  vgicFlushLrState(x.s, v, x.g[v]);
  return r;
}

describe('ITS', () => {
  it('I-01 dev 2 / event 20 → LPI 8195 on collection 3: vCPU 3 receives INTID 8195', () => {
    const x = kutIts();
    expect(vgicItsTriggerMsi(x.s, x.its, 2, 20)).toBe(3);
    expect(vgicEvents(x.s)).toEqual([[EV_KICK, 3]]);
    expect(run(x, 0)).toEqual([]);
    expect(run(x, 3)).toEqual([8195]);
  });

  it('I-02 property enable cleared + INV: nothing delivered; re-enabled + INVALL: the pending LPI is delivered', () => {
    const x = kutIts();
    x.its.prop[3] = 0xa0; // enable bit cleared in memory …
    expect(vgicItsTriggerMsi(x.s, x.its, 2, 20)).toBe(3); // … but cached config still enabled until INV
    expect(run(x, 3)).toEqual([8195]);
    vgicItsInv(x.s, x.its, 2, 20);
    expect(vgicItsTriggerMsi(x.s, x.its, 2, 20)).toBeLessThan(0);
    expect(run(x, 3)).toEqual([]);
    expect(x.s.pendingLatch[vgicIrqSlot(x.s, 0, 8195)]).toBe(1);
    x.its.prop[3] = 0xa1;
    expect(run(x, 3)).toEqual([]); // not until INVALL
    expect(vgicItsInvall(x.s, x.its, 3)).toBe(1);
    expect(run(x, 3)).toEqual([8195]);
  });

  it('I-03 MAPD V = 0: the event is dropped', () => {
    const x = kutIts();
    itsMapd(x.its, 2, false);
    expect(vgicItsTriggerMsi(x.s, x.its, 2, 20)).toBe(ITS_MSI_DROPPED);
    expect(run(x, 3)).toEqual([]);
    itsMapd(x.its, 2, true, 32); // remapping gives an empty ITT: still dropped
    expect(vgicItsTriggerMsi(x.s, x.its, 2, 20)).toBe(ITS_MSI_DROPPED);
  });

  it('I-04 MAPTI on an existing ITE is ignored', () => {
    const x = kutIts();
    expect(itsMapti(x.its, 2, 20, 8200, 1)).toBe(0);
    expect(vgicItsMapti(x.s, x.its, 2, 20, 8200, 1)).toBe(0);
    expect(vgicItsTriggerMsi(x.s, x.its, 2, 20)).toBe(3);
    expect(run(x, 3)).toEqual([8195]);
  });

  it('I-05 MOVI to vCPU 1’s collection: delivered there, cache invalidated; a forwarded vLPI moves too (VMOVI)', () => {
    const x = v4Vm(true);
    vgicItsTriggerMsi(x.s, x.its, 2, 20);
    run(x, 3);
    expect(itsCacheSize(x.its)).toBe(1);
    expect(vgicItsMovi(x.s, x.its, 2, 20, 1)).toBe(1);
    expect(itsCacheSize(x.its)).toBe(0);
    expect(vgicItsTriggerMsi(x.s, x.its, 2, 20)).toBe(1);
    expect(run(x, 1)).toEqual([8195]);
    // Forwarded: the host mapping follows the guest's MOVI.
    expect(kvmVgicV4SetForwarding(x.v4, 8195, 5, 7)).toBe(1);
    expect(x.host.iteTarget[itsTranslate(x.host, 5, 7)]).toBe(1);
    expect(Array.from(x.v4.vlpiCount)).toEqual([0, 1, 0, 0]); // its_vpe.vlpi_count of the target
    vgicItsMovi(x.s, x.its, 2, 20, 2);
    expect(vgicV4Movi(x.v4, 8195)).toBe(1);
    expect(x.host.iteTarget[itsTranslate(x.host, 5, 7)]).toBe(2);
    expect(Array.from(x.v4.vlpiCount)).toEqual([0, 0, 1, 0]); // update_affinity moves the count
  });

  it('I-13 property byte 0xA1 → priority 0xA0, enabled', () => {
    expect(lpiPropPriority(0xa1)).toBe(0xa0);
    expect(lpiPropEnabled(0xa1)).toBe(true);
    expect(lpiPropEnabled(0xa2)).toBe(false);
    expect(lpiPropPriority(0xa3)).toBe(0xa0);
  });
});

describe('GICv4', () => {
  it('I-08 GICv4.0 WFI: doorbell fires, is disabled, pending_last + kick; reload clears it and delivers', () => {
    const x = v4Vm(false);
    kvmVgicV4SetForwarding(x.v4, 8195, 5, 7);
    enterV4(x, 3, 3);
    kvmVgicSyncHwstate(x.s, 3, x.g[3]);
    expect(vgicV4Put(x.v4, 3, true)).toBe(0);
    expect(kvmVgicVcpuPendingIrq(x.s, 3, x.g[3])).toBe(false); // sleeps
    expect(vgicV4Load(x.v4, 3, 3)).toBe(0); // refused while in WFI
    expect(vgicV4DeliverMsi(x.v4, 5, 7)).toBe(VDELIVER_DOORBELL);
    expect(vgicEvents(x.s)).toEqual([[EV_KICK, 3]]);
    expect(x.v4.rds.dbArmed[3]).toBe(0); // disable_irq_nosync
    expect(x.s.pendingLast[3]).toBe(1);
    expect(kvmVgicVcpuPendingIrq(x.s, 3, x.g[3])).toBe(true);
    // A second vLPI while still not resident: the doorbell is disabled, just latched in the VPT.
    expect(vgicV4DeliverMsi(x.v4, 5, 7)).toBe(VDELIVER_LATCHED);
    vgicV4WfiDone(x.v4, 3);
    enterV4(x, 3, 3);
    expect(x.v4.rds.dbPending[3]).toBe(0);
    expect(icvIar(x.g[3], 1)).toBe(8195);
    expect(x.g[3][ARM_IAR_SRC]).toBe(IAR_SRC_VLPI);
    vgicV4Acked(x.v4, 3, 8195);
    expect(vptTest(x.host, 3, 8195)).toBe(false);
  });

  /** GICR_VPENDBASER of redistributor rd as [hi, lo]. */
  const vpendbaser = (x: ReturnType<typeof v4Vm>, rd: number) => [
    x.v4.rds.vpendbaser[2 * rd + 1],
    x.v4.rds.vpendbaser[2 * rd],
  ];
  const hex = (w: number[]) => w.map((v) => `0x${(v >>> 0).toString(16).padStart(8, '0')}`);

  it('I-09 GICv4.1 WFI deschedule: PendingLast cleared + DB set; PendingLast 1 → pending_last, no sleep', () => {
    const x = v4Vm(true);
    kvmVgicV4SetForwarding(x.v4, 8195, 5, 7);
    enterV4(x, 3, 3);
    // its_vpe_4_1_schedule: Valid | VGrp1En (vgic.enabled; g0en = false) | vPEID; Dirty cleared by the commit.
    expect(hex(vpendbaser(x, 3))).toEqual(hex([VPENDBASER_VALID | VPENDBASER_4_1_VGRP1EN, 3]));
    kvmVgicSyncHwstate(x.s, 3, x.g[3]);
    x.s.pendingLast[3] = 1; // stale from an earlier deschedule: the read-back overwrites it
    expect(vgicV4Put(x.v4, 3, true)).toBe(0);
    // its_clear_vpend_valid(PendingLast, DB): Valid and PendingLast cleared, DB set, the rest as read.
    expect(hex(vpendbaser(x, 3))).toEqual(hex([VPENDBASER_IDAI_DB | VPENDBASER_4_1_VGRP1EN, 3]));
    expect(x.s.pendingLast[3]).toBe(0);
    expect(x.v4.rds.dbArmed[3]).toBe(1);
    expect(kvmVgicVcpuPendingIrq(x.s, 3, x.g[3])).toBe(false);
    expect(vgicV4DeliverMsi(x.v4, 5, 7)).toBe(VDELIVER_DOORBELL);
    expect(vgicV4DeliverMsi(x.v4, 5, 7)).toBe(VDELIVER_LATCHED); // one doorbell per non-residency
    // Something pending when the vPE is descheduled: PendingLast reads back 1 (DB treated as 0), no sleep.
    vgicV4WfiDone(x.v4, 3);
    enterV4(x, 3, 3);
    kvmVgicSyncHwstate(x.s, 3, x.g[3]);
    expect(vgicV4Put(x.v4, 3, true)).toBe(1);
    expect(hex(vpendbaser(x, 3))).toEqual(
      hex([VPENDBASER_IDAI_DB | VPENDBASER_PENDINGLAST | VPENDBASER_4_1_VGRP1EN, 3]),
    );
    expect(x.s.pendingLast[3]).toBe(1);
    expect(x.v4.rds.dbArmed[3]).toBe(0);
    expect(kvmVgicVcpuPendingIrq(x.s, 3, x.g[3])).toBe(true);
  });

  it('I-15 GICv4.1 deschedule without blocking: PendingLast set, DB left 0, pending_last = 1, no doorbell', () => {
    const x = v4Vm(true);
    kvmVgicV4SetForwarding(x.v4, 8195, 5, 7);
    enterV4(x, 3, 3);
    // Nothing pending, yet its_vpe_4_1_deschedule sets pending_last without reading back ("we'll be back").
    expect(vgicV4Put(x.v4, 3, false)).toBe(1);
    expect(hex(vpendbaser(x, 3))).toEqual(hex([VPENDBASER_PENDINGLAST | VPENDBASER_4_1_VGRP1EN, 3]));
    expect(x.s.pendingLast[3]).toBe(1);
    expect(x.v4.rds.dbArmed[3]).toBe(0);
    expect(vgicV4DeliverMsi(x.v4, 5, 7)).toBe(VDELIVER_LATCHED); // waits for the next load, no doorbell
    // vgic_v4_load leaves pending_last alone; the load writes DB = 0, so after a blocking deschedule (DB = 1) the
    // next non-blocking one does not inherit the doorbell request.
    enterV4(x, 3, 3);
    expect(x.s.pendingLast[3]).toBe(1);
    vgicV4Put(x.v4, 3, true);
    expect(x.v4.rds.vpendbaser[2 * 3 + 1] & VPENDBASER_IDAI_DB).toBe(VPENDBASER_IDAI_DB);
    vgicV4WfiDone(x.v4, 3);
    enterV4(x, 3, 3);
    expect(vgicV4Put(x.v4, 3, false)).toBe(1);
    expect(hex(vpendbaser(x, 3))).toEqual(hex([VPENDBASER_PENDINGLAST | VPENDBASER_4_1_VGRP1EN, 3]));
    expect(x.v4.rds.dbArmed[3]).toBe(0);
    // its_clear_vpend_valid keeps every field it read — both group enables and the vPEID — and waits for Dirty.
    const r = new Gicv4Rds(2, 4, true);
    rdSchedule(r, 1, 2, true, true);
    expect(r.vpendbaser[3] & VPENDBASER_DIRTY).toBe(VPENDBASER_DIRTY);
    const val = itsClearVpendValid(r, x.host, 1, 0, VPENDBASER_PENDINGLAST);
    expect(hex([val, r.vpendbaser[2]])).toEqual(
      hex([VPENDBASER_PENDINGLAST | VPENDBASER_4_1_VGRP0EN | VPENDBASER_4_1_VGRP1EN, 2]),
    );
  });

  it('I-15 GICv4.0 deschedule (its_vpe_deschedule): Valid cleared only; pending_last and IDAI read back', () => {
    const x = v4Vm(false);
    kvmVgicV4SetForwarding(x.v4, 8195, 5, 7);
    enterV4(x, 3, 3);
    // its_vpe_schedule: VPT address (the model: vPEID) | PendingLast | IDAI (0) | Valid.
    expect(hex(vpendbaser(x, 3))).toEqual(hex([VPENDBASER_VALID | VPENDBASER_PENDINGLAST, 3]));
    // Not blocking, nothing pending: PendingLast is the RD's answer, 0; the doorbell stays disabled.
    expect(vgicV4Put(x.v4, 3, false)).toBe(0);
    expect(hex(vpendbaser(x, 3))).toEqual(hex([0, 3]));
    expect(x.s.pendingLast[3]).toBe(0);
    expect(x.v4.rds.idai[3]).toBe(0);
    expect(vgicV4DeliverMsi(x.v4, 5, 7)).toBe(VDELIVER_LATCHED);
    // Reload with the vLPI pending: the same write, PendingLast reads back 1.
    enterV4(x, 3, 3);
    expect(vgicV4Put(x.v4, 3, false)).toBe(1);
    expect(hex(vpendbaser(x, 3))).toEqual(hex([VPENDBASER_PENDINGLAST, 3]));
    expect(x.s.pendingLast[3]).toBe(1);
    // Blocking writes the register the same way; the doorbell LPI is enabled separately (enable_irq).
    enterV4(x, 3, 3);
    expect(icvIar(x.g[3], 1)).toBe(8195);
    vgicV4Acked(x.v4, 3, 8195);
    icvEoir(x.g[3], 1, 8195);
    kvmVgicSyncHwstate(x.s, 3, x.g[3]);
    expect(vgicV4Put(x.v4, 3, true)).toBe(0);
    expect(hex(vpendbaser(x, 3))).toEqual(hex([0, 3]));
    expect(x.v4.rds.dbArmed[3]).toBe(1);
  });

  it('I-11 load on a new pCPU: VMOVP first, then resident, entry waits for Dirty = 0', () => {
    const x = v4Vm(true);
    kvmVgicV4SetForwarding(x.v4, 8195, 5, 7);
    expect(vgicV4Load(x.v4, 3, 1)).toBe(V4_LOAD_VMOVP | V4_LOAD_RESIDENT);
    expect(x.host.vpeRd[3]).toBe(1);
    expect(rdIsValid(x.v4.rds, 1)).toBe(true);
    expect(rdIsDirty(x.v4.rds, 1)).toBe(true);
    vgicV4DeliverMsi(x.v4, 5, 7); // arrives while the VPT is being parsed
    x.g[3][ARM_HCR] = HCR_EN;
    expect(cpuifVirqPending(x.g[3])).toBe(false);
    expect(vgicV4Commit(x.v4, 3)).toBe(1);
    expect(rdIsDirty(x.v4.rds, 1)).toBe(false);
    expect(vgicV4Commit(x.v4, 3)).toBe(0);
    vgicFlushLrState(x.s, 3, x.g[3]);
    expect(cpuifVirqPending(x.g[3])).toBe(true);
    vgicV4Put(x.v4, 3, false);
    expect(vgicV4Load(x.v4, 3, 1)).toBe(V4_LOAD_RESIDENT); // same pCPU: no VMOVP
  });

  it('I-12 GICv4.1 vSGI: sender traps, GITS_SGIR, no exit if resident, doorbell if blocked, no active state', () => {
    const x = v4Vm(true);
    vgicV4EnableVsgis(x.v4);
    enterV4(x, 1, 1);
    expect(vgicV3DispatchSgi(x.s, 0, 1, false, [1], 1, x.v4.vsgiSink)).toBe(1);
    expect(vgicEvents(x.s)).toEqual([]); // no kick: delivered by hardware
    expect(x.s.apLen[1]).toBe(0);
    expect(icvIar(x.g[1], 1)).toBe(1);
    expect(x.g[1][ARM_IAR_SRC]).toBe(IAR_SRC_VLPI);
    vgicV4Acked(x.v4, 1, 1);
    icvEoir(x.g[1], 1, 1); // priority drop only; vSGIEOICount keeps EOIcount at 0
    expect(x.g[1][ARM_HCR] >>> 27).toBe(0);
    expect(icvIar(x.g[1], 1)).toBe(1023);
    // Blocked receiver: doorbell.
    kvmVgicSyncHwstate(x.s, 1, x.g[1]);
    vgicV4Put(x.v4, 1, true);
    vgicV3DispatchSgi(x.s, 0, 1, false, [1], 1, x.v4.vsgiSink);
    expect(vgicEvents(x.s)).toEqual([[EV_KICK, 1]]);
    expect(x.s.pendingLast[1]).toBe(1);
  });

  it('I-14 set_forwarding moves a latched pending LPI to the hardware VPT and clears the software latch', () => {
    const x = v4Vm(true);
    x.its.prop[3] = 0xa0; // keep it latched in software: disabled
    vgicItsInv(x.s, x.its, 2, 20);
    vgicItsTriggerMsi(x.s, x.its, 2, 20);
    const i = vgicIrqSlot(x.s, 0, 8195);
    expect(x.s.pendingLatch[i]).toBe(1);
    x.its.prop[3] = 0xa1;
    vgicItsInv(x.s, x.its, 2, 20);
    kvmVgicSyncHwstate(x.s, 3, x.g[3]); // prune: nothing delivered yet
    expect(kvmVgicV4SetForwarding(x.v4, 8195, 5, 7)).toBe(1);
    expect(x.s.pendingLatch[i]).toBe(0);
    expect(x.s.hw[i]).toBe(1);
    expect(vptTest(x.host, 3, 8195)).toBe(true);
    enterV4(x, 3, 3);
    expect(icvIar(x.g[3], 1)).toBe(8195);
  });
});

it('VDELIVER_RESIDENT: a resident vPE gets the vLPI with no exit', () => {
  const x = v4Vm(false);
  kvmVgicV4SetForwarding(x.v4, 8195, 5, 7);
  enterV4(x, 3, 3);
  expect(vgicV4DeliverMsi(x.v4, 5, 7)).toBe(VDELIVER_RESIDENT);
  expect(vgicEvents(x.s)).toEqual([]);
  expect(cpuifVirqPending(x.g[3])).toBe(true);
});
