// IA32_APIC_BASE mode transitions and the MMIO hole of a disabled APIC (semantics §C;
// KUT:apic.c test_enable_x2apic, verify_disabled_apic_mmio; arch/x86/apic-base.ts).

import { describe, expect, it } from 'vitest';
import { cr8ToTpr, LAPIC_TPR, tprToCr8 } from '../../src/arch/x86/lapic.ts';
import {
  APIC_BASE_BSP,
  APIC_BASE_EN,
  APIC_BASE_EXTD,
  APIC_MODE_DISABLED,
  APIC_MODE_X2APIC,
  APIC_MODE_XAPIC,
  apicBaseWriteFaults,
  apicMmioRead,
  apicMmioWrite,
  apicModeOf,
} from '../../src/arch/x86/off-path/apic-base.ts';
import {
  APIC_LVR_VALUE,
  APIC_OFFSET_LVR,
  APIC_OFFSET_TPR,
  lapicRegRead,
} from '../../src/arch/x86/off-path/lapic-regs.ts';
import { lapicWith } from './fixtures.ts';

const BASE = 0xfee00000n | APIC_BASE_BSP;
const MODES = {
  disabled: BASE,
  invalid: BASE | APIC_BASE_EXTD,
  xapic: BASE | APIC_BASE_EN,
  x2apic: BASE | APIC_BASE_EN | APIC_BASE_EXTD,
} as const;
type Mode = keyof typeof MODES;

describe('x86 APIC_BASE and the disabled APIC (X- rules)', () => {
  it.each<[Mode, Mode, boolean]>([
    ['x2apic', 'xapic', true],
    ['x2apic', 'invalid', true],
    ['x2apic', 'disabled', false],
    ['x2apic', 'x2apic', false],
    ['disabled', 'x2apic', true],
    ['disabled', 'xapic', false],
    ['disabled', 'invalid', true],
    ['xapic', 'x2apic', false],
    ['xapic', 'disabled', false],
    ['xapic', 'invalid', true],
  ])('X-22 APIC_BASE %s → %s faults: %s', (from, to, gp) => {
    expect(apicBaseWriteFaults(MODES[from], MODES[to])).toBe(gp);
  });

  it.each([
    { name: 'reserved bit 9', value: MODES.xapic | (1n << 9n), gp: true },
    { name: 'reserved bit 0', value: MODES.xapic | 1n, gp: true },
    { name: 'base above MAXPHYADDR', value: MODES.xapic | (1n << 46n), gp: true },
    { name: 'base just below MAXPHYADDR', value: MODES.xapic | (1n << 45n), gp: false },
  ])('X-22 APIC_BASE write with $name faults: $gp', ({ value, gp }) => {
    expect(apicBaseWriteFaults(MODES.xapic, value)).toBe(gp);
  });

  it('X-22 EXTD is reserved without the x2APIC CPUID bit', () => {
    expect(apicBaseWriteFaults(MODES.xapic, MODES.x2apic, { x2apicSupported: false, maxPhysAddr: 46 })).toBe(true);
  });

  it.each([
    { mode: APIC_MODE_DISABLED, base: MODES.disabled, decoded: false },
    { mode: APIC_MODE_X2APIC, base: MODES.x2apic, decoded: false },
    { mode: APIC_MODE_XAPIC, base: MODES.xapic, decoded: true },
  ])('X-23 MMIO in mode $mode reads all-ones unless xAPIC; CR8 keeps working', ({ mode, base, decoded }) => {
    expect(apicModeOf(base)).toBe(mode);
    const l = lapicWith({ tpr: 0x20 });
    const read = (o: number) => lapicRegRead(l, o);
    const write = (o: number, v: number) => {
      if (o === APIC_OFFSET_TPR) l.regs[LAPIC_TPR] = v & 0xff;
    };
    expect(apicMmioRead(mode, APIC_OFFSET_LVR, read)).toBe(decoded ? APIC_LVR_VALUE : 0xffffffff);
    expect(apicMmioRead(mode, APIC_OFFSET_TPR, read)).toBe(decoded ? 0x20 : 0xffffffff);
    // CR8 is not the MMIO page: it reads and writes TPR in every mode.
    l.regs[LAPIC_TPR] = cr8ToTpr(0x5);
    expect(tprToCr8(l.regs[LAPIC_TPR])).toBe(0x5);
    // A TPR write through the page reaches the register only when the page decodes.
    expect(apicMmioWrite(mode, APIC_OFFSET_TPR, 0xa0, write)).toBe(decoded);
    expect(tprToCr8(l.regs[LAPIC_TPR])).toBe(decoded ? 0xa : 0x5);
  });
});
