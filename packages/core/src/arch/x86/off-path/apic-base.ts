// IA32_APIC_BASE (MSR 0x1B) mode transitions and what the xAPIC MMIO page decodes to in each mode
// (semantics; SDM:APIC "x2APIC State Transitions"; K:lapic.c kvm_apic_set_base, K:x86.c
// kvm_set_apic_base, K:lapic.c apic_mmio_read with KVM_X86_QUIRK_LAPIC_MMIO_HOLE).

export const MSR_IA32_APICBASE = 0x1b;
export const APIC_BASE_BSP = 1n << 8n;
export const APIC_BASE_EXTD = 1n << 10n;
export const APIC_BASE_EN = 1n << 11n;
/** Bits 7:0 and 9 are reserved; so is everything at or above MAXPHYADDR. */
const APIC_BASE_RESERVED_LOW = 0x2ffn;

/** Mode = (EN, EXTD) (KVM enum lapic_mode). */
export const APIC_MODE_DISABLED = 0;
export const APIC_MODE_INVALID = 1; // EN = 0, EXTD = 1
export const APIC_MODE_XAPIC = 2; // EN = 1, EXTD = 0
export const APIC_MODE_X2APIC = 3; // EN = 1, EXTD = 1

export const apicModeOf = (base: bigint): number =>
  ((base & APIC_BASE_EN) !== 0n ? 2 : 0) | ((base & APIC_BASE_EXTD) !== 0n ? 1 : 0);

export interface ApicBaseCaps {
  /** CPUID.1:ECX.x2APIC; without it EXTD is a reserved bit. */
  x2apicSupported: boolean;
  maxPhysAddr: number;
}

export const DEFAULT_APIC_BASE_CAPS: ApicBaseCaps = { x2apicSupported: true, maxPhysAddr: 46 };

/**
 * A guest WRMSR to IA32_APIC_BASE faults (#GP) on reserved bits, on the invalid mode, and on the two forbidden
 * transitions x2APIC → xAPIC and disabled → x2APIC (the only way down from x2APIC is through disabled).
 */
export function apicBaseWriteFaults(oldBase: bigint, newBase: bigint, caps = DEFAULT_APIC_BASE_CAPS): boolean {
  let reserved = APIC_BASE_RESERVED_LOW | ~((1n << BigInt(caps.maxPhysAddr)) - 1n);
  if (!caps.x2apicSupported) reserved |= APIC_BASE_EXTD;
  if ((newBase & reserved) !== 0n) return true;
  const from = apicModeOf(oldBase);
  const to = apicModeOf(newBase);
  if (to === APIC_MODE_INVALID) return true;
  if (from === APIC_MODE_X2APIC && to === APIC_MODE_XAPIC) return true;
  if (from === APIC_MODE_DISABLED && to === APIC_MODE_X2APIC) return true;
  return false;
}

/** The xAPIC page decodes only in xAPIC mode; disabled or x2APIC leaves an MMIO hole. */
export const apicMmioDecoded = (mode: number): boolean => mode === APIC_MODE_XAPIC;

/** MMIO read of the APIC page: all-ones through the hole (KVM's LAPIC_MMIO_HOLE quirk), else the register. */
export function apicMmioRead(mode: number, offset: number, read: (offset: number) => number): number {
  return apicMmioDecoded(mode) ? read(offset) >>> 0 : 0xffffffff;
}

/** MMIO write: dropped through the hole (CR8 keeps working, X-23). Returns whether it reached a register. */
export function apicMmioWrite(
  mode: number,
  offset: number,
  value: number,
  write: (offset: number, value: number) => void,
): boolean {
  if (!apicMmioDecoded(mode)) return false;
  write(offset, value);
  return true;
}
