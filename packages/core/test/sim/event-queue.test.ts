import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { EventQueue } from '../../src/sim/event-queue.ts';

describe('EventQueue', () => {
  it('pops in (time, source entity, sequence) order, independent of insertion order', () => {
    fc.assert(
      fc.property(
        fc.array(
          fc.tuple(fc.integer({ min: 0, max: 50 }), fc.integer({ min: 0, max: 5 }), fc.integer({ min: 0, max: 1000 })),
          {
            maxLength: 300,
          },
        ),
        (evs) => {
          const uniq = [...new Map(evs.map((e) => [`${e[1]}/${e[2]}`, e])).values()];
          const q = new EventQueue(4); // forces growth
          uniq.forEach(([t, src, seq], i) => {
            q.push(t, src, seq, 1, i, 0, 0);
          });
          const out: [number, number, number][] = [];
          while (q.pop()) out.push([q.t, q.srcId, q.seqNo]);
          const sorted = [...uniq].sort((a, b) => a[0] - b[0] || a[1] - b[1] || a[2] - b[2]);
          expect(out).toEqual(sorted);
        },
      ),
    );
  });

  it('carries payload fields and reports +Infinity when empty', () => {
    const q = new EventQueue(2);
    expect(q.peekTime()).toBe(Number.POSITIVE_INFINITY);
    q.push(5, 1, 0, 7, 42, -3, 1.5);
    expect(q.peekTime()).toBe(5);
    expect(q.pop()).toBe(true);
    expect([q.type, q.entity, q.a0, q.a1]).toEqual([7, 42, -3, 1.5]);
    expect(q.pop()).toBe(false);
  });
});
