import { describe, expect, it } from 'vitest';
import { RING_HEADER_BYTES, SpscRing } from '../../src/mem/spsc-ring.ts';

// Collects the records a drain delivers as plain arrays (tests only; the hot path never allocates).
function drainAll(ring: SpscRing, max?: number): number[][] {
  const out: number[][] = [];
  ring.drain((d, o) => out.push(Array.from(d.subarray(o, o + ring.recordWords))), max);
  return out;
}

describe('SpscRing', () => {
  it('rejects shapes that would break the index arithmetic', () => {
    expect(() => SpscRing.create(6)).toThrow(/power of two/);
    expect(() => SpscRing.create(0)).toThrow(/power of two/);
    expect(() => SpscRing.create(2 ** 31)).toThrow(/power of two/);
    expect(() => SpscRing.create(8, 0)).toThrow(/recordWords/);
    expect(() => SpscRing.format(new SharedArrayBuffer(4096), 4, 8)).toThrow(/aligned/);
    expect(() => SpscRing.fromBuffer(new SharedArrayBuffer(4096))).toThrow(/no SpscRing/);
  });

  it('keeps pushed records invisible until publish, then delivers them in order', () => {
    const prod = SpscRing.create(8, 6);
    const cons = SpscRing.fromBuffer(prod.buffer);
    expect(cons.capacity).toBe(8);
    expect(cons.recordWords).toBe(6);
    expect(prod.tryPush(1.5, 2, 3, 4, 5, 6)).toBe(true);
    expect(prod.tryPush(2.5, 2, 4)).toBe(true);
    expect(prod.unpublished).toBe(2);
    expect(cons.available()).toBe(0);
    expect(drainAll(cons)).toEqual([]);
    prod.publish();
    expect(prod.unpublished).toBe(0);
    expect(drainAll(cons)).toEqual([
      [1.5, 2, 3, 4, 5, 6],
      [2.5, 2, 4, 0, 0, 0],
    ]);
    expect(cons.available()).toBe(0);
  });

  it('publishes a batch with one tail update: the consumer sees all of it or none', () => {
    const prod = SpscRing.create(64, 2);
    const cons = SpscRing.fromBuffer(prod.buffer);
    for (let i = 0; i < 10; i++) prod.tryPush(i, -i);
    prod.publish();
    for (let i = 10; i < 15; i++) prod.tryPush(i, -i);
    expect(cons.available()).toBe(10);
    prod.publish();
    expect(cons.available()).toBe(15);
  });

  it('drains exactly up to a fence mark, leaving later publications for the next fence', () => {
    const prod = SpscRing.create(16, 1);
    const cons = SpscRing.fromBuffer(prod.buffer);
    for (let i = 0; i < 3; i++) prod.tryPush(i);
    prod.fence(0);
    for (let i = 3; i < 5; i++) prod.tryPush(i);
    prod.publish(); // visible, but behind no fence yet
    const got: number[] = [];
    const sink = (d: Float64Array, o: number) => got.push(d[o]);
    expect(cons.drainFence(sink, 0)).toBe(3);
    expect(got).toEqual([0, 1, 2]);
    prod.tryPush(5);
    prod.fence(1);
    expect(cons.drainFence(sink, 1)).toBe(3);
    expect(got).toEqual([0, 1, 2, 3, 4, 5]);
    // Slot 0 still marks position 3, behind the consumer: reusing a stale fence is a protocol error.
    expect(() => cons.drainFence(sink, 0)).toThrow(/inconsistent/);
  });

  it('reports full, frees space only when the consumer releases, and wraps around', () => {
    const prod = SpscRing.create(4, 1);
    const cons = SpscRing.fromBuffer(prod.buffer);
    let next = 0;
    const got: number[] = [];
    for (let round = 0; round < 5; round++) {
      while (prod.tryPush(next)) next++;
      expect(prod.freeSlots()).toBe(0);
      prod.publish();
      // Partial drain: the producer gets exactly the released slots back.
      for (const r of drainAll(cons, 3)) got.push(r[0]);
      expect(prod.freeSlots()).toBe(3);
    }
    for (const r of drainAll(cons)) got.push(r[0]);
    expect(got).toEqual(Array.from({ length: next }, (_, i) => i));
    expect(next).toBe(4 + 4 * 3);
  });

  it('supports in-place claims and a cursor read/release API for any record width', () => {
    const prod = SpscRing.create(4, 9);
    const cons = SpscRing.fromBuffer(prod.buffer);
    for (let r = 0; r < 3; r++) {
      const o = prod.tryClaim();
      expect(o).toBeGreaterThanOrEqual(0);
      for (let k = 0; k < 9; k++) prod.data[o + k] = r * 100 + k;
    }
    prod.publish();
    expect(cons.available()).toBe(3);
    expect(cons.data[cons.offsetAt(2) + 8]).toBe(208);
    expect(cons.data[cons.offsetAt(1)]).toBe(100);
    cons.release(2);
    expect(() => cons.release(2)).toThrow(/exceeds/);
    expect(cons.available()).toBe(1);
    expect(cons.data[cons.offsetAt(0) + 3]).toBe(203);
    // Width 9 is wider than tryPush's 6 arguments; tryPushFrom copies the whole record.
    const src = Float64Array.from({ length: 9 }, (_, k) => 1000 + k);
    expect(prod.tryPushFrom(src, 0)).toBe(true);
    prod.publish();
    cons.release(1);
    expect(drainAll(cons)).toEqual([Array.from(src)]);
  });

  it('keeps counting correctly across the Int32 wrap of head and tail', () => {
    const ring = SpscRing.create(8, 1);
    // Start both counters just below 2^31 by editing the header before any party attaches.
    const ctl = new Int32Array(ring.buffer, 0, RING_HEADER_BYTES / 4);
    ctl[32] = 0x7ffffffd; // tail
    ctl[64] = 0x7ffffffd; // head
    const prod = SpscRing.fromBuffer(ring.buffer);
    const cons = SpscRing.fromBuffer(ring.buffer);
    const got: number[] = [];
    for (let i = 0; i < 40; i++) {
      expect(prod.tryPush(i)).toBe(true);
      if (i % 3 === 2) {
        prod.publish();
        for (const r of drainAll(cons)) got.push(r[0]);
      }
    }
    prod.publish();
    for (const r of drainAll(cons)) got.push(r[0]);
    expect(got).toEqual(Array.from({ length: 40 }, (_, i) => i));
    expect(ctl[32]).toBeLessThan(0); // really wrapped
  });

  it('lives at an offset inside a larger buffer without touching its neighbours', () => {
    const bytes = SpscRing.bytesFor(4, 2);
    const sab = new SharedArrayBuffer(16 + bytes + 16);
    const guard = new Float64Array(sab);
    guard.fill(-7);
    const a = SpscRing.format(sab, 16, 4, 2);
    for (let i = 0; i < 4; i++) a.tryPush(i, i);
    a.publish();
    const b = SpscRing.fromBuffer(sab, 16);
    expect(drainAll(b).map((r) => r[0])).toEqual([0, 1, 2, 3]);
    expect(guard[0]).toBe(-7);
    expect(guard[1]).toBe(-7);
    expect(guard[guard.length - 1]).toBe(-7);
    expect(guard[guard.length - 2]).toBe(-7);
  });
});
