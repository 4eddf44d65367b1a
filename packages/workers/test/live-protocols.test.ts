// Live mode's structure layouts are the model's: the posted-interrupt descriptor words of pi-desc.ts and the
// ICH_LR encodings of lr-v3.ts / lr-fields.ts (pure, single-threaded checks of the Atomics protocol steps).

import { describe, expect, it } from 'vitest';
import * as lf from '../../core/src/arch/arm/lr-fields.ts';
import {
  decodeIchLr,
  ICH_LR_HI_GROUP,
  ICH_LR_HI_PRIORITY_SHIFT,
  ICH_LR_HI_STATE_SHIFT,
  ichLrPackHi,
} from '../../core/src/arch/arm/lr-v3.ts';
import {
  POSTED_INTR_VECTOR,
  POSTED_INTR_WAKEUP_VECTOR,
  piHasPending,
  piNv,
  piTestOn,
} from '../../core/src/arch/x86/pi-desc.ts';
import * as lr from '../src/live/lr-live.ts';
import * as pi from '../src/live/pi-live.ts';

describe('live PI descriptor = pi-desc.ts layout', () => {
  it('post sets PIR and ON with NV; a second post coalesces; harvest clears ON then PIR', () => {
    const m = new Int32Array(new SharedArrayBuffer(64 * 4));
    pi.piLiveReset(m, 0, 3);
    const view = new Uint32Array(m.buffer, 0, 16);
    expect(piNv(view)).toBe(POSTED_INTR_VECTOR);
    expect(pi.piLivePost(m, 0, 0x41, pi.POST_OK, 0)).toBe(POSTED_INTR_VECTOR);
    expect(piTestOn(view)).toBe(true);
    expect(view[0x41 >>> 5] >>> (0x41 & 31)).toBe(1);
    expect(pi.pirTest(m, 0, 0x41)).toBe(true);
    expect(pi.piLivePost(m, 0, 0xfb, pi.POST_OK, 0)).toBe(pi.NO_NOTIFY); // ON outstanding
    const out = new Int32Array(8);
    expect(pi.piLiveHarvest(m, 0, out, pi.HARVEST_OK, 0)).toBe(2);
    expect(piHasPending(view)).toBe(false);
    expect(out[2] >>> 1).toBe(1);
    expect(out[7] >>> 27).toBe(1);
  });

  it('a harvest with a word mask reads and clears only those PIR words', () => {
    const m = new Int32Array(new SharedArrayBuffer(64 * 4));
    pi.piLiveReset(m, 0, 0);
    pi.piLivePost(m, 0, 0x41, pi.POST_OK, 0); // word 2
    pi.piLivePost(m, 0, 0xfb, pi.POST_OK, 0); // word 7
    const out = new Int32Array(8).fill(-1);
    expect(pi.piLiveHarvest(m, 0, out, pi.HARVEST_OK, 0, 1 << 2)).toBe(1);
    expect([...out]).toEqual([0, 0, 2, 0, 0, 0, 0, 0]);
    expect(pi.pirTest(m, 0, 0xfb)).toBe(true); // outside the mask: left in the PIR
    expect(pi.pirTest(m, 0, 0x41)).toBe(false);
  });

  it('NV switches keep ON/SN; SN suppresses the notification', () => {
    const m = new Int32Array(new SharedArrayBuffer(64 * 4));
    pi.piLiveReset(m, 0, 0);
    pi.piLiveSetNv(m, 0, POSTED_INTR_WAKEUP_VECTOR);
    expect(pi.piLivePost(m, 0, 0x30, pi.POST_OK, 0)).toBe(POSTED_INTR_WAKEUP_VECTOR);
    pi.piLiveSetNv(m, 0, POSTED_INTR_VECTOR);
    expect(piTestOn(new Uint32Array(m.buffer, 0, 16))).toBe(true);
    Atomics.store(m, 8, (POSTED_INTR_VECTOR << 16) | 2); // SN
    expect(pi.piLivePost(m, 0, 0x31, pi.POST_OK, 0)).toBe(pi.NO_NOTIFY);
    expect(pi.piLiveStranded(m, 0, 0x31)).toBe(false); // SN: suppressed, not stranded
  });
});

describe('live PI deschedule / reload and priority service', () => {
  it('SN silences posts; reload clears SN and sets ON for the PIR (the broken reload does not)', () => {
    for (const variant of [pi.RELOAD_OK, pi.RELOAD_NO_PIR_CHECK]) {
      const m = new Int32Array(new SharedArrayBuffer(64 * 4));
      pi.piLiveReset(m, 0, 0);
      const view = new Uint32Array(m.buffer, 0, 16);
      pi.piLiveSetSn(m, 0, true);
      expect(pi.piLivePost(m, 0, 0x55, pi.POST_OK, 0)).toBe(pi.NO_NOTIFY);
      expect(piTestOn(view)).toBe(false);
      expect(pi.piLiveReload(m, 0, variant)).toBe(variant === pi.RELOAD_OK);
      expect(piNv(view)).toBe(POSTED_INTR_VECTOR);
      expect(pi.piLiveStranded(m, 0, 0x55)).toBe(variant !== pi.RELOAD_OK);
    }
    const m = new Int32Array(new SharedArrayBuffer(64 * 4));
    pi.piLiveReset(m, 0, 0);
    pi.piLiveSetSn(m, 0, true);
    expect(pi.piLiveReload(m, 0, pi.RELOAD_OK)).toBe(false); // empty PIR: no self-notification
  });

  it('the harvested vIRR is serviced highest vector first', () => {
    const m = new Int32Array(new SharedArrayBuffer(64 * 4));
    pi.piLiveReset(m, 0, 0);
    for (const v of [0x30, 0xff, 0x81, 0x3f, 0x20, 0xe0]) pi.piLivePost(m, 0, v, pi.POST_OK, 0);
    const out = new Int32Array(8);
    pi.piLiveHarvest(m, 0, out, pi.HARVEST_OK, 0);
    const order: number[] = [];
    for (let v = pi.piLiveNextVector(out); v >= 0; v = pi.piLiveNextVector(out)) order.push(v);
    expect(order).toEqual([0xff, 0xe0, 0x81, 0x3f, 0x30, 0x20]);
  });
});

describe('live ICH_LR = lr-v3.ts encoding', () => {
  it('names and the hi word match the codec', () => {
    expect([lr.LR_INVALID, lr.LR_PENDING, lr.LR_ACTIVE, lr.LR_PENDING_ACTIVE]).toEqual([
      lf.LR_INVALID,
      lf.LR_PENDING,
      lf.LR_ACTIVE,
      lf.LR_PENDING_ACTIVE,
    ]);
    expect([lr.ICH_LR_HI_GROUP, lr.ICH_LR_HI_PRIORITY_SHIFT, lr.ICH_LR_HI_STATE_SHIFT]).toEqual([
      ICH_LR_HI_GROUP,
      ICH_LR_HI_PRIORITY_SHIFT,
      ICH_LR_HI_STATE_SHIFT,
    ]);
    for (const st of [0, 1, 2, 3])
      expect(lr.lrLiveHi(st, 0xa0) >>> 0).toBe(ichLrPackHi(st, 0xa0, 1, false, 0, false, false));
  });

  it('inject → ack → second instance → EOI → ack → EOI walks the LR state machine', () => {
    const m = new Int32Array(new SharedArrayBuffer(16 * 4));
    const st = new Float64Array(4);
    const out = new Float64Array(1);
    const dec = (n: number) => decodeIchLr(m[2 * n] >>> 0, m[2 * n + 1] >>> 0);
    expect(lr.lrLiveInject(m, 0, 2, 8192, 0xa0, st, 0, 5)).toBe(lr.INJECT_NEW);
    expect(dec(0)).toMatchObject({ vintid: 8192, state: lf.LR_PENDING, group: 1, priority: 0xa0, hw: false });
    expect(lr.lrLiveInject(m, 0, 2, 8192, 0xa0, st, 0, 6)).toBe(lr.INJECT_COALESCED);
    expect(lr.lrLiveAck(m, 0, 2, st, 0, out)).toBe(0);
    expect(out[0]).toBe(5);
    expect(dec(0).state).toBe(lf.LR_ACTIVE);
    expect(lr.lrLiveInject(m, 0, 2, 8192, 0xa0, st, 0, 7)).toBe(lr.INJECT_SECOND);
    expect(dec(0).state).toBe(lf.LR_PENDING_ACTIVE);
    lr.lrLiveEoi(m, 0, 0, lr.EOI_OK, 0);
    expect(dec(0).state).toBe(lf.LR_PENDING);
    expect(lr.lrLiveAck(m, 0, 2, st, 0, out)).toBe(0);
    expect(out[0]).toBe(7);
    lr.lrLiveEoi(m, 0, 0, lr.EOI_OK, 0);
    expect(dec(0).state).toBe(lf.LR_INVALID);
    expect(lr.lrLiveInject(m, 0, 1, 1, 0xa0, st, 0, 8)).toBe(lr.INJECT_NEW);
    expect(lr.lrLiveInject(m, 0, 1, 2, 0xa0, st, 0, 8)).toBe(lr.INJECT_FULL);
  });
});
