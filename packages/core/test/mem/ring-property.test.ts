// Model-based property tests: random interleavings of producer and consumer operations against a plain-array
// model of what must be visible, full, and delivered.

import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { Barrier } from '../../src/mem/barrier.ts';
import { WindowExchange } from '../../src/mem/exchange.ts';
import { OutboundChannel } from '../../src/mem/outbound.ts';
import { RING_HEADER_BYTES, SpscRing } from '../../src/mem/spsc-ring.ts';

type RingOp =
  | { op: 'push'; n: number }
  | { op: 'publish' }
  | { op: 'drain'; max: number }
  | { op: 'cursor'; take: number };

const ringOp: fc.Arbitrary<RingOp> = fc.oneof(
  fc.record({ op: fc.constant('push' as const), n: fc.integer({ min: 1, max: 20 }) }),
  fc.record({ op: fc.constant('publish' as const) }),
  fc.record({ op: fc.constant('drain' as const), max: fc.integer({ min: 1, max: 40 }) }),
  fc.record({ op: fc.constant('cursor' as const), take: fc.integer({ min: 0, max: 40 }) }),
);

describe('SpscRing properties', () => {
  it('matches a queue model under random push/publish/drain/cursor sequences', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 5 }).map((k) => 2 ** k),
        fc.integer({ min: 1, max: 8 }),
        fc.constantFrom(0, 0x7fffffff - 7, -3),
        fc.array(ringOp, { maxLength: 80 }),
        (capacity, width, start, ops) => {
          const base = SpscRing.create(capacity, width);
          const ctl = new Int32Array(base.buffer, 0, RING_HEADER_BYTES / 4);
          ctl[32] = start; // tail
          ctl[64] = start; // head
          const prod = SpscRing.fromBuffer(base.buffer);
          const cons = SpscRing.fromBuffer(base.buffer);
          let pushed = 0; // records accepted by the producer (seq 0 … pushed-1)
          let published = 0;
          let consumed = 0;
          // Word k of record seq is seq * 16 + k, so a torn or misplaced record cannot pass.
          const check = (d: Float64Array, o: number) => {
            for (let k = 0; k < width; k++) expect(d[o + k]).toBe(consumed * 16 + k);
            consumed++;
          };
          for (const s of ops) {
            if (s.op === 'push') {
              for (let i = 0; i < s.n; i++) {
                const o = prod.tryClaim();
                expect(o >= 0).toBe(pushed - consumed < capacity);
                if (o < 0) break;
                for (let k = 0; k < width; k++) prod.data[o + k] = pushed * 16 + k;
                pushed++;
              }
              expect(prod.unpublished).toBe(pushed - published);
            } else if (s.op === 'publish') {
              prod.publish();
              published = pushed;
            } else if (s.op === 'drain') {
              const expectN = Math.min(s.max, published - consumed);
              expect(cons.drain(check, s.max)).toBe(expectN);
            } else {
              const avail = cons.available();
              expect(avail).toBe(published - consumed);
              const take = Math.min(s.take, avail);
              for (let i = 0; i < take; i++) check(cons.data, cons.offsetAt(i));
              cons.release(take);
            }
            expect(prod.freeSlots()).toBe(capacity - (pushed - consumed));
          }
          prod.publish();
          published = pushed;
          cons.drain(check);
          expect(consumed).toBe(pushed);
        },
      ),
      { numRuns: 300 },
    );
  });
});

describe('OutboundChannel + WindowExchange properties', () => {
  it('delivers every record of every window, in send order, whatever the burst sizes', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 4 }).map((k) => 2 ** k),
        fc.array(fc.array(fc.integer({ min: 0, max: 1000 }), { maxLength: 120 }), { minLength: 1, maxLength: 12 }),
        (capacity, windows) => {
          const ring = SpscRing.create(capacity, 3);
          const ch = new OutboundChannel(ring);
          let expectSeq = 0;
          let windowNo = 0;
          const ex = new WindowExchange(Barrier.create(1), [ch], [SpscRing.fromBuffer(ring.buffer)], (d, o) => {
            expect(d[o + 1]).toBe(expectSeq++);
            expect(d[o + 2]).toBe(windowNo); // never a window late
          });
          let seq = 0;
          for (const times of windows) {
            for (const t of times) ch.send(t, seq++, windowNo);
            expect(ex.run(5000)).toBe(true);
            expect(expectSeq).toBe(seq);
            expect(ex.globalMin).toBe(Math.min(5000, ...times));
            expect(ex.rounds).toBe(1 + Math.max(0, Math.ceil((times.length - capacity) / capacity)));
            windowNo++;
          }
        },
      ),
      { numRuns: 200 },
    );
  });
});
