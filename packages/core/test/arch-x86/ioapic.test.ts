// level-triggered IOAPIC pins, Remote IRR and the EOI broadcast (semantics §A.1.3 "EOI";
// KUT:ioapic.c test_ioapic_level_retrigger / _sequential / _coalesce; arch/x86/ioapic.ts, eoi-broadcast.ts).

import { describe, expect, it } from 'vitest';
import { vecList } from '../../src/arch/x86/bitmap.ts';
import { acceptIrq, type LapicRegs } from '../../src/arch/x86/lapic.ts';
import type { EoiResult } from '../../src/arch/x86/off-path/eoi-broadcast.ts';
import {
  type Ioapic,
  type IoapicMessage,
  ioapicProgram,
  ioapicSetLine,
  newIoapic,
} from '../../src/arch/x86/off-path/ioapic.ts';
import { drainHandlers, lapicWith } from './fixtures.ts';

const PIN = 7;
const V = 0x62;

/** One LAPIC behind one IOAPIC: messages are accepted straight into the LAPIC (destination = this APIC). */
function machine(levelTriggered = true) {
  const l = lapicWith();
  const io = newIoapic();
  const deliver = (m: IoapicMessage | null) => {
    if (m !== null) acceptIrq(l, m.vector, m.levelTriggered, true);
  };
  deliver(ioapicProgram(io, PIN, { vector: V, levelTriggered }));
  const eois: EoiResult[] = [];
  const run = (handler: (io: Ioapic, l: LapicRegs) => void = () => {}) =>
    drainHandlers(
      l,
      () => handler(io, l),
      io,
      (r) => {
        eois.push(r);
        for (const m of r.resent) deliver(m);
      },
    );
  return { l, io, deliver, run, eois };
}

describe('x86 IOAPIC level pins (X- rules)', () => {
  it.each([
    { handler: 'does nothing', act: () => {}, resent: 1, runs: 2 },
    {
      handler: 'masks the pin',
      act: (io: Ioapic) => ioapicProgram(io, PIN, { vector: V, levelTriggered: true, masked: true }),
      resent: 0,
      runs: 1,
    },
    { handler: 'deasserts the line', act: (io: Ioapic) => ioapicSetLine(io, PIN, false), resent: 0, runs: 1 },
  ])('X-13 level line, handler $handler: EOI clears Remote IRR and re-sends $resent', ({ act, resent, runs }) => {
    const m = machine();
    m.deliver(ioapicSetLine(m.io, PIN, true));
    expect(m.io.pins[PIN].remoteIrr).toBe(true);
    let first = true;
    const ran = m.run((io) => {
      if (first) act(io);
      else ioapicSetLine(io, PIN, false); // the re-delivered run ends the storm
      first = false;
    });
    expect(m.eois[0].ioapicEoi).toBe(true);
    expect(m.eois[0].resent.length).toBe(resent);
    expect(ran).toEqual(Array(runs).fill(V));
    expect(m.io.pins[PIN].remoteIrr).toBe(false);
    expect(vecList(m.l.IRR)).toEqual([]);
  });

  it('X-13 Remote IRR holds further assertions back until the EOI', () => {
    const m = machine();
    m.deliver(ioapicSetLine(m.io, PIN, true));
    expect(ioapicSetLine(m.io, PIN, true)).toBeNull(); // still asserted, Remote IRR = 1
    expect(vecList(m.l.IRR)).toEqual([V]);
  });

  it('X-13 an edge pin is not EOI-broadcast (TMR = 0) and never holds Remote IRR', () => {
    const m = machine(false);
    m.deliver(ioapicSetLine(m.io, PIN, true));
    expect(m.io.pins[PIN].remoteIrr).toBe(false);
    expect(m.run()).toEqual([V]);
    expect(m.eois[0].ioapicEoi).toBe(false);
  });

  it.each([
    { name: 'sequential: assert, handler deasserts, EOI, assert again', coalesce: false, runs: 2 },
    { name: 'coalesce: handler deasserts, asserts, deasserts before its EOI', coalesce: true, runs: 1 },
  ])('X-14 $name → handler runs $runs time(s)', ({ coalesce, runs }) => {
    const m = machine();
    let total = 0;
    m.deliver(ioapicSetLine(m.io, PIN, true));
    total += m.run((io) => {
      ioapicSetLine(io, PIN, false);
      if (coalesce) {
        m.deliver(ioapicSetLine(io, PIN, true)); // held back by Remote IRR
        ioapicSetLine(io, PIN, false);
      }
    }).length;
    if (!coalesce) {
      m.deliver(ioapicSetLine(m.io, PIN, true));
      total += m.run((io) => ioapicSetLine(io, PIN, false)).length;
    }
    expect(total).toBe(runs);
    expect(m.io.pins[PIN].remoteIrr).toBe(false);
  });
});
