// NMI blocking and the one-deep pending latch (KUT:apic.c test_pending_nmi; arch/x86/nmi.ts).

import { describe, expect, it } from 'vitest';
import { NMI_DROPPED, NMI_LATCHED, newNmiState, nmiIret, nmiRaise, nmiTake } from '../../src/arch/x86/nmi.ts';

describe('x86 NMI latch (X- rules)', () => {
  it.each([
    { burst: 0, after: 0 },
    { burst: 1, after: 1 },
    { burst: 2, after: 1 },
    { burst: 10, after: 1 },
  ])('X-24 $burst NMIs during an NMI handler → $after more delivered after IRET', ({ burst, after }) => {
    const s = newNmiState();
    nmiRaise(s);
    expect(nmiTake(s)).toBe(true); // handler running, NMIs blocked
    const results = Array.from({ length: burst }, () => nmiRaise(s));
    expect(results.filter((r) => r === NMI_LATCHED).length).toBe(Math.min(burst, 1));
    expect(results.filter((r) => r === NMI_DROPPED).length).toBe(Math.max(burst - 1, 0));
    expect(nmiTake(s)).toBe(false); // blocked until IRET
    let delivered = 0;
    for (let i = 0; i < 20; i++) {
      nmiIret(s);
      if (nmiTake(s)) delivered++;
    }
    expect(delivered).toBe(after);
  });

  it('X-24 with NMIs unblocked one can be taken and one more latched behind it', () => {
    const s = newNmiState();
    expect([nmiRaise(s), nmiRaise(s), nmiRaise(s)]).toEqual([NMI_LATCHED, NMI_LATCHED, NMI_DROPPED]);
    expect(nmiTake(s)).toBe(true);
    nmiIret(s);
    expect(nmiTake(s)).toBe(true);
    nmiIret(s);
    expect(nmiTake(s)).toBe(false);
  });
});
