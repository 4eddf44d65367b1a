// 256-bit vector bitmaps (IRR, ISR, TMR, PIR, VIRR, VISR, EOI-exit bitmap) stored as 8 × u32, the layout
// of the LAPIC page: vector v lives in word v >> 5, bit v & 31 (semantics §A.1.1).

export const VECTOR_WORDS = 8;

export function vecTest(bm: Uint32Array, v: number): boolean {
  return (bm[v >>> 5] & (1 << (v & 31))) !== 0;
}

export function vecSet(bm: Uint32Array, v: number): void {
  bm[v >>> 5] |= 1 << (v & 31);
}

export function vecClear(bm: Uint32Array, v: number): void {
  bm[v >>> 5] &= ~(1 << (v & 31));
}

/** Sets bit v and reports whether it was already set (the "test-and-set" of KVM's pi_test_and_set_pir). */
export function vecTestAndSet(bm: Uint32Array, v: number): boolean {
  const w = v >>> 5;
  const m = 1 << (v & 31);
  const was = (bm[w] & m) !== 0;
  bm[w] |= m;
  return was;
}

/** Highest set vector, or -1 when empty: scan word 7 → 0 (K:lapic.c apic_find_highest_vector). */
export function vecHighest(bm: Uint32Array): number {
  for (let w = VECTOR_WORDS - 1; w >= 0; w--) {
    const x = bm[w];
    if (x !== 0) return (w << 5) + 31 - Math.clz32(x);
  }
  return -1;
}

export function vecIsEmpty(bm: Uint32Array): boolean {
  for (let w = 0; w < VECTOR_WORDS; w++) if (bm[w] !== 0) return false;
  return true;
}

export function vecCount(bm: Uint32Array): number {
  let n = 0;
  for (let w = 0; w < VECTOR_WORDS; w++) {
    let x = bm[w];
    while (x !== 0) {
      x &= x - 1;
      n++;
    }
  }
  return n;
}

export function vecClearAll(bm: Uint32Array): void {
  bm.fill(0, 0, VECTOR_WORDS);
}

/** Lists set vectors ascending (tests and snapshots only; allocates). */
export function vecList(bm: Uint32Array): number[] {
  const out: number[] = [];
  for (let v = 0; v < 256; v++) if (vecTest(bm, v)) out.push(v);
  return out;
}

/** Builds a bitmap from a list of vectors (tests and setup only). */
export function vecFrom(vectors: readonly number[]): Uint32Array {
  const bm = new Uint32Array(VECTOR_WORDS);
  for (const v of vectors) vecSet(bm, v);
  return bm;
}

/** Calls fn(v) for every set vector, highest first (no allocation). */
export function vecForEach(bm: Uint32Array, fn: (v: number) => void): void {
  for (let w = VECTOR_WORDS - 1; w >= 0; w--)
    for (let bits = bm[w]; bits !== 0; ) {
      const b = 31 - Math.clz32(bits);
      bits &= ~(1 << b);
      fn((w << 5) | b);
    }
}
