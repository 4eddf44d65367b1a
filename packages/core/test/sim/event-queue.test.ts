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

  // The ladder (sim/event-ladder.ts) behind the heap: a tiny spill threshold makes every shape change happen on
  // small queues — spills into rung 0 and under deeper rungs, buckets spread over finer rungs, rungs dropped, the
  // top spread again, all-equal times that cannot be spread — against the same sorted model.
  it('with the ladder in use: push, pop, remove and reschedule keep the exact (time, source, sequence) order', () => {
    type Key = [number, number, number];
    const order = (a: Key, b: Key) => a[0] - b[0] || a[1] - b[1] || a[2] - b[2];
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 12 }),
        fc.array(
          fc.tuple(
            fc.integer({ min: 0, max: 9 }),
            fc.oneof(
              fc.integer({ min: 0, max: 3 }),
              fc.integer({ min: 0, max: 200 }),
              fc.integer({ min: 0, max: 1e6 }),
              // clustered near now: buckets too full to hand down whole, spread over finer rungs
              fc.integer({ min: 0, max: 1e6 }).map((v) => Math.floor((v / 1e6) ** 12 * 1e6)),
            ),
            fc.integer({ min: 0, max: 3 }),
          ),
          { maxLength: 600 },
        ),
        (spillAt, ops) => {
          const q = new EventQueue(2, spillAt);
          const live = new Map<number, Key>();
          const seq = [0, 0, 0, 0];
          const handles: number[] = [];
          let now = 0;
          let sawLadder = false;
          for (const [op, dt, src] of ops) {
            if (op <= 4 || handles.length === 0) {
              const key: Key = [now + dt, src, seq[src]++];
              const h = q.push(key[0], key[1], key[2], 1, 0, 0, 0);
              live.set(h, key);
              handles.push(h);
            } else if (op === 5) {
              const h = handles.splice(dt % handles.length, 1)[0];
              q.remove(h);
              live.delete(h);
            } else if (op === 6) {
              const h = handles[dt % handles.length];
              const old = live.get(h) as Key;
              const key: Key = [now + dt, old[1], seq[old[1]]++];
              q.reschedule(h, key[0], key[2], 0);
              live.set(h, key);
            } else {
              const first = [...live.values()].sort(order)[0];
              expect(q.peekTime()).toBe(first[0]);
              expect(q.pop()).toBe(true);
              expect([q.t, q.srcId, q.seqNo]).toEqual(first);
              now = q.t;
              live.delete(q.slot);
              handles.splice(handles.indexOf(q.slot), 1);
            }
            sawLadder ||= q.laddered > 0;
            expect(q.size).toBe(live.size);
          }
          const rest: Key[] = [];
          while (q.pop()) rest.push([q.t, q.srcId, q.seqNo]);
          expect(rest).toEqual([...live.values()].sort(order));
          // A run of pushes past the threshold over more than one time must have spilled.
          if (ops.filter((o) => o[0] <= 4).length > 3 * spillAt + 30 && spillAt <= 4) expect(sawLadder).toBe(true);
        },
      ),
      { numRuns: 300 },
    );
  });

  it('holds 10^5 pending events in the ladder and pops them in order (the default threshold)', () => {
    const q = new EventQueue(1024);
    let x = 1;
    const rnd = () => {
      x = (Math.imul(x, 1103515245) + 12345) >>> 0;
      return x / 2 ** 32;
    };
    const N = 100_000;
    for (let i = 0; i < N; i++) q.push(Math.floor(rnd() * 1e7), i % 97, i, 1, i, 0, 0);
    expect(q.laddered).toBeGreaterThan(N - 5000);
    // A hold model: pop the earliest, push a successor later by an exponential gap.
    let last = -1;
    let lastSrc = -1;
    let lastSeq = -1;
    let outOfOrder = 0;
    for (let i = 0; i < 2 * N; i++) {
      if (!q.pop()) break;
      if (!(q.t > last || (q.t === last && (q.srcId > lastSrc || (q.srcId === lastSrc && q.seqNo > lastSeq)))))
        outOfOrder++;
      last = q.t;
      lastSrc = q.srcId;
      lastSeq = q.seqNo;
      q.push(q.t + Math.floor(-Math.log(1 - rnd()) * 1e7), i % 97, N + i, 1, 0, 0, 0);
    }
    expect(outOfOrder).toBe(0);
    expect(q.size).toBe(N);
    expect(q.laddered).toBeGreaterThan(N - 5000);
  });
});
