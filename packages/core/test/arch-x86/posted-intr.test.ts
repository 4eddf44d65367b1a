// P-15..P-18, P-21: posted-interrupt descriptor scheduling hooks, NDST format, IRTE mode, reset
// (semantics §A.3, §B.3 (d)(e); arch/x86/pi-desc.ts, msi.ts; hv/x86/posted-intr.ts, irte.ts).

import { describe, expect, it } from 'vitest';
import { vecList } from '../../src/arch/x86/bitmap.ts';
import {
  type ApicAddressing,
  DEST_LOGICAL,
  DEST_PHYSICAL,
  DFR_MODEL_FLAT,
  x2apicAddressing,
  xapicAddressing,
} from '../../src/arch/x86/off-path/destination.ts';
import { DM_EXTINT, DM_FIXED, DM_LOWEST_PRIORITY, DM_NMI, DM_SMI } from '../../src/arch/x86/off-path/icr.ts';
import { decodeMsi, encodeMsi } from '../../src/arch/x86/off-path/msi.ts';
import {
  ndstFor,
  PID_WORDS,
  POSTED_INTR_VECTOR,
  POSTED_INTR_WAKEUP_VECTOR,
  piNdst,
  piNv,
  piPirIsEmpty,
  piPostHw,
  piReset,
  piSetNdst,
  piSetNv,
  piSetOn,
  piTestOn,
  piTestSn,
} from '../../src/arch/x86/pi-desc.ts';
import {
  IRTE_POSTED,
  IRTE_REMAPPED,
  irteModeFor,
  REMAP_APICV_INACTIVE,
  REMAP_BROADCAST,
  REMAP_DELIVERY_MODE,
  REMAP_NO_POSTING,
  REMAP_NOT_SINGLE,
} from '../../src/hv/x86/off-path/irte.ts';
import {
  PUT_BLOCKED_NOT_ARMED,
  PUT_BLOCKED_SELF_IPI,
  PUT_BLOCKED_WAKEUP_ARMED,
  piLoad,
  piPut,
  piWakeupArmed,
} from '../../src/hv/x86/posted-intr.ts';

/** A descriptor of a vCPU loaded on pCPU 2 (x2APIC host). */
function loadedPid(): Uint32Array {
  const pid = new Uint32Array(PID_WORDS);
  piReset(pid);
  piLoad(pid, 2, true);
  return pid;
}

describe('x86 posted-interrupt hooks and IRTE (P- rules)', () => {
  it.each([
    { name: 'ON set by an unconsumed post', post: true, put: PUT_BLOCKED_SELF_IPI },
    { name: 'ON clear', post: false, put: PUT_BLOCKED_WAKEUP_ARMED },
  ])('P-15 blocking with IF = 1 and $name → NV 0xF1, self-IPI iff ON', ({ post, put }) => {
    const pid = loadedPid();
    if (post) piPostHw(pid, 0x41); // SN = 0: notifies 0xF2 and sets ON, not yet processed
    expect(piTestOn(pid)).toBe(post);
    expect(piPut(pid, true, false)).toBe(put);
    expect(piNv(pid)).toBe(POSTED_INTR_WAKEUP_VECTOR);
    expect(piWakeupArmed(pid)).toBe(true);
  });

  it.each([{ on: false }, { on: true }])(
    'P-16 blocking with IF = 0 (ON = $on) does not arm the wakeup vector: NV stays 0xF2',
    ({ on }) => {
      const pid = loadedPid();
      piSetOn(pid, on);
      expect(piPut(pid, true, true)).toBe(PUT_BLOCKED_NOT_ARMED);
      expect(piNv(pid)).toBe(POSTED_INTR_VECTOR);
      expect(piWakeupArmed(pid)).toBe(false);
      expect(piTestSn(pid)).toBe(false);
    },
  );

  it.each([
    { id: 3, x2apic: false, ndst: 0x00000300 },
    { id: 3, x2apic: true, ndst: 3 },
    { id: 0xff, x2apic: false, ndst: 0x0000ff00 },
    { id: 0x1_00, x2apic: false, ndst: 0x00000000 }, // xAPIC IDs are 8 bits
    { id: 0x1234, x2apic: true, ndst: 0x1234 },
    { id: 0xffff_fffe, x2apic: true, ndst: 0xffff_fffe },
  ])('P-17 pCPU APIC ID $id, x2APIC host $x2apic → NDST $ndst', ({ id, x2apic, ndst }) => {
    expect(ndstFor(id, x2apic)).toBe(ndst);
    const pid = new Uint32Array(PID_WORDS);
    piReset(pid);
    piLoad(pid, id, x2apic);
    expect(piNdst(pid)).toBe(ndst);
  });

  const xapicVcpus: ApicAddressing[] = [0, 1, 2, 3].map((i) => xapicAddressing(i, 1 << i, DFR_MODEL_FLAT));
  const msi = (dest: number, destMode: number, deliveryMode: number, vector = 0x45) => {
    const { addressLo, data } = encodeMsi({ dest, destMode, vector, deliveryMode, levelTriggered: false });
    return decodeMsi(addressLo, data);
  };

  it.each([
    { name: 'physical unicast to vCPU 2', m: msi(2, DEST_PHYSICAL, DM_FIXED), mode: IRTE_POSTED, vcpu: 2, reason: '' },
    {
      name: 'logical unicast (LDR bit 1)',
      m: msi(0x02, DEST_LOGICAL, DM_FIXED),
      mode: IRTE_POSTED,
      vcpu: 1,
      reason: '',
    },
    {
      name: 'logical multicast, fixed',
      m: msi(0x03, DEST_LOGICAL, DM_FIXED),
      mode: IRTE_REMAPPED,
      vcpu: -1,
      reason: REMAP_NOT_SINGLE,
    },
    {
      name: 'physical broadcast 0xFF',
      m: msi(0xff, DEST_PHYSICAL, DM_FIXED),
      mode: IRTE_REMAPPED,
      vcpu: -1,
      reason: REMAP_BROADCAST,
    },
    {
      name: 'no vCPU matches',
      m: msi(9, DEST_PHYSICAL, DM_FIXED),
      mode: IRTE_REMAPPED,
      vcpu: -1,
      reason: REMAP_NOT_SINGLE,
    },
    {
      name: 'NMI delivery mode',
      m: msi(2, DEST_PHYSICAL, DM_NMI),
      mode: IRTE_REMAPPED,
      vcpu: -1,
      reason: REMAP_DELIVERY_MODE,
    },
    {
      name: 'SMI delivery mode',
      m: msi(2, DEST_PHYSICAL, DM_SMI),
      mode: IRTE_REMAPPED,
      vcpu: -1,
      reason: REMAP_DELIVERY_MODE,
    },
    {
      name: 'ExtINT delivery mode',
      m: msi(2, DEST_PHYSICAL, DM_EXTINT),
      mode: IRTE_REMAPPED,
      vcpu: -1,
      reason: REMAP_DELIVERY_MODE,
    },
    // Lowest priority is narrowed to one vCPU by vector hashing, so it stays postable: 0x45 mod 2 = 1 → 2nd match.
    {
      name: 'lowest-priority multicast',
      m: msi(0x0c, DEST_LOGICAL, DM_LOWEST_PRIORITY),
      mode: IRTE_POSTED,
      vcpu: 3,
      reason: '',
    },
  ])('P-18 MSI route, $name → mode $mode', ({ m, mode, vcpu, reason }) => {
    const d = irteModeFor(m, { postingCapable: true, vcpus: xapicVcpus, apicvActive: [true, true, true, true] });
    expect(d).toEqual({ mode, vcpu, vv: mode === IRTE_POSTED ? m.vector : -1, reason });
  });

  it.each([
    { name: 'x2APIC broadcast', dest: 0xffff_ffff, reason: REMAP_BROADCAST },
    { name: 'x2APIC logical cluster 0, IDs 0 and 1', dest: 0x0000_0003, reason: REMAP_NOT_SINGLE },
  ])('P-18 x2APIC guest, $name → remapped', ({ dest, reason }) => {
    const vcpus = [0, 1, 2].map((i) => x2apicAddressing(i));
    const m = { ...msi(0, DEST_LOGICAL, DM_FIXED), dest };
    expect(irteModeFor(m, { postingCapable: true, vcpus, apicvActive: [true, true, true] }).reason).toBe(reason);
  });

  it.each([
    { name: 'no VT-d posting', capable: false, active: [true, true, true, true], reason: REMAP_NO_POSTING },
    {
      name: 'APICv inhibited on the target',
      capable: true,
      active: [true, true, false, true],
      reason: REMAP_APICV_INACTIVE,
    },
  ])('P-18 unicast with $name → remapped', ({ capable, active, reason }) => {
    const d = irteModeFor(msi(2, DEST_PHYSICAL, DM_FIXED), {
      postingCapable: capable,
      vcpus: xapicVcpus,
      apicvActive: active,
    });
    expect(d.mode).toBe(IRTE_REMAPPED);
    expect(d.reason).toBe(reason);
  });

  it.each([
    { name: 'fresh descriptor', dirty: false },
    { name: 'descriptor with PIR, ON, NV 0xF1 and NDST set', dirty: true },
  ])('P-21 vCPU reset ($name) → NV 0xF2, SN 1, ON 0, PIR empty', ({ dirty }) => {
    const pid = new Uint32Array(PID_WORDS);
    if (dirty) {
      piPostHw(pid, 0x99);
      piSetOn(pid, true);
      piSetNv(pid, POSTED_INTR_WAKEUP_VECTOR);
      piSetNdst(pid, 0x700);
    }
    piReset(pid);
    expect(piNv(pid)).toBe(POSTED_INTR_VECTOR);
    expect(piTestSn(pid)).toBe(true);
    expect(piTestOn(pid)).toBe(false);
    expect(piPirIsEmpty(pid)).toBe(true);
    expect(vecList(pid.subarray(0, 8))).toEqual([]);
    expect(piNdst(pid)).toBe(0);
  });
});
