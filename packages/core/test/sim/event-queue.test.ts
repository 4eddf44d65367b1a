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

  it('remove and reschedule keep the (time, source, sequence) order of what is left', () => {
    // A model of the engine's use: a few "activity" events moved or dropped among ordinary ones, checked against a
    // sorted list of the live events after every operation mix.
    fc.assert(
      fc.property(
        fc.array(
          fc.tuple(fc.integer({ min: 0, max: 3 }), fc.integer({ min: 0, max: 40 }), fc.integer({ min: 0, max: 4 })),
          { maxLength: 400 },
        ),
        (ops) => {
          const q = new EventQueue(2);
          const live = new Map<number, [number, number, number]>(); // handle → key
          const seq = [0, 0, 0, 0, 0];
          const handles: number[] = [];
          const popped: [number, number, number][] = [];
          const expected: [number, number, number][] = [];
          const order = (a: [number, number, number], b: [number, number, number]) =>
            a[0] - b[0] || a[1] - b[1] || a[2] - b[2];
          for (const [op, t, src] of ops) {
            if (op === 0 || handles.length === 0) {
              const key: [number, number, number] = [t, src, seq[src]++];
              const h = q.push(key[0], key[1], key[2], 1, 0, 0, 0);
              live.set(h, key);
              handles.push(h);
            } else if (op === 1) {
              const h = handles.splice(t % handles.length, 1)[0];
              q.remove(h);
              live.delete(h);
            } else if (op === 2) {
              const h = handles[t % handles.length];
              const old = live.get(h) as [number, number, number];
              const key: [number, number, number] = [t, old[1], seq[old[1]]++];
              q.reschedule(h, key[0], key[2], 0);
              live.set(h, key);
            } else {
              const first = [...live.values()].sort(order)[0];
              expect(q.pop()).toBe(true);
              popped.push([q.t, q.srcId, q.seqNo]);
              expected.push(first);
              live.delete(q.slot);
              handles.splice(handles.indexOf(q.slot), 1);
            }
            expect(q.size).toBe(live.size);
          }
          expect(popped).toEqual(expected);
          const rest: [number, number, number][] = [];
          while (q.pop()) rest.push([q.t, q.srcId, q.seqNo]);
          expect(rest).toEqual([...live.values()].sort(order));
        },
      ),
    );
  });
});
