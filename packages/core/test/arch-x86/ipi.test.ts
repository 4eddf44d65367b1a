// X-17..X-21: self-IPIs, ICR, broadcast, logical destinations, x2APIC LDR (semantics §A.1.1 ICR, §A.1.2;
// KUT:apic.c test_self_ipi_x2apic / _xapic, test_physical_broadcast, test_logical_ipi_xapic, __test_apic_id;
// arch/x86/icr.ts, destination.ts, ipi.ts, x2apic-msr.ts).

import { describe, expect, it } from 'vitest';
import { vecList } from '../../src/arch/x86/bitmap.ts';
import {
  DEST_LOGICAL,
  DEST_PHYSICAL,
  DFR_MODEL_CLUSTER,
  DFR_MODEL_FLAT,
  SHORTHAND_ALL_EXCLUDING_SELF,
  SHORTHAND_ALL_INCLUDING_SELF,
  SHORTHAND_NONE,
  SHORTHAND_SELF,
  X2APIC_BROADCAST,
  XAPIC_BROADCAST,
  x2apicAddressing,
  x2apicLdr,
  xapicAddressing,
} from '../../src/arch/x86/off-path/destination.ts';
import {
  DM_FIXED,
  DM_LOWEST_PRIORITY,
  decodeIcr,
  encodeIcr,
  ICR_BUSY,
  type Icr,
  icrLoAfterWrite,
  selfIpiIcr,
  selfIpiValueValid,
  x2apicIcrValueValid,
} from '../../src/arch/x86/off-path/icr.ts';
import { type ApicBusNode, ipiDestinations, ipiSendFixed } from '../../src/arch/x86/off-path/ipi.ts';
import {
  MSR_X2APIC_ICR,
  MSR_X2APIC_ID,
  MSR_X2APIC_LDR,
  MSR_X2APIC_SELF_IPI,
  MSR_X2APIC_TPR,
  x2apicReadFaults,
  x2apicWriteFaults,
} from '../../src/arch/x86/off-path/x2apic-msr.ts';
import { drainHandlers, lapicWith } from './fixtures.ts';

const fixed = (vector: number, patch: Partial<Icr> = {}): Icr => ({
  vector,
  deliveryMode: DM_FIXED,
  destMode: DEST_PHYSICAL,
  assert: true,
  levelTriggered: false,
  shorthand: SHORTHAND_NONE,
  dest: 0,
  ...patch,
});

const xapicNodes = (n: number): ApicBusNode[] =>
  Array.from({ length: n }, (_, i) => ({ addr: xapicAddressing(i, 1 << i), lapic: lapicWith() }));
const x2apicNodes = (n: number): ApicBusNode[] =>
  Array.from({ length: n }, (_, i) => ({ addr: x2apicAddressing(i), lapic: lapicWith() }));

/** Vectors each node's handlers ran. */
const runAll = (nodes: ApicBusNode[]) => nodes.map((n) => drainHandlers(n.lapic));

describe('x86 IPIs and destinations (X- rules)', () => {
  it.each([
    { value: 0xf1n, valid: true },
    { value: 0x21n, valid: true },
    { value: 0x1f1n, valid: false },
    { value: 0x1_0000_00f1n, valid: false },
    { value: (1n << 63n) | 0xf1n, valid: false },
  ])('X-17 x2APIC SELF IPI write $value: valid=$valid, runs once on the sender only', ({ value, valid }) => {
    expect(selfIpiValueValid(value)).toBe(valid);
    expect(x2apicWriteFaults(MSR_X2APIC_SELF_IPI, value)).toBe(!valid);
    const nodes = x2apicNodes(3);
    if (valid) expect(ipiSendFixed(nodes, 1, selfIpiIcr(Number(value)))).toEqual([1]);
    expect(runAll(nodes)).toEqual([[], valid ? [Number(value)] : [], []]);
  });

  it('X-17 SELF IPI is write-only in x2APIC mode', () => {
    expect(x2apicReadFaults(MSR_X2APIC_SELF_IPI)).toBe(true);
  });

  it.each([
    { vector: 0xf1, busyWritten: false },
    { vector: 0xf1, busyWritten: true },
    { vector: 0x40, busyWritten: true },
  ])(
    'X-18 xAPIC ICR {self, fixed, $vector} runs once and delivery status reads 0 (busy written: $busyWritten)',
    ({ vector, busyWritten }) => {
      const nodes = xapicNodes(2);
      const [lo, hi] = encodeIcr(fixed(vector, { shorthand: SHORTHAND_SELF }), false);
      const written = busyWritten ? lo | ICR_BUSY : lo;
      expect(ipiSendFixed(nodes, 0, decodeIcr(written, hi, false))).toEqual([0]);
      expect(icrLoAfterWrite(written) & ICR_BUSY).toBe(0);
      expect(icrLoAfterWrite(written)).toBe(lo);
      expect(runAll(nodes)).toEqual([[vector], []]);
    },
  );

  it.each([
    { x2apic: false, icr: fixed(0x22, { vector: 0x22 }) },
    { x2apic: true, icr: fixed(0x22, { dest: 0x1234_5678, destMode: DEST_LOGICAL, levelTriggered: true }) },
    { x2apic: false, icr: fixed(0x99, { dest: 0xfe, deliveryMode: DM_LOWEST_PRIORITY, shorthand: 3 }) },
  ])('X-18 ICR encode/decode round-trips (x2apic=$x2apic)', ({ x2apic, icr }) => {
    const [lo, hi] = encodeIcr(icr, x2apic);
    expect(decodeIcr(lo, hi, x2apic)).toEqual(icr);
    if (x2apic) expect(x2apicIcrValueValid(lo)).toBe(true);
  });

  it.each([
    { lo: 0x000000f1, valid: true },
    { lo: 0x001000f1, valid: false }, // bit 20
    { lo: 0x000200f1, valid: false }, // bit 17
    { lo: 0x000020f1, valid: false }, // bit 13
  ])('X-18 x2APIC ICR value $lo reserved-bit check → valid=$valid (#GP otherwise)', ({ lo, valid }) => {
    expect(x2apicIcrValueValid(lo)).toBe(valid);
    expect(x2apicWriteFaults(MSR_X2APIC_ICR, BigInt(lo))).toBe(!valid);
  });

  it.each([1, 2, 4, 8])('X-19 %i vCPUs: physical broadcast and all-including-self reach every one', (n) => {
    const cases: [ApicBusNode[], Icr][] = [
      [xapicNodes(n), fixed(0x41, { dest: XAPIC_BROADCAST })],
      [x2apicNodes(n), fixed(0x41, { dest: X2APIC_BROADCAST })],
      [xapicNodes(n), fixed(0x41, { shorthand: SHORTHAND_ALL_INCLUDING_SELF })],
      [x2apicNodes(n), fixed(0x41, { shorthand: SHORTHAND_ALL_INCLUDING_SELF })],
    ];
    for (const [nodes, icr] of cases) {
      expect(ipiSendFixed(nodes, 0, icr)).toEqual(nodes.map((_, i) => i));
      expect(runAll(nodes)).toEqual(nodes.map(() => [0x41]));
    }
    const nodes = xapicNodes(n);
    const others = ipiSendFixed(nodes, 0, fixed(0x41, { shorthand: SHORTHAND_ALL_EXCLUDING_SELF }));
    expect(others).toEqual(nodes.map((_, i) => i).slice(1));
  });

  it('X-19 a physical unicast reaches only the matching ID; 0xFF is not broadcast in x2APIC mode', () => {
    const nodes = xapicNodes(4);
    expect(ipiSendFixed(nodes, 0, fixed(0x41, { dest: 2 }))).toEqual([2]);
    const x2 = [...x2apicNodes(3), { addr: x2apicAddressing(0xff), lapic: lapicWith() }];
    expect(ipiDestinations(x2, 0, fixed(0x41, { dest: 0xff }))).toEqual([3]);
  });

  it.each([
    { model: 'flat', ids: [0x01, 0x02, 0x04], dfr: DFR_MODEL_FLAT, mda: 0x03, hit: [0, 1] },
    { model: 'flat', ids: [0x01, 0x02, 0x04], dfr: DFR_MODEL_FLAT, mda: 0x04, hit: [2] },
    { model: 'flat', ids: [0x01, 0x02, 0x04], dfr: DFR_MODEL_FLAT, mda: 0x08, hit: [] },
    { model: 'cluster', ids: [0x11, 0x12, 0x14, 0x21, 0x22], dfr: DFR_MODEL_CLUSTER, mda: 0x13, hit: [0, 1] },
    { model: 'cluster', ids: [0x11, 0x12, 0x14, 0x21, 0x22], dfr: DFR_MODEL_CLUSTER, mda: 0x23, hit: [3, 4] },
    { model: 'cluster', ids: [0x11, 0x12, 0x14, 0x21, 0x22], dfr: DFR_MODEL_CLUSTER, mda: 0x38, hit: [] },
    { model: 'cluster', ids: [0x11, 0x12, 0x14, 0x21, 0x22], dfr: DFR_MODEL_CLUSTER, mda: 0xff, hit: [0, 1, 2, 3, 4] },
  ])('X-20 $model logical MDA $mda reaches $hit', ({ ids, dfr, mda, hit }) => {
    const nodes = ids.map((ld, i) => ({ addr: xapicAddressing(i, ld, dfr), lapic: lapicWith() }));
    expect(ipiSendFixed(nodes, 0, fixed(0x55, { destMode: DEST_LOGICAL, dest: mda }))).toEqual(hit);
    expect(runAll(nodes).map((r) => r.length)).toEqual(ids.map((_, i) => (hit.includes(i) ? 1 : 0)));
  });

  it.each([
    { id: 0x23, ldr: 0x00020008 },
    { id: 0x00, ldr: 0x00000001 },
    { id: 0x0f, ldr: 0x00008000 },
    { id: 0x10, ldr: 0x00010001 },
    { id: 0xffff_fff0, ldr: 0xffff_0001 }, // cluster is ID[19:4]: the shift drops ID[31:20]
  ])('X-21 x2APIC ID $id derives LDR $ldr; ID and LDR are read-only', ({ id, ldr }) => {
    expect(x2apicLdr(id)).toBe(ldr);
    expect(x2apicAddressing(id).ldr).toBe(ldr);
    expect(x2apicWriteFaults(MSR_X2APIC_LDR, BigInt(ldr))).toBe(true);
    expect(x2apicWriteFaults(MSR_X2APIC_ID, BigInt(id))).toBe(true);
    expect(x2apicReadFaults(MSR_X2APIC_LDR)).toBe(false);
    expect(x2apicReadFaults(MSR_X2APIC_ID)).toBe(false);
  });

  it('X-21 the derived LDR is what x2APIC logical destinations match (cluster 2, bit 3 → ID 0x23 only)', () => {
    const ids = [0x13, 0x20, 0x22, 0x23, 0x24, 0x33];
    const nodes = ids.map((id) => ({ addr: x2apicAddressing(id), lapic: lapicWith() }));
    expect(ipiDestinations(nodes, -1, fixed(0x55, { destMode: DEST_LOGICAL, dest: 0x00020008 }))).toEqual([3]);
    expect(ipiDestinations(nodes, -1, fixed(0x55, { destMode: DEST_LOGICAL, dest: 0x0002001d }))).toEqual([1, 2, 3, 4]);
    // A writable register still accepts a well-formed value: the read-only rule is specific to ID/LDR.
    expect(x2apicWriteFaults(MSR_X2APIC_TPR, 0x20n)).toBe(false);
    expect(x2apicWriteFaults(MSR_X2APIC_TPR, 1n << 32n)).toBe(true);
  });

  it('X-19 lowest-priority delivery picks one candidate by vector hashing (vector mod n)', () => {
    const nodes = xapicNodes(4);
    const icr = fixed(0x45, { deliveryMode: DM_LOWEST_PRIORITY, destMode: DEST_LOGICAL, dest: 0x0f });
    expect(ipiSendFixed(nodes, -1, icr)).toEqual([0x45 % 4]);
    expect(vecList(nodes[1].lapic.IRR)).toEqual([0x45]);
  });
});
