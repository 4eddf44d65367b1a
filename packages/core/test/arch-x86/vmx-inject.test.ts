// V-04 / V-05 / V-06: event injection at VM entry (re-injection, NMI before IRQ, TPR threshold under TPR shadow)
// (semantics §A.1.5, §A.2, §B.1 steps 4–5, §B.2; hv/x86/inject.ts, arch/x86/intr-info.ts, tpr-shadow.ts).

import { describe, expect, it } from 'vitest';
import { vecHighest, vecList } from '../../src/arch/x86/bitmap.ts';
import {
  encodeIntrInfo,
  INTR_TYPE_EXT_INTR,
  INTR_TYPE_NMI,
  intrInfoType,
  intrInfoValid,
  intrInfoVector,
} from '../../src/arch/x86/intr-info.ts';
import { acceptIrq, cr8ToTpr, LAPIC_TPR, tprToCr8, updatePpr } from '../../src/arch/x86/lapic.ts';
import { newNmiState, nmiIret, nmiRaise } from '../../src/arch/x86/nmi.ts';
import { tprBelowThreshold } from '../../src/arch/x86/off-path/tpr-shadow.ts';
import {
  checkAndInjectEvents,
  completeInterrupts,
  type EntryEventState,
  tprThreshold,
} from '../../src/hv/x86/inject.ts';
import { lapicWith, snapshot } from './fixtures.ts';

const open = { IF: true, shadow: false };
const newEvents = (): EntryEventState => ({ reinject: 0, nmi: newNmiState() });

describe('x86 VMX event injection (V- rules)', () => {
  it.each([
    { name: 'nothing else pending', later: [] as number[], window: false },
    { name: 'a higher vector arrived during the exit', later: [0x80], window: true },
    { name: 'a lower vector arrived during the exit', later: [0x30], window: false },
  ])(
    'V-04 an interrupted injection is re-injected unchanged without a second APIC ack ($name)',
    ({ later, window }) => {
      const l = lapicWith({ irr: [0x41] });
      const ev = newEvents();
      const first = checkAndInjectEvents(l, ev, open);
      expect(intrInfoVector(first.intrInfo)).toBe(0x41);
      expect(vecList(l.ISR)).toEqual([0x41]);
      // The delivery through the guest IDT hit an exit (e.g. an EPT violation on the stack): IDT-vectoring valid.
      completeInterrupts(ev, first.intrInfo);
      for (const v of later) acceptIrq(l, v, false);
      const before = snapshot(l);
      const again = checkAndInjectEvents(l, ev, open);
      expect(again.intrInfo).toBe(first.intrInfo);
      expect(intrInfoType(again.intrInfo)).toBe(INTR_TYPE_EXT_INTR);
      expect(snapshot(l)).toEqual(before); // no IRR → ISR move, no PPR change
      expect(again.irqWindow).toBe(window);
      expect(ev.reinject).toBe(0);
    },
  );

  it('V-04 re-injection goes in even while IF = 0 (the event was already being delivered)', () => {
    const l = lapicWith({ irr: [0x41] });
    const ev = newEvents();
    completeInterrupts(ev, checkAndInjectEvents(l, ev, open).intrInfo);
    expect(intrInfoVector(checkAndInjectEvents(l, ev, { IF: false, shadow: false }).intrInfo)).toBe(0x41);
  });

  it('V-04 an interrupted NMI delivery is re-injected and does not leave NMIs blocked', () => {
    const l = lapicWith();
    const ev = newEvents();
    nmiRaise(ev.nmi);
    const first = checkAndInjectEvents(l, ev, open);
    expect(intrInfoType(first.intrInfo)).toBe(INTR_TYPE_NMI);
    completeInterrupts(ev, first.intrInfo);
    expect(ev.nmi.blocked).toBe(false);
    expect(checkAndInjectEvents(l, ev, open).intrInfo).toBe(first.intrInfo);
  });

  it.each([
    { IF: true, shadow: false, irqWindow: true },
    { IF: false, shadow: false, irqWindow: true },
  ])(
    'V-05 pending NMI and IRQ (IF=$IF): NMI first, IRQ waits behind an interrupt window',
    ({ IF, shadow, irqWindow }) => {
      const l = lapicWith({ irr: [0x61] });
      const ev = newEvents();
      nmiRaise(ev.nmi);
      const e1 = checkAndInjectEvents(l, ev, { IF, shadow });
      expect(intrInfoType(e1.intrInfo)).toBe(INTR_TYPE_NMI);
      expect(intrInfoVector(e1.intrInfo)).toBe(2);
      expect(e1.irqWindow).toBe(irqWindow);
      expect(vecList(l.IRR)).toEqual([0x61]); // not acknowledged
      expect(vecList(l.ISR)).toEqual([]);
      // Next entry (NMI handler running): the IRQ goes in if IF allows.
      const e2 = checkAndInjectEvents(l, ev, { IF, shadow });
      expect(e2.intrInfo).toBe(IF ? encodeIntrInfo(0x61, INTR_TYPE_EXT_INTR) : 0);
    },
  );

  it('V-05 a second NMI during the first NMI handler waits for IRET behind an NMI window, IRQs go first', () => {
    const l = lapicWith({ irr: [0x61] });
    const ev = newEvents();
    nmiRaise(ev.nmi);
    checkAndInjectEvents(l, ev, open);
    nmiRaise(ev.nmi);
    const e = checkAndInjectEvents(l, ev, open);
    expect(intrInfoVector(e.intrInfo)).toBe(0x61);
    expect(e.nmiWindow).toBe(true);
    nmiIret(ev.nmi);
    expect(intrInfoType(checkAndInjectEvents(l, ev, open).intrInfo)).toBe(INTR_TYPE_NMI);
  });

  it('V-05 blocking by STI / MOV SS holds both NMI and IRQ', () => {
    const l = lapicWith({ irr: [0x61] });
    const ev = newEvents();
    nmiRaise(ev.nmi);
    const e = checkAndInjectEvents(l, ev, { IF: true, shadow: true });
    expect(intrInfoValid(e.intrInfo)).toBe(false);
    expect(e).toMatchObject({ irqWindow: true, nmiWindow: true });
  });

  it.each([
    { tpr: 0x50, irr: [0x31], threshold: 3 },
    { tpr: 0x50, irr: [0x31, 0x42], threshold: 4 },
    { tpr: 0x50, irr: [0x61], threshold: 0 }, // not blocked by TPR: inject, no threshold
    { tpr: 0x50, irr: [], threshold: 0 },
    { tpr: 0x30, irr: [0x31], threshold: 3 }, // equal class is still blocked
  ])('V-06 TPR $tpr, IRR $irr → TPR threshold $threshold', ({ tpr, irr, threshold }) => {
    const l = lapicWith({ tpr, irr });
    expect(tprThreshold(tprToCr8(l.regs[LAPIC_TPR]), vecHighest(l.IRR))).toBe(threshold);
  });

  it.each([
    { cr8: 2, exits: true },
    { cr8: 0, exits: true },
    { cr8: 3, exits: false },
    { cr8: 4, exits: false },
  ])('V-06 TPR 0x50 blocking 0x31 (threshold 3): guest writes CR8 = $cr8 → exit $exits', ({ cr8, exits }) => {
    const l = lapicWith({ tpr: 0x50, irr: [0x31] });
    const threshold = tprThreshold(tprToCr8(l.regs[LAPIC_TPR]), vecHighest(l.IRR));
    l.regs[LAPIC_TPR] = cr8ToTpr(cr8); // TPR shadow: the write lands in VTPR without an exit...
    expect(tprBelowThreshold(l.regs[LAPIC_TPR], threshold)).toBe(exits); // ...then traps if below threshold
    if (!exits) return;
    // EXIT:TPR_BELOW_THRESHOLD → KVM re-evaluates PPR and injects 0x31 at the next entry.
    updatePpr(l);
    const e = checkAndInjectEvents(l, newEvents(), open);
    expect(e.intrInfo).toBe(encodeIntrInfo(0x31, INTR_TYPE_EXT_INTR));
    expect(tprThreshold(tprToCr8(l.regs[LAPIC_TPR]), vecHighest(l.IRR))).toBe(0);
  });
});
