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

export const VB_F64_SLOTS = 1280; // 10 KiB per vCPU
// The pending-interrupt ledger (sim/ledger.ts):
export const VB_POSTED_AT = 0; // 256: raise time of the instance in the first pending stage (PIR / ELI pIRR)
export const VB_ACCEPTED_AT = 256; // 256: raise time of the instance pending in the delivery stage ((v)IRR, GIC)
export const VB_POSTED_RUNNING = 512; // 256: 1 = arrived while the target ran in guest mode (first stage)
export const VB_ACCEPTED_RUNNING = 768; // 256: same for the delivery stage
export const VB_WORK = 1024; // 256: handler work (cycles) carried by raised, not yet handled interrupts per vector

export class Arena {
  readonly u32: Uint32Array;
  readonly f64: Float64Array;
  readonly buffer: ArrayBufferLike;

  constructor(
    readonly vcpus: number,
    shared = false,
    buffer?: SharedArrayBuffer,
  ) {
    const bytesU32 = vcpus * VB_U32_WORDS * 4;
    const bytesF64 = vcpus * VB_F64_SLOTS * 8;
    if (buffer && buffer.byteLength !== Arena.bytes(vcpus)) throw new Error('arena buffer has the wrong size');
    this.buffer =
      buffer ?? (shared ? new SharedArrayBuffer(bytesU32 + bytesF64) : new ArrayBuffer(bytesU32 + bytesF64));
    this.u32 = new Uint32Array(this.buffer, 0, vcpus * VB_U32_WORDS);
    this.f64 = new Float64Array(this.buffer, bytesU32, vcpus * VB_F64_SLOTS);
  }

  /** Bytes of arena memory for `vcpus` state blocks. */
  static bytes(vcpus: number): number {
    return vcpus * (VB_U32_WORDS * 4 + VB_F64_SLOTS * 8);
  }

  u32View(vcpu: number, off: number, len: number): Uint32Array {
    const b = vcpu * VB_U32_WORDS + off;
    return this.u32.subarray(b, b + len);
  }

  f64View(vcpu: number, off: number, len: number): Float64Array {
    const b = vcpu * VB_F64_SLOTS + off;
    return this.f64.subarray(b, b + len);
  }
}
