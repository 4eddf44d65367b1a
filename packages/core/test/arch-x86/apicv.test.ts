// P- rules on the APICv virtual-interrupt state machine: delivery, TPR gating, self-IPI and EOI virtualization,
// HLT wake-up, EOI-induced exits (semantics §A.2.1, §A.3, §B.3; KUT:vmx_tests.c vmx_basic_vid_test,
// vmx_eoi_virt_test, vmx_hlt_with_rvi_test, vmx_posted_interrupts_test; arch/x86/apicv.ts, vid-evaluate.ts,
// apicv-msr.ts, pi-process.ts; hv/x86/eoi-exit.ts).

import { describe, expect, it } from 'vitest';
import {
  type ApicvRegs,
  eoiExitRequired,
  getRvi,
  getSvi,
  pprVirtualize,
  setSvi,
  vidEoi,
  vidSelfIpi,
  vidSyncRvi,
  vidWriteTpr,
} from '../../src/arch/x86/apicv.ts';
import { vecList, vecTest } from '../../src/arch/x86/bitmap.ts';
import { acceptIrq, LAPIC_PPR, priorityClass } from '../../src/arch/x86/lapic.ts';
import {
  X2APIC_WRITE_EOI_VIRTUALIZED,
  X2APIC_WRITE_EXIT,
  X2APIC_WRITE_GP,
  X2APIC_WRITE_SELF_IPI_VIRTUALIZED,
  X2APIC_WRITE_TPR_VIRTUALIZED,
  x2apicWriteDisposition,
} from '../../src/arch/x86/off-path/apicv-msr.ts';
import { DEST_PHYSICAL, x2apicAddressing } from '../../src/arch/x86/off-path/destination.ts';
import { ioapicProgram, ioapicSetLine, newIoapic } from '../../src/arch/x86/off-path/ioapic.ts';
import { MSR_X2APIC_EOI, MSR_X2APIC_SELF_IPI, MSR_X2APIC_TPR } from '../../src/arch/x86/off-path/x2apic-msr.ts';
import { POST_NOTIFY, piPostHw, piReset, piSetSn, piTestOn } from '../../src/arch/x86/pi-desc.ts';
import { piProcess } from '../../src/arch/x86/pi-process.ts';
import { ACTIVITY_ACTIVE, ACTIVITY_HLT, type VidGuestState, vidEvaluate } from '../../src/arch/x86/vid-evaluate.ts';
import { handleEoiInduced, scanIoapicEoiExitBitmap } from '../../src/hv/x86/off-path/eoi-exit.ts';
import { hex, type LapicInit, lapicWith } from './fixtures.ts';

/** Virtual-APIC page + guest-interrupt status, with RVI from VIRR, SVI from VISR and VPPR virtualized. */
function vapic(init: LapicInit = {}): ApicvRegs {
  const a: ApicvRegs = { ...lapicWith(init), EOI_EXIT: new Uint32Array(8) };
  vidSyncRvi(a);
  setSvi(a, Math.max(0, ...(init.isr ?? [])));
  pprVirtualize(a);
  return a;
}

const running = (patch: Partial<VidGuestState> = {}): VidGuestState => ({
  IF: true,
  shadow: false,
  interruptWindowExiting: false,
  activity: ACTIVITY_ACTIVE,
  ...patch,
});

const VID = { virtualizeX2apicMode: true, virtualInterruptDelivery: true };

describe('x86 APICv virtual-interrupt delivery (P- rules)', () => {
  it.each([
    { virr: [0x52], rviAfter: 0 },
    { virr: [0x52, 0x31], rviAfter: 0x31 },
    { virr: [0x52, 0x51], rviAfter: 0x51 },
  ])('P-01 RVI 0x52, VTPR 0x40: entry delivers 0x52, SVI 0x52, VPPR 0x50, RVI → $rviAfter', ({ virr, rviAfter }) => {
    const a = vapic({ tpr: 0x40, irr: virr });
    expect(getRvi(a)).toBe(0x52);
    expect(a.regs[LAPIC_PPR]).toBe(0x40);
    expect(vidEvaluate(a, running())).toBe(0x52);
    expect(getSvi(a)).toBe(0x52);
    expect(a.regs[LAPIC_PPR]).toBe(0x50);
    expect(getRvi(a)).toBe(rviAfter);
    expect(vecList(a.ISR)).toEqual([0x52]);
    expect(vecTest(a.IRR, 0x52)).toBe(false);
  });

  it.each([0x00, 0x20, 0x45, 0x7f, 0xa0, 0xf0, 0xff])(
    'P-02 VTPR %i: every v in 0x21..0xFF is delivered iff class(v) > class(VTPR), else RVI stays v',
    (t) => {
      for (let v = 0x21; v <= 0xff; v++) {
        const a = vapic({ tpr: t, irr: [v] });
        const expected = priorityClass(v) > priorityClass(t);
        const got = vidEvaluate(a, running());
        expect(got, `v=${hex(v)} t=${hex(t)}`).toBe(expected ? v : -1);
        if (!expected) {
          expect(getRvi(a)).toBe(v);
          expect(vecList(a.IRR)).toEqual([v]);
          // VID_OP_SET_CR8: dropping VTPR to 0 lets it through with no exit.
          vidWriteTpr(a, 0);
          expect(vidEvaluate(a, running())).toBe(v);
        }
      }
    },
  );

  it.each([0x21, 0x80, 0xf1])('P-04 x2APIC SELF IPI %i with VID and VTPR 0 is virtualized and delivered', (v) => {
    expect(x2apicWriteDisposition(MSR_X2APIC_SELF_IPI, BigInt(v), VID)).toBe(X2APIC_WRITE_SELF_IPI_VIRTUALIZED);
    const a = vapic();
    vidSelfIpi(a, v);
    expect(getRvi(a)).toBe(v);
    expect(vidEvaluate(a, running())).toBe(v);
    expect(getSvi(a)).toBe(v);
  });

  it.each([
    { msr: MSR_X2APIC_SELF_IPI, value: 0xf1n, ctl: { ...VID, virtualInterruptDelivery: false }, d: X2APIC_WRITE_EXIT },
    { msr: MSR_X2APIC_SELF_IPI, value: 0x1f1n, ctl: VID, d: X2APIC_WRITE_GP },
    { msr: MSR_X2APIC_SELF_IPI, value: 0xf1n, ctl: { ...VID, virtualizeX2apicMode: false }, d: X2APIC_WRITE_EXIT },
    { msr: MSR_X2APIC_EOI, value: 0n, ctl: VID, d: X2APIC_WRITE_EOI_VIRTUALIZED },
    { msr: MSR_X2APIC_EOI, value: 1n, ctl: VID, d: X2APIC_WRITE_GP },
    {
      msr: MSR_X2APIC_TPR,
      value: 0x30n,
      ctl: { ...VID, virtualInterruptDelivery: false },
      d: X2APIC_WRITE_TPR_VIRTUALIZED,
    },
    { msr: 0x830, value: 0xf1n, ctl: VID, d: X2APIC_WRITE_EXIT }, // ICR: no IPI virtualization
  ])('P-04 WRMSR $msr = $value disposition $d', ({ msr, value, ctl, d }) => {
    expect(x2apicWriteDisposition(msr, value, ctl)).toBe(d);
  });

  it.each([
    { name: 'IF = 1', guest: { IF: true }, tpr: 0x00, wakes: true },
    { name: 'IF = 0', guest: { IF: false }, tpr: 0x00, wakes: false },
    { name: 'VTPR 0xF0 masks it', guest: { IF: true }, tpr: 0xf0, wakes: false },
    { name: 'interrupt-window exiting', guest: { IF: true, interruptWindowExiting: true }, tpr: 0x00, wakes: false },
  ])('P-05 HLT activity state with RVI 0xF1 at entry ($name) → wakes $wakes', ({ guest, tpr, wakes }) => {
    const a = vapic({ tpr, irr: [0xf1] });
    const g = running({ ...guest, activity: ACTIVITY_HLT });
    expect(vidEvaluate(a, g)).toBe(wakes ? 0xf1 : -1);
    expect(g.activity).toBe(wakes ? ACTIVITY_ACTIVE : ACTIVITY_HLT);
  });

  it.each([
    { vtpr: 0x50, v: 0x52, lowered: 0x40 },
    { vtpr: 0x50, v: 0x41, lowered: 0x30 },
    { vtpr: 0xff, v: 0xf3, lowered: 0x00 },
  ])('P-10 VTPR $vtpr: posted $v reaches VIRR but waits until VTPR drops to $lowered', ({ vtpr, v, lowered }) => {
    const a = vapic({ tpr: vtpr });
    const pid = new Uint32Array(16);
    piReset(pid);
    piSetSn(pid, false);
    expect(piPostHw(pid, v) & POST_NOTIFY).toBe(POST_NOTIFY);
    expect(piProcess(pid, a, new Uint32Array(8))).toBe(v);
    expect(piTestOn(pid)).toBe(false);
    expect(vecList(a.IRR)).toEqual([v]);
    expect(getRvi(a)).toBe(v);
    expect(vidEvaluate(a, running())).toBe(-1);
    expect(vecList(a.IRR)).toEqual([v]);
    vidWriteTpr(a, lowered); // TPR virtualization with VID evaluates again
    expect(vidEvaluate(a, running())).toBe(v);
  });

  it.each([
    { name: 'level pin routed here', level: true, dest: 0, exit: true },
    { name: 'edge pin routed here', level: false, dest: 0, exit: false },
    { name: 'level pin routed to another APIC', level: true, dest: 1, exit: false },
  ])('P-19 $name → EOI-exit bit $exit; the EOI exit comes after VISR/SVI were updated', ({ level, dest, exit }) => {
    const V = 0x61;
    const io = newIoapic();
    const a = vapic();
    const msg = ioapicProgram(io, 5, { vector: V, levelTriggered: level, dest, destMode: DEST_PHYSICAL });
    expect(msg).toBeNull();
    scanIoapicEoiExitBitmap(io, x2apicAddressing(0), a.EOI_EXIT);
    expect(vecTest(a.EOI_EXIT, V)).toBe(exit);
    const m = ioapicSetLine(io, 5, true);
    expect(m).not.toBeNull();
    acceptIrq(a, V, level, true);
    vidSyncRvi(a);
    expect(vidEvaluate(a, running())).toBe(V);
    ioapicSetLine(io, 5, false); // the handler quiets the device
    const retired = vidEoi(a); // guest WRMSR 0x80B ← 0, virtualized
    // Trap-like: by the time the exit is taken the EOI's effects are architecturally done.
    expect(retired).toBe(V);
    expect(vecList(a.ISR)).toEqual([]);
    expect(getSvi(a)).toBe(0);
    expect(eoiExitRequired(a, retired)).toBe(exit);
    if (exit) {
      expect(io.pins[5].remoteIrr).toBe(true);
      expect(handleEoiInduced(io, retired)).toEqual([]);
      expect(io.pins[5].remoteIrr).toBe(false);
    }
  });

  it.each([
    { vtpr: 0x00, vppr: 0x50 },
    { vtpr: 0x40, vppr: 0x50 },
    { vtpr: 0x4f, vppr: 0x50 },
    { vtpr: 0x50, vppr: 0x50 },
    { vtpr: 0x5f, vppr: 0x5f },
    { vtpr: 0x70, vppr: 0x70 },
  ])('P-20 EOI with VISR {0x52, 0x61}, SVI 0x61, VTPR $vtpr → VISR {0x52}, SVI 0x52, VPPR $vppr', ({ vtpr, vppr }) => {
    const a = vapic({ tpr: vtpr, isr: [0x52, 0x61] });
    expect(getSvi(a)).toBe(0x61);
    expect(vidEoi(a)).toBe(0x61);
    expect(vecList(a.ISR)).toEqual([0x52]);
    expect(getSvi(a)).toBe(0x52);
    expect(a.regs[LAPIC_PPR]).toBe(vppr);
  });
});
