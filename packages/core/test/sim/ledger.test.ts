// The pending-interrupt ledger stores five numbers per vector its VM uses (DESIGN §19.3) and any other vector in a
// private full-width table. Either way it must read back exactly what a plain 256-entry table per field would.

import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { Arena } from '../../src/mem/vcpu-block.ts';
import { ledgerSlots, ledgerStride, PendingLedger } from '../../src/sim/ledger.ts';

describe('PendingLedger', () => {
  it('sizes the arena to the widest VM and reads back like a 256-entry table for any vector', () => {
    fc.assert(
      fc.property(
        fc.uniqueArray(fc.integer({ min: 0, max: 255 }), { minLength: 1, maxLength: 8 }),
        fc.array(
          fc.tuple(fc.integer({ min: 0, max: 4 }), fc.integer({ min: 0, max: 255 }), fc.integer({ min: 0, max: 1e6 })),
          { maxLength: 200 },
        ),
        (used, ops) => {
          const kinds = new Uint8Array(256);
          for (const v of used) kinds[v] = 1;
          const { ix, slots } = ledgerSlots(kinds);
          expect(slots).toBe(used.length);
          expect(ledgerStride([{ kinds }, { kinds: new Uint8Array(256) }])).toBe(used.length);
          const arena = new Arena(2, false, undefined, slots);
          const l = new PendingLedger(arena, 1, ix);
          const ref = { pa: new Float64Array(256), pr: new Float64Array(256), aa: new Float64Array(256) };
          const ar = new Float64Array(256);
          const work = new Float64Array(256);
          for (const [op, raw, x] of ops) {
            // Mostly vectors the VM uses, sometimes any vector (the full-width fallback).
            const v = raw % 3 === 0 ? raw : used[raw % used.length];
            if (op === 0) {
              l.post(v, x, x & 1);
              ref.pa[v] = x;
              ref.pr[v] = x & 1;
            } else if (op === 1) {
              l.accept(v, x, x & 1);
              ref.aa[v] = x;
              ar[v] = x & 1;
            } else if (op === 2) {
              l.promote(v);
              ref.aa[v] = ref.pa[v];
              ar[v] = ref.pr[v];
            } else if (op === 3) {
              l.addWork(v, x);
              work[v] += x;
            } else {
              expect(l.takeWork(v)).toBe(work[v]);
              work[v] = 0;
            }
            expect([l.postedAt(v), l.postedRunning(v), l.acceptedAt(v), l.acceptedRunning(v)]).toEqual([
              ref.pa[v],
              ref.pr[v],
              ref.aa[v],
              ar[v],
            ]);
          }
          // The neighbouring block (vCPU 0) is untouched: the views do not overlap.
          expect(new PendingLedger(arena, 0, ix).acceptedAt(used[0])).toBe(0);
        },
      ),
    );
  });
});
