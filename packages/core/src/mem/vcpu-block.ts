// Layout of a vCPU's state block in the arena (DESIGN §4 "single writer", §19.12): every architectural structure a
// shard mutates lives here, in (Shared)ArrayBuffer memory that other threads can read for progress and snapshots.
// A block holds only the regions the run's schemes declare (their descriptors' `vcpuState.arena`), in one fixed
// order, so the layout — every offset and the block size — is a function of that set: the engine, the shards and
// the snapshot reader all build it from the same set (`Arena.layout`). Offsets are in u32 words for the Uint32
// area and in f64 slots for the Float64 area.

/** A region of the vCPU block a scheme may declare. */
export type ArenaRegion = 'pid' | 'lapic' | 'eoiExit' | 'eliPhys' | 'arm';

/**
 * Every region in layout order, with its size in u32 words: `pid` first, so the posted-interrupt descriptor sits at
 * the 64-byte-aligned start of its block as the hardware requires.
 */
export const REGION_WORDS: Readonly<Record<ArenaRegion, number>> = {
  /** Posted-interrupt descriptor (16 words, 64 bytes), then the PIR harvest scratch (8). */
  pid: 24,
  /** IRR (x86-vmx/emul vLAPIC) or VIRR (APICv virtual-APIC page), ISR / VISR, TMR, then 8 register words. */
  lapic: 32,
  /** APICv EOI-exit bitmap 0..3. */
  eoiExit: 8,
  /** ELI physical IRR and ISR of the vCPU's assigned vectors. */
  eliPhys: 16,
  /** The virtual CPU interface (arch/arm/cpuif-block.ts ARM_AREA_WORDS: list registers, HCR, VMCR, APRs, …). */
  arm: 64,
};

const ORDER = Object.keys(REGION_WORDS) as ArenaRegion[];

/** Blocks are whole cache lines: the PID stays aligned, and vCPUs of different shards share no line. */
const BLOCK_ALIGN_WORDS = 16;

/** Where each structure of a vCPU block is (u32 word offsets; −1 when the run declares no region holding it). */
export class VcpuLayout {
  /** u32 words per vCPU block (a multiple of 16: 64 bytes). */
  readonly words: number;
  /** The regions present, in layout order. */
  readonly regions: readonly ArenaRegion[];
  readonly pid: number;
  readonly scratch: number;
  readonly irr: number;
  readonly isr: number;
  readonly tmr: number;
  readonly regs: number;
  readonly eoiExit: number;
  readonly pirr: number;
  readonly pisr: number;
  readonly arm: number;

  constructor(declared: Iterable<ArenaRegion>) {
    const want = new Set(declared);
    const at: Partial<Record<ArenaRegion, number>> = {};
    let w = 0;
    for (const r of ORDER)
      if (want.has(r)) {
        at[r] = w;
        w += REGION_WORDS[r];
      }
    this.regions = ORDER.filter((r) => want.has(r));
    this.words = Math.max(BLOCK_ALIGN_WORDS, Math.ceil(w / BLOCK_ALIGN_WORDS) * BLOCK_ALIGN_WORDS);
    const off = (r: ArenaRegion, k: number) => (at[r] === undefined ? -1 : at[r] + k);
    this.pid = off('pid', 0);
    this.scratch = off('pid', 16);
    this.irr = off('lapic', 0);
    this.isr = off('lapic', 8);
    this.tmr = off('lapic', 16);
    this.regs = off('lapic', 24);
    this.eoiExit = off('eoiExit', 0);
    this.pirr = off('eliPhys', 0);
    this.pisr = off('eliPhys', 8);
    this.arm = off('arm', 0);
  }

  /** Every region: the layout of a block that holds whatever any scheme declares. */
  static readonly ALL = new VcpuLayout(ORDER);
}

// The Float64 area of a block is the pending-interrupt ledger (sim/ledger.ts): LEDGER_ARRAYS arrays of `ledgerSlots`
// numbers (one per vector the widest VM uses), so its size follows the scenario (DESIGN §19.3).
export const LEDGER_ARRAYS = 5;

/** What a view of an absent region is: no words, so a structure the run does not hold has no storage. */
const NO_WORDS = new Uint32Array(0);

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
    /** Which regions a block holds, and where (the run's declared regions). */
    readonly layout: VcpuLayout = VcpuLayout.ALL,
  ) {
    this.f64Slots = LEDGER_ARRAYS * ledgerSlots;
    const bytesU32 = vcpus * layout.words * 4;
    const bytesF64 = vcpus * this.f64Slots * 8;
    if (buffer && buffer.byteLength !== Arena.bytes(vcpus, ledgerSlots, layout))
      throw new Error('arena buffer has the wrong size');
    this.buffer =
      buffer ?? (shared ? new SharedArrayBuffer(bytesU32 + bytesF64) : new ArrayBuffer(bytesU32 + bytesF64));
    this.u32 = new Uint32Array(this.buffer, 0, vcpus * layout.words);
    this.f64 = new Float64Array(this.buffer, bytesU32, vcpus * this.f64Slots);
  }

  /** Bytes of arena memory for `vcpus` state blocks of `layout` with `ledgerSlots` ledger slots each. */
  static bytes(vcpus: number, ledgerSlots = 256, layout: VcpuLayout = VcpuLayout.ALL): number {
    return vcpus * (layout.words * 4 + LEDGER_ARRAYS * ledgerSlots * 8);
  }

  /** `len` words at offset `off` (a VcpuLayout field) of vCPU `vcpu`'s block; no words when `off` is −1 (absent). */
  u32View(vcpu: number, off: number, len: number): Uint32Array {
    if (off < 0) return NO_WORDS;
    const b = vcpu * this.layout.words + off;
    return this.u32.subarray(b, b + len);
  }

  /** Index in `f64` of the first slot of vCPU `vcpu`'s ledger area. */
  ledgerBase(vcpu: number): number {
    return vcpu * this.f64Slots;
  }
}
