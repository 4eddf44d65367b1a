// A-01..A-05: AMD AVIC architectural state (APM vol. 2 §15.29; AMD IOMMU spec, guest virtual APIC mode; KVM
// arch/x86/kvm/svm/avic.c), on the pure module arch/x86/avic.ts. Path-level AVIC rules: test/hv/avic-paths.test.ts.

import { describe, expect, it } from 'vitest';
import {
  AVIC_DOORBELL_MSR,
  AvicPhysicalIdTable,
  avicIpiOutcome,
  GA_POST_DOORBELL,
  GA_POST_LOG,
  GA_POST_SILENT,
  GaIrte,
  GaLog,
  gaPostOutcome,
  gaTag,
  gaTagVcpu,
  gaTagVm,
  IPI_ACCELERATED,
  IPI_FAILURE_INVALID_INT_TYPE,
  IPI_FAILURE_INVALID_TARGET,
  IPI_FAILURE_TARGET_NOT_RUNNING,
  LOGICAL_VALID,
  logicalEntry,
  logicalIdIndex,
} from '../../src/arch/x86/avic.ts';

describe('AMD AVIC structures (A- rules)', () => {
  it('A-01 (APM §15.29 physical APIC ID table; KVM avic_init_backing_page, avic_vcpu_load/put): Valid + backing page at init, host APIC ID + IsRunning at load, only IsRunning cleared at put', () => {
    expect(AVIC_DOORBELL_MSR).toBe(0xc001011b);
    const t = new AvicPhysicalIdTable(4);
    const page = 0x12_3456_7000; // a 4 KiB-aligned host-physical address above 4 GiB
    t.init(2, page);
    expect(t.valid(2)).toBe(true);
    expect(t.isRunning(2)).toBe(false);
    expect(t.backingPage(2)).toBe(page);
    expect(t.words[4]).toBe(0x3456_7000); // bits 31:12
    expect(t.words[5] & 0xfffff).toBe(0x12); // bits 51:32
    expect(t.words[5] >>> 31).toBe(1); // bit 63 Valid
    expect(t.valid(1)).toBe(false);
    t.load(2, 0x1a5); // x2AVIC: 12-bit host APIC ID
    expect(t.isRunning(2)).toBe(true);
    expect((t.words[5] >>> 30) & 1).toBe(1); // bit 62 IsRunning
    expect(t.hostApicId(2)).toBe(0x1a5);
    expect(t.backingPage(2)).toBe(page); // unchanged by the load
    t.put(2);
    expect(t.isRunning(2)).toBe(false);
    expect(t.hostApicId(2)).toBe(0x1a5);
    expect(t.valid(2)).toBe(true);
  });

  it('A-02 (APM §15.29 logical APIC ID table; KVM avic_get_logical_id_entry, avic_ldr_write): flat → bit position, cluster → cluster × 4 + bit; entry = guest physical ID | Valid', () => {
    expect(logicalIdIndex(0x01 << 24, true)).toBe(0);
    expect(logicalIdIndex(0x80 << 24, true)).toBe(7);
    expect(logicalIdIndex(0x21 << 24, false)).toBe(8); // cluster 2, bit 0
    expect(logicalIdIndex(0x34 << 24, false)).toBe(14); // cluster 3, bit 2
    expect(logicalIdIndex(0, true)).toBe(-1);
    expect(logicalIdIndex(0xf1 << 24, false)).toBe(-1); // cluster 0xF is not a table entry
    expect(logicalIdIndex(0x30 << 24, false)).toBe(-1); // no APIC bit in the cluster
    expect(logicalEntry(5)).toBe((5 | LOGICAL_VALID) >>> 0);
  });

  it('A-03 (APM §15.29 AVIC_INCOMPLETE_IPI, EXITINFO2 failure cause; KVM avic_ipi_failure_cause): a running target is accelerated, a valid non-running one fails TARGET_NOT_RUNNING, an invalid entry INVALID_TARGET, a non-fixed IPI INVALID_INT_TYPE', () => {
    const t = new AvicPhysicalIdTable(3);
    t.init(0, 0x1000);
    t.init(1, 0x2000);
    t.load(0, 0);
    expect(avicIpiOutcome(t, 0)).toBe(IPI_ACCELERATED);
    expect(avicIpiOutcome(t, 1)).toBe(IPI_FAILURE_TARGET_NOT_RUNNING);
    expect(IPI_FAILURE_TARGET_NOT_RUNNING).toBe(1);
    expect(avicIpiOutcome(t, 2)).toBe(IPI_FAILURE_INVALID_TARGET);
    expect(avicIpiOutcome(t, 0, false)).toBe(IPI_FAILURE_INVALID_INT_TYPE);
  });

  it('A-04 (AMD IOMMU guest virtual APIC IRTE; Linux irte_ga_lo/hi, svm_update_pi_irte, amd_iommu_update_ga): GuestMode, GALogIntr, tag, vector and root pointer at setup; IsRun and the destination follow the vCPU; IsRun = 1 → doorbell, else GA log', () => {
    const e = new GaIrte();
    e.setGuestMode(0xabc_d000, gaTag(3, 7), 0x41);
    expect(e.guestMode()).toBe(true);
    expect(e.gaLogIntr()).toBe(true);
    expect(e.isRun()).toBe(false);
    expect(e.vector()).toBe(0x41);
    expect(e.rootPointer()).toBe(0xabc_d000);
    expect(e.tag()).toBe((3 << 8) | 7);
    expect(gaPostOutcome(e)).toBe(GA_POST_LOG);
    e.updateGa(true, 0x0300_0012);
    expect(e.isRun()).toBe(true);
    expect(e.destination()).toBe(0x0300_0012); // bits 7:0 in the low word, 31:24 in the high one
    expect(gaPostOutcome(e)).toBe(GA_POST_DOORBELL);
    e.updateGa(false, 0);
    expect(e.isRun()).toBe(false);
    e.w[0] &= ~(1 << 2); // GALogIntr = 0: the IRR bit is set and nothing else happens
    expect(gaPostOutcome(e)).toBe(GA_POST_SILENT);
  });

  it('A-05 (AMD IOMMU GA log; Linux iommu_poll_ga_log, AVIC_GATAG): FIFO of GA_GUEST_NR entries by tag, overflow when full; the tag encodes VM and vCPU', () => {
    expect(gaTagVm(gaTag(0x123456, 0x9a))).toBe(0x123456);
    expect(gaTagVcpu(gaTag(0x123456, 0x9a))).toBe(0x9a);
    const log = new GaLog(2);
    expect(log.take()).toBe(-1);
    expect(log.append(11)).toBe(true);
    expect(log.append(22)).toBe(true);
    expect(log.append(33)).toBe(false);
    expect(log.overflow).toBe(true);
    expect([log.take(), log.take(), log.take()]).toEqual([11, 22, -1]);
    expect(log.append(44)).toBe(true); // the ring wraps
    expect(log.take()).toBe(44);
  });
});
