// Layout of a vCPU's state block in the arena (DESIGN §4 "single writer"): every architectural structure a
// shard mutates lives here, in (Shared)ArrayBuffer memory that other threads can read for progress and
// snapshots. Offsets are in u32 words for the Uint32 area and in f64 slots for the Float64 area.

export const VB_U32_WORDS = 256; // 1 KiB per vCPU; the base is 64-byte aligned, so the PID (word 64) is too.
export const VB_IRR = 0; // 8 words: IRR (x86-vmx/emul vLAPIC) or VIRR (APICv virtual-APIC page)
export const VB_ISR = 8; // 8 words: ISR / VISR
export const VB_TMR = 16; // 8 words
export const VB_REGS = 24; // 8 words: TPR, PPR, SVR, guest-interrupt status (RVI | SVI << 8), …
export const VB_EOI_EXIT = 32; // 8 words: EOI-exit bitmap 0..3
export const VB_PIRR = 40; // 8 words: ELI physical IRR of the vCPU's assigned vectors
export const VB_PISR = 48; // 8 words: ELI physical ISR
export const VB_SCRATCH = 56; // 8 words: PIR harvest scratch
export const VB_PID = 64; // 16 words: posted-interrupt descriptor (64 bytes, 64-byte aligned)
export const VB_ARM = 96; // 128 words reserved for ARM state (list registers as hi/lo pairs, VPT, HCR, VMCR, APRs)
export const VB_COUNTERS = 224; // 32 words: progress counters readable by other threads

// The Float64 area of a block is the pending-interrupt ledger (sim/ledger.ts): LEDGER_ARRAYS arrays of `ledgerSlots`
// numbers (one per vector the widest VM uses), so its size follows the scenario (DESIGN §19.3).
export const LEDGER_ARRAYS = 5;

export class Arena {
  readonly u32: Uint32Array;
  readonly f64: Float64Array;
  readonly buffer: ArrayBufferLike;

  /** Float64 slots of one block: LEDGER_ARRAYS × ledgerSlots. */
  private readonly f64Slots: number;

  constructor(
    readonly vcpus: number,
    shared = false,
    buffer?: SharedArrayBuffer,
    /** Ledger slots per vCPU (sim/ledger.ts ledgerStride). */
    readonly ledgerSlots = 256,
  ) {
    this.f64Slots = LEDGER_ARRAYS * ledgerSlots;
    const bytesU32 = vcpus * VB_U32_WORDS * 4;
    const bytesF64 = vcpus * this.f64Slots * 8;
    if (buffer && buffer.byteLength !== Arena.bytes(vcpus, ledgerSlots))
      throw new Error('arena buffer has the wrong size');
    this.buffer =
      buffer ?? (shared ? new SharedArrayBuffer(bytesU32 + bytesF64) : new ArrayBuffer(bytesU32 + bytesF64));
    this.u32 = new Uint32Array(this.buffer, 0, vcpus * VB_U32_WORDS);
    this.f64 = new Float64Array(this.buffer, bytesU32, vcpus * this.f64Slots);
  }

  /** Bytes of arena memory for `vcpus` state blocks with `ledgerSlots` ledger slots each. */
  static bytes(vcpus: number, ledgerSlots = 256): number {
    return vcpus * (VB_U32_WORDS * 4 + LEDGER_ARRAYS * ledgerSlots * 8);
  }

  u32View(vcpu: number, off: number, len: number): Uint32Array {
    const b = vcpu * VB_U32_WORDS + off;
    return this.u32.subarray(b, b + len);
  }

  /** Index in `f64` of the first slot of vCPU `vcpu`'s ledger area. */
  ledgerBase(vcpu: number): number {
    return vcpu * this.f64Slots;
  }
}
