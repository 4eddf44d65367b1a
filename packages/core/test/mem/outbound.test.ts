import { describe, expect, it } from 'vitest';
import { Barrier } from '../../src/mem/barrier.ts';
import { WindowExchange } from '../../src/mem/exchange.ts';
import { OutboundChannel } from '../../src/mem/outbound.ts';
import { SpscRing } from '../../src/mem/spsc-ring.ts';

describe('OutboundChannel', () => {
  it('spills when the ring is full and keeps FIFO order across ring and spill', () => {
    const ring = SpscRing.create(4, 2);
    const cons = SpscRing.fromBuffer(ring.buffer);
    const ch = new OutboundChannel(ring);
    for (let i = 0; i < 10; i++) ch.send(i, i * 10);
    expect(ch.spilled).toBe(6);
    ch.flush();
    const got: number[] = [];
    const sink = (d: Float64Array, o: number) => {
      expect(d[o + 1]).toBe(d[o] * 10);
      got.push(d[o]);
    };
    expect(cons.drain(sink)).toBe(4);
    // Room in the ring again, but spill is non-empty: a new record must queue behind the spilled ones.
    ch.send(10, 100);
    expect(ch.spilled).toBe(7);
    expect(ch.refill()).toBe(3);
    cons.drain(sink);
    expect(ch.refill()).toBe(0);
    cons.drain(sink);
    // Spill is empty again: the next record goes straight to the ring.
    ch.send(11, 110);
    expect(ch.spilled).toBe(0);
    ch.flush();
    cons.drain(sink);
    expect(got).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11]);
    expect(ch.spilledTotal).toBe(7);
  });

  it('grows and compacts the spill queue without losing or reordering records', () => {
    const ring = SpscRing.create(2, 1);
    const cons = SpscRing.fromBuffer(ring.buffer);
    const ch = new OutboundChannel(ring);
    const got: number[] = [];
    const sink = (d: Float64Array, o: number) => got.push(d[o]);
    let next = 0;
    // Interleave bursts larger than the initial 64-record spill buffer with partial refills, so both the
    // "double" and the "compact in place" paths run.
    for (let burst = 0; burst < 30; burst++) {
      const n = (burst * 37) % 150;
      for (let i = 0; i < n; i++) ch.send(next++);
      ch.flush();
      for (let r = 0; r < burst % 4; r++) {
        cons.drain(sink);
        ch.refill();
      }
    }
    while (ch.spilled > 0 || cons.available() > 0) {
      cons.drain(sink);
      ch.refill();
    }
    expect(got).toEqual(Array.from({ length: next }, (_, i) => i));
  });

  it('sendFrom copies whole records and tracks the minimum sent time', () => {
    const ring = SpscRing.create(2, 3);
    const ch = new OutboundChannel(ring);
    const src = Float64Array.of(50, 1, 2, 30, 3, 4, 40, 5, 6);
    for (let o = 0; o < src.length; o += 3) ch.sendFrom(src, o);
    ch.send(45);
    expect(ch.takeSentMin()).toBe(30);
    expect(ch.takeSentMin()).toBe(Number.POSITIVE_INFINITY);
    ch.flush();
    const got: number[][] = [];
    const cons = SpscRing.fromBuffer(ring.buffer);
    const sink = (d: Float64Array, o: number) => got.push(Array.from(d.subarray(o, o + 3)));
    while (ch.spilled > 0 || cons.available() > 0) {
      cons.drain(sink);
      ch.refill();
    }
    expect(got).toEqual([
      [50, 1, 2],
      [30, 3, 4],
      [40, 5, 6],
      [45, 0, 0],
    ]);
  });
});

describe('WindowExchange (single thread, a shard that sends to itself)', () => {
  it('delivers a window larger than the ring in FIFO order, one ring capacity per extra round', () => {
    const ring = SpscRing.create(8, 6);
    const ch = new OutboundChannel(ring);
    const got: number[] = [];
    const ex = new WindowExchange(Barrier.create(1), [ch], [SpscRing.fromBuffer(ring.buffer)], (d, o) =>
      got.push(d[o + 2]),
    );
    for (let seq = 0; seq < 100; seq++) ch.send(1000 + seq, 0, seq);
    expect(ex.run(2000)).toBe(true);
    expect(got).toEqual(Array.from({ length: 100 }, (_, i) => i));
    expect(ex.received).toBe(100);
    // Drain precedes refill in one thread, so every extra round moves exactly 8: 1 + ceil(92 / 8) rounds.
    expect(ex.rounds).toBe(13);
    expect(ex.globalMin).toBe(1000); // the in-flight records count, not just the local next event
    expect(ex.run(2000)).toBe(true);
    expect(ex.rounds).toBe(1);
    expect(ex.received).toBe(0);
    expect(ex.globalMin).toBe(2000);
  });

  it('reports an aborted barrier instead of exchanging', () => {
    const ring = SpscRing.create(8, 6);
    const barrier = Barrier.create(1);
    const ex = new WindowExchange(barrier, [new OutboundChannel(ring)], [ring], () => {});
    barrier.abort(3);
    expect(ex.run(0)).toBe(false);
  });
});
