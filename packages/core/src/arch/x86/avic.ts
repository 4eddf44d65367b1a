// AMD AVIC architectural state (APM vol. 2 §15.29; AMD IOMMU spec, guest virtual APIC interrupt remapping), bit-exact
// where the model keeps it: the physical APIC ID table entry (host physical APIC ID, backing-page address,
// IsRunning, Valid), the logical APIC ID table entry and its index, the doorbell MSR, the IOMMU's GA-mode IRTE
// (GuestMode, IsRun, GALogIntr, Destination, GA tag, vector) and the GA log ring. The backing page itself is the
// vCPU's vAPIC page: IRR/ISR/TMR/TPR/PPR in the arena (arch/x86/lapic.ts operates on it).

/** MSR the host writes with a physical APIC ID to ring a running vCPU's doorbell (SVM_AVIC_DOORBELL). */
export const AVIC_DOORBELL_MSR = 0xc001011b;

/** 0xFF is the broadcast ID, so a physical APIC ID table indexes guest APIC IDs 0..0xFE (xAPIC AVIC). */
export const AVIC_MAX_PHYSICAL_ID = 0xfe;
/** x2AVIC (Zen 4+, x2APIC guests): the table covers 512 guest APIC IDs, host IDs are 12 bits. */
export const X2AVIC_MAX_PHYSICAL_ID = 0x1ff;

// Physical APIC ID table entry, 64 bits, as two u32 words [lo, hi]:
//   bits 11:0 host physical APIC ID (7:0 without x2AVIC), 51:12 backing-page address, 62 IsRunning, 63 Valid.
const PHYS_HOST_ID_MASK = 0xfff;
const PHYS_HI_IS_RUNNING = 1 << 30; // bit 62
const PHYS_HI_VALID = 1 << 31; // bit 63

// A host-physical address of a 4 KiB page as the two words of a 64-bit field holding its bits 51:12 in place.
const addrLo = (a: number): number => ((a % 0x1_0000_0000) & 0xfffff000) >>> 0;
const addrHi = (a: number): number => Math.floor(a / 0x1_0000_0000) & 0xfffff;
const addrOf = (lo: number, hi: number): number => (lo & 0xfffff000) + (hi & 0xfffff) * 0x1_0000_0000;

/** The physical APIC ID table: one 64-bit entry per guest APIC ID (the model's tables, concatenated per VM). */
export class AvicPhysicalIdTable {
  readonly words: Uint32Array;
  constructor(readonly entries: number) {
    this.words = new Uint32Array(entries * 2);
  }

  /** avic_init_backing_page: the backing page's host-physical address (4 KiB aligned) and Valid; IsRunning 0. */
  init(i: number, backingPage: number): void {
    this.words[2 * i] = addrLo(backingPage); // address bits 31:12 → entry bits 31:12
    this.words[2 * i + 1] = (addrHi(backingPage) | PHYS_HI_VALID) >>> 0; // address bits 51:32 → entry bits 51:32
  }

  valid(i: number): boolean {
    return (this.words[2 * i + 1] & PHYS_HI_VALID) !== 0;
  }

  isRunning(i: number): boolean {
    return (this.words[2 * i + 1] & PHYS_HI_IS_RUNNING) !== 0;
  }

  hostApicId(i: number): number {
    return this.words[2 * i] & PHYS_HOST_ID_MASK;
  }

  /** The backing page's host-physical address. */
  backingPage(i: number): number {
    return addrOf(this.words[2 * i], this.words[2 * i + 1]);
  }

  /** avic_vcpu_load: the host physical APIC ID of the pCPU and IsRunning = 1. */
  load(i: number, hostApicId: number): void {
    this.words[2 * i] = ((this.words[2 * i] & ~PHYS_HOST_ID_MASK) | (hostApicId & PHYS_HOST_ID_MASK)) >>> 0;
    this.words[2 * i + 1] = (this.words[2 * i + 1] | PHYS_HI_IS_RUNNING) >>> 0;
  }

  /** avic_vcpu_put: IsRunning = 0 (the host ID stays; hardware ignores it while not running). */
  put(i: number): void {
    this.words[2 * i + 1] = (this.words[2 * i + 1] & ~PHYS_HI_IS_RUNNING) >>> 0;
  }
}

// Logical APIC ID table entry, 32 bits: bits 7:0 guest physical APIC ID, 31 Valid.
export const LOGICAL_VALID = 1 << 31;

/**
 * Index of the logical APIC ID table entry for a logical destination `ldr` (its bits 31:24), flat or cluster
 * model (KVM avic_get_logical_id_entry): flat — the bit's position (0..7); cluster — cluster × 4 + the bit's
 * position in the low nibble. -1 when the ID selects no entry.
 */
export function logicalIdIndex(ldr: number, flat: boolean): number {
  const dlid = (ldr >>> 24) & 0xff;
  if (dlid === 0) return -1;
  if (flat) return 31 - Math.clz32(dlid & -dlid); // lowest set bit
  const cluster = (dlid & 0xf0) >>> 4;
  const low = dlid & 0x0f;
  if (low === 0 || cluster >= 0xf) return -1;
  return (cluster << 2) + (31 - Math.clz32(low & -low));
}

export const logicalEntry = (guestPhysicalId: number): number => ((guestPhysicalId & 0xff) | LOGICAL_VALID) >>> 0;

/** The failure causes of an AVIC_INCOMPLETE_IPI #VMEXIT (EXITINFO2[63:32], APM §15.29.9). */
export const IPI_FAILURE_INVALID_INT_TYPE = 0;
export const IPI_FAILURE_TARGET_NOT_RUNNING = 1;
export const IPI_FAILURE_INVALID_TARGET = 2;
export const IPI_FAILURE_INVALID_BACKING_PAGE = 3;
/** No failure: the hardware set the target's IRR and rang its doorbell. */
export const IPI_ACCELERATED = -1;

/**
 * What the hardware does with a fixed, edge-triggered IPI to guest physical APIC ID `i` (APM §15.29.9): an invalid
 * entry fails; a valid one gets its IRR bit set either way, then a doorbell if IsRunning, else the sender exits
 * with TARGET_NOT_RUNNING (KVM then wakes the target). `fixedEdge` false: the ICR's type is not accelerated.
 */
export function avicIpiOutcome(t: AvicPhysicalIdTable, i: number, fixedEdge = true): number {
  if (!fixedEdge) return IPI_FAILURE_INVALID_INT_TYPE;
  if (i < 0 || i >= t.entries || !t.valid(i)) return IPI_FAILURE_INVALID_TARGET;
  return t.isRunning(i) ? IPI_ACCELERATED : IPI_FAILURE_TARGET_NOT_RUNNING;
}

// IOMMU GA-mode IRTE, 128 bits as four u32 words (Linux irte_ga_lo / irte_ga_hi, fields_vapic):
//   w0: 0 RemapEn(valid), 1 SupIOPF, 2 GALogIntr, 6 IsRun, 7 GuestMode, 15:8 Destination[7:0]
//   w1: GATag[31:0]
//   w2: 7:0 vector, 31:12 GA root pointer [31:12]
//   w3: 19:0 GA root pointer [51:32], 31:24 Destination[31:24] (x2APIC)
const IRTE_VALID = 1 << 0;
const IRTE_GA_LOG_INTR = 1 << 2;
const IRTE_IS_RUN = 1 << 6;
const IRTE_GUEST_MODE = 1 << 7;

/** AVIC_GATAG: the VM's AVIC id (24 bits) and the vCPU's id in it (8 bits). */
export const gaTag = (vmId: number, vcpuId: number): number => (((vmId & 0xffffff) << 8) | (vcpuId & 0xff)) >>> 0;
export const gaTagVm = (tag: number): number => (tag >>> 8) & 0xffffff;
export const gaTagVcpu = (tag: number): number => tag & 0xff;

export class GaIrte {
  readonly w = new Uint32Array(4);

  /** svm_update_pi_irte: guest mode, the backing page as GA root, the GA tag; GA-log interrupts enabled. */
  setGuestMode(backingPage: number, tag: number, vector: number): void {
    this.w[0] = IRTE_VALID | IRTE_GA_LOG_INTR | IRTE_GUEST_MODE;
    this.w[1] = tag >>> 0;
    this.w[2] = ((vector & 0xff) | addrLo(backingPage)) >>> 0;
    this.w[3] = addrHi(backingPage);
  }

  /** The GA root pointer: the backing page's host-physical address. */
  rootPointer(): number {
    return addrOf(this.w[2], this.w[3]);
  }

  guestMode(): boolean {
    return (this.w[0] & IRTE_GUEST_MODE) !== 0;
  }
  isRun(): boolean {
    return (this.w[0] & IRTE_IS_RUN) !== 0;
  }
  gaLogIntr(): boolean {
    return (this.w[0] & IRTE_GA_LOG_INTR) !== 0;
  }
  destination(): number {
    return ((this.w[0] >>> 8) & 0xff) | (this.w[3] & 0xff000000);
  }
  tag(): number {
    return this.w[1];
  }
  vector(): number {
    return this.w[2] & 0xff;
  }
  setVector(v: number): void {
    this.w[2] = ((this.w[2] & ~0xff) | (v & 0xff)) >>> 0;
  }

  /** amd_iommu_update_ga: IsRun and the destination (the host APIC ID of the vCPU's pCPU). */
  updateGa(isRun: boolean, dest: number): void {
    let w0 = this.w[0] & ~(IRTE_IS_RUN | 0xff00);
    if (isRun) w0 |= IRTE_IS_RUN | ((dest & 0xff) << 8);
    this.w[0] = w0 >>> 0;
    if (isRun) this.w[3] = ((this.w[3] & 0x00ffffff) | (dest & 0xff000000)) >>> 0;
  }
}

/** What the IOMMU does with an interrupt remapped through a GA-mode IRTE (IOMMU spec, guest virtual APIC). */
export const GA_POST_DOORBELL = 1; // IsRun = 1: IRR set in the backing page, doorbell to Destination
export const GA_POST_LOG = 2; // IsRun = 0, GALogIntr = 1: IRR set, a GA log entry, the GA log interrupt
export const GA_POST_SILENT = 3; // IsRun = 0, GALogIntr = 0: IRR set only (found at the next VMRUN)

export function gaPostOutcome(e: GaIrte): number {
  if (e.isRun()) return GA_POST_DOORBELL;
  return e.gaLogIntr() ? GA_POST_LOG : GA_POST_SILENT;
}

/** GA log entry type of a "guest not running" notification (GA_GUEST_NR). */
export const GA_GUEST_NR = 1;

/**
 * The IOMMU's GA log: a ring of 64-bit entries (GA tag in bits 31:0, device id in 47:32, type in 63:60) the IOMMU
 * appends to and the host's GA log interrupt handler drains (iommu_poll_ga_log). Full: the entry is dropped and
 * the overflow bit set (the host then re-enables the log; the model counts it).
 */
export class GaLog {
  private readonly lo: Uint32Array;
  private readonly hi: Uint32Array;
  head = 0;
  tail = 0;
  overflow = false;

  constructor(readonly capacity = 512) {
    this.lo = new Uint32Array(capacity);
    this.hi = new Uint32Array(capacity);
  }

  get length(): number {
    return this.tail - this.head;
  }

  /** Returns false (and sets overflow) when the ring is full. */
  append(tag: number, devId = 0): boolean {
    if (this.length === this.capacity) {
      this.overflow = true;
      return false;
    }
    const k = this.tail % this.capacity;
    this.lo[k] = tag >>> 0;
    this.hi[k] = ((devId & 0xffff) | (GA_GUEST_NR << 28)) >>> 0;
    this.tail++;
    return true;
  }

  /** Removes the oldest entry and returns its GA tag (-1 when empty). */
  take(): number {
    if (this.length === 0) return -1;
    const k = this.head % this.capacity;
    this.head++;
    return this.hi[k] >>> 28 === GA_GUEST_NR ? this.lo[k] : -1;
  }
}
