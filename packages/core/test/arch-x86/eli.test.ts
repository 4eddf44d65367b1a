// E-04: in ELI direct mode a guest-caused #NP is reflected, a host interrupt's #NP is not (semantics §A.4, §B.4;
// arch/x86/eli.ts, hv/x86/eli-np.ts).

import { describe, expect, it } from 'vitest';
import {
  ERR_EXT,
  ERR_IDT,
  newShadowIdt,
  npErrorCode,
  shadowIdtAssign,
  shadowIdtVector,
} from '../../src/arch/x86/eli.ts';
import { eliHandleNp, NP_GUEST_IDT_VECTOR, NP_HOST_INTERRUPT, NP_REFLECT } from '../../src/hv/x86/eli-np.ts';

describe('x86 ELI #NP exits (E- rules)', () => {
  it.each([
    { name: 'segment not present, selector 0x28', code: 0x28, action: NP_REFLECT },
    { name: 'segment not present, LDT selector 0x0c', code: 0x0c, action: NP_REFLECT },
    { name: 'null error code', code: 0, action: NP_REFLECT },
    { name: 'EXT only (external event, GDT selector)', code: 0x10 | ERR_EXT, action: NP_REFLECT },
  ])('E-04 guest #NP ($name, EXT = 0 or IDT = 0) is reflected with its error code', ({ code, action }) => {
    expect(eliHandleNp(code)).toEqual({ action, vector: -1, errorCode: code });
  });

  it.each([0x20, 0xec, 0xfd])(
    'E-04 contrast: host vector %i in the error code is a host interrupt, not reflected',
    (h) => {
      const idt = newShadowIdt();
      shadowIdtAssign(idt, 0x41, 0x51);
      expect(shadowIdtVector(idt, h)).toBe(-1);
      expect(eliHandleNp(npErrorCode(h))).toEqual({ action: NP_HOST_INTERRUPT, vector: h, errorCode: npErrorCode(h) });
    },
  );

  it("E-04 the guest's own INT n through a not-present shadow entry (IDT = 1, EXT = 0) is vectored via the guest IDT", () => {
    const code = (0x80 << 3) | ERR_IDT;
    expect(eliHandleNp(code)).toEqual({ action: NP_GUEST_IDT_VECTOR, vector: 0x80, errorCode: code });
  });
});
