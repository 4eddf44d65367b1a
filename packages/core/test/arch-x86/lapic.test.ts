// X- rules on the LAPIC core: priority, acknowledge, EOI, accept, software enable, TMR, CR8
// (semantics §A.1.1, §A.1.3, §C; arch/x86/lapic.ts, lvt.ts, lapic-regs.ts, eoi-broadcast.ts).

import { describe, expect, it } from 'vitest';
import { vecList, vecTest } from '../../src/arch/x86/bitmap.ts';
import {
  ACCEPT_COALESCED,
  ACCEPT_DISCARDED,
  ACCEPT_QUEUED,
  acceptIrq,
  ackIrq,
  computePpr,
  cr8ToTpr,
  LAPIC_PPR,
  LAPIC_SVR,
  LAPIC_TPR,
  pendingDeliverable,
  SVR_APIC_ENABLED,
  tprToCr8,
  updatePpr,
} from '../../src/arch/x86/lapic.ts';
import { lapicEoi } from '../../src/arch/x86/off-path/eoi-broadcast.ts';
import { ioapicProgram, ioapicSetLine, newIoapic } from '../../src/arch/x86/off-path/ioapic.ts';
import {
  APIC_OFFSET_PPR,
  APIC_OFFSET_TMR,
  APIC_OFFSET_TPR,
  lapicRegRead,
} from '../../src/arch/x86/off-path/lapic-regs.ts';
import {
  LVT_LINT0,
  LVT_MASKED,
  LVT_TIMER,
  lvtMasked,
  lvtWrite,
  NR_LVT,
  newLvt,
  svrWrite,
} from '../../src/arch/x86/off-path/lvt.ts';
import { drainHandlers, hex, lapicWith, snapshot } from './fixtures.ts';

describe('x86 LAPIC core (X- rules)', () => {
  it.each([
    { tpr: 0x45, irr: [0x4f], delivered: -1 },
    { tpr: 0x45, irr: [0x4f, 0x50], delivered: 0x50 },
    { tpr: 0x40, irr: [0x4f], delivered: -1 },
    { tpr: 0x3f, irr: [0x4f], delivered: 0x4f },
    { tpr: 0x00, irr: [0x21, 0x20], delivered: 0x21 },
    { tpr: 0xf0, irr: [0xff], delivered: -1 },
  ])('X-02 TPR $tpr with IRR $irr delivers $delivered (class(v) > class(PPR))', ({ tpr, irr, delivered }) => {
    const l = lapicWith({ tpr, irr });
    expect(pendingDeliverable(l)).toBe(delivered);
  });

  it('X-02 requesting 0x50 on top of a TPR-blocked 0x4F makes 0x50 (not 0x4F) the delivered vector', () => {
    const l = lapicWith({ tpr: 0x45, irr: [0x4f] });
    expect(pendingDeliverable(l)).toBe(-1);
    acceptIrq(l, 0x50, false);
    expect(pendingDeliverable(l)).toBe(0x50);
    expect(drainHandlers(l)).toEqual([0x50]); // 0x4F stays blocked after 0x50's EOI
    expect(vecList(l.IRR)).toEqual([0x4f]);
  });

  it.each([
    { tpr: 0x20, isr: [0x61], ppr: 0x60 },
    { tpr: 0x75, isr: [0x61], ppr: 0x75 },
    { tpr: 0x60, isr: [0x61], ppr: 0x60 },
    { tpr: 0x6f, isr: [0x61], ppr: 0x6f },
    { tpr: 0x33, isr: [], ppr: 0x33 },
    { tpr: 0x20, isr: [0x61, 0x92], ppr: 0x90 },
    { tpr: 0x00, isr: [0x2f], ppr: 0x20 },
  ])('X-03 PPR from TPR $tpr and ISR $isr is $ppr', ({ tpr, isr, ppr }) => {
    const l = lapicWith({ tpr, isr });
    expect(lapicRegRead(l, APIC_OFFSET_PPR)).toBe(ppr);
    const isrv = isr.length ? Math.max(...isr) : 0;
    expect(computePpr(tpr, isrv)).toBe(ppr);
  });

  it.each([
    { tpr: 0x00, ppr: 0x50 },
    { tpr: 0x4f, ppr: 0x50 },
    { tpr: 0x50, ppr: 0x50 },
    { tpr: 0x70, ppr: 0x70 },
  ])('X-05 acknowledging 0x52 with TPR $tpr: IRR→ISR and PPR $ppr', ({ tpr, ppr }) => {
    const l = lapicWith({ tpr, irr: [0x52, 0x31] });
    ackIrq(l, 0x52);
    expect(vecTest(l.IRR, 0x52)).toBe(false);
    expect(vecTest(l.ISR, 0x52)).toBe(true);
    expect(vecList(l.IRR)).toEqual([0x31]);
    expect(l.regs[LAPIC_PPR]).toBe(ppr);
  });

  it.each([
    { name: 'empty LAPIC', tpr: 0x00, irr: [], tmr: [] },
    { name: 'pending level vector', tpr: 0x30, irr: [0x61], tmr: [0x61] },
    { name: 'TPR-blocked vector', tpr: 0xe0, irr: [0x41, 0x99], tmr: [0x41] },
  ])('X-07 EOI with ISR empty ($name): no register changes, no IOAPIC EOI', ({ tpr, irr, tmr }) => {
    const l = lapicWith({ tpr, irr, tmr });
    // An IOAPIC level pin for 0x61 waiting for its EOI must not see one.
    const io = newIoapic();
    ioapicProgram(io, 3, { vector: 0x61, levelTriggered: true });
    ioapicSetLine(io, 3, true);
    expect(io.pins[3].remoteIrr).toBe(true);
    const before = snapshot(l);
    const r = lapicEoi(l, io);
    expect(r).toEqual({ vector: -1, ioapicEoi: false, resent: [] });
    expect(snapshot(l)).toEqual(before);
    expect(io.pins[3].remoteIrr).toBe(true);
  });

  it.each([
    { level: true, assert: false, result: ACCEPT_DISCARDED, irr: [] },
    { level: true, assert: true, result: ACCEPT_QUEUED, irr: [0x62] },
    { level: false, assert: false, result: ACCEPT_QUEUED, irr: [0x62] }, // edge ignores the level bit
    { level: false, assert: true, result: ACCEPT_QUEUED, irr: [0x62] },
  ])('X-10 fixed accept level-triggered=$level assert=$assert → $result', ({ level, assert, result, irr }) => {
    const l = lapicWith({ tmr: [0x62] });
    expect(acceptIrq(l, 0x62, level, assert)).toBe(result);
    expect(vecList(l.IRR)).toEqual(irr);
    if (result === ACCEPT_DISCARDED) expect(vecList(l.TMR)).toEqual([0x62]); // nothing touched, TMR included
  });

  it('X-10 a second assert of a pending vector coalesces into the one IRR bit', () => {
    const l = lapicWith();
    expect(acceptIrq(l, 0x62, true, true)).toBe(ACCEPT_QUEUED);
    expect(acceptIrq(l, 0x62, true, true)).toBe(ACCEPT_COALESCED);
    expect(drainHandlers(l)).toEqual([0x62]);
  });

  it.each([
    { level: false, assert: true },
    { level: true, assert: true },
  ])('X-11 SVR.enable = 0 discards a fixed accept (level-triggered=$level)', ({ level, assert }) => {
    const l = lapicWith();
    const lvt = newLvt();
    svrWrite(l, lvt, 0xff); // bit 8 clear: software-disabled
    expect(acceptIrq(l, 0x80, level, assert)).toBe(ACCEPT_DISCARDED);
    expect(vecList(l.IRR)).toEqual([]);
  });

  it.each([LVT_TIMER, LVT_LINT0, 5])(
    'X-11 LVT[%i] writes keep the mask bit while software-disabled, and take it once enabled',
    (index) => {
      const l = lapicWith();
      const lvt = newLvt();
      svrWrite(l, lvt, SVR_APIC_ENABLED | 0xff);
      lvtWrite(l, lvt, index, 0x31);
      expect(lvt[index]).toBe(0x31);
      svrWrite(l, lvt, 0xff); // disabling masks every entry
      for (let i = 0; i < NR_LVT; i++) expect(lvtMasked(lvt, i)).toBe(true);
      lvtWrite(l, lvt, index, 0x31); // mask bit clear in the value
      expect(lvt[index]).toBe(LVT_MASKED | 0x31);
      svrWrite(l, lvt, SVR_APIC_ENABLED | 0xff);
      expect(l.regs[LAPIC_SVR] & SVR_APIC_ENABLED).toBe(SVR_APIC_ENABLED);
      lvtWrite(l, lvt, index, 0x31);
      expect(lvt[index]).toBe(0x31);
    },
  );

  it.each([0x31, 0x7f, 0xa0, 0xe5])('X-12 TMR[%s] follows the trigger mode at accept, seen from the handler', (v) => {
    const l = lapicWith();
    const tmrWord = () => lapicRegRead(l, APIC_OFFSET_TMR + 0x10 * (v >>> 5));
    acceptIrq(l, v, true, true);
    const seen: boolean[] = [];
    drainHandlers(l, () => seen.push((tmrWord() & (1 << (v & 31))) !== 0));
    acceptIrq(l, v, false);
    drainHandlers(l, () => seen.push((tmrWord() & (1 << (v & 31))) !== 0));
    expect(seen).toEqual([true, false]); // level then edge, as test_ioapic_level_tmr / edge_tmr
  });

  it.each([
    { cr8: 0x5, tpr: 0x50 },
    { cr8: 0x0, tpr: 0x00 },
    { cr8: 0xf, tpr: 0xf0 },
    { cr8: 0x15, tpr: 0x50 }, // CR8[63:4] are reserved; only the class reaches TPR
  ])('X-15 CR8 write $cr8 reads back as TPR $tpr', ({ cr8, tpr }) => {
    const l = lapicWith();
    l.regs[LAPIC_TPR] = cr8ToTpr(cr8);
    updatePpr(l);
    expect(lapicRegRead(l, APIC_OFFSET_TPR)).toBe(tpr);
    expect(l.regs[LAPIC_PPR]).toBe(tpr);
  });

  it.each([
    { tpr: 0xa0, cr8: 0xa },
    { tpr: 0xa7, cr8: 0xa },
    { tpr: 0x0f, cr8: 0x0 },
  ])('X-15 TPR $tpr reads as CR8 $cr8', ({ tpr, cr8 }) => {
    expect(tprToCr8(lapicWith({ tpr }).regs[LAPIC_TPR])).toBe(cr8);
    expect(hex(cr8ToTpr(tprToCr8(tpr)))).toBe(hex(tpr & 0xf0));
  });
});
