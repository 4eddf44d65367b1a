// The closed-loop checker's strand verdicts (live/strand-judge.ts), on scripted interleavings of a poster's looks with
// a vCPU thread's passes: a real strand is judged after two complete passes, and an acknowledge in progress is not —
// also when the poster is descheduled between reading the state and reading the epoch.

import { describe, expect, it } from 'vitest';
import { StrandJudge } from '../dist/live/strand-judge.js';

/** One source's world: the vCPU thread's completed passes, and whether the instance looks stranded right now. */
interface World {
  epoch: number;
  stranded: boolean;
  /** Runs right after the judge has read the state (the poster descheduled there while the vCPU thread runs on). */
  afterStateRead?: () => void;
}

function judgeOf(w: World): StrandJudge {
  return new StrandJudge(
    1,
    () => w.epoch,
    () => {
      const s = w.stranded;
      const then = w.afterStateRead;
      w.afterStateRead = undefined;
      then?.();
      return s;
    },
  );
}

describe('StrandJudge', () => {
  it('a real strand: a verdict once two passes have completed since the first look, then it starts over', () => {
    const w: World = { epoch: 10, stranded: true };
    const j = judgeOf(w);
    expect(j.look(0)).toBe(false); // first look: since = 10
    w.epoch = 11;
    expect(j.look(0)).toBe(false); // one pass: an acknowledge may still be finishing
    w.epoch = 12;
    expect(j.look(0)).toBe(true);
    expect(j.look(0)).toBe(false); // judged afresh after the verdict (the recovery is a new instance)
    w.epoch = 14;
    expect(j.look(0)).toBe(true);
  });

  it('an acknowledge in progress when the poster is descheduled between its state and epoch reads is no strand', () => {
    // The vCPU thread acknowledged the instance (no longer pending) but has not yet counted it delivered.
    const w: World = { epoch: 100, stranded: true };
    const j = judgeOf(w);
    expect(j.look(0)).toBe(false); // first look: since = 100
    // The next look reads the state just before the delivery is counted; the poster is then descheduled while the
    // vCPU thread counts it and completes two more passes.
    w.afterStateRead = () => {
      w.stranded = false;
      w.epoch = 102;
    };
    expect(j.look(0)).toBe(false);
    expect(j.look(0)).toBe(false); // the delivery is seen
    w.epoch = 200;
    expect(j.look(0)).toBe(false);
  });

  it('a first look whose epoch is read after many passes does not shorten the wait', () => {
    // The state is read in pass 51 (the acknowledge in progress); the poster reads the epoch only after pass 60.
    const w: World = { epoch: 50, stranded: true };
    w.afterStateRead = () => {
      w.epoch = 60;
    };
    const j = judgeOf(w);
    expect(j.look(0)).toBe(false); // since = 60, not 50
    w.epoch = 61;
    expect(j.look(0)).toBe(false);
    w.epoch = 62;
    expect(j.look(0)).toBe(true);
  });

  it('a look that finds the instance delivered or pending forgets the earlier ones; sources are judged apart', () => {
    const w: World = { epoch: 0, stranded: true };
    const j = judgeOf(w);
    expect(j.look(0)).toBe(false);
    w.stranded = false;
    w.epoch = 5;
    expect(j.look(0)).toBe(false);
    w.stranded = true;
    expect(j.look(0)).toBe(false); // since = 5 now
    w.epoch = 6;
    expect(j.look(0)).toBe(false);
    j.reset(0); // a new instance
    w.epoch = 7;
    expect(j.look(0)).toBe(false);
    w.epoch = 9;
    expect(j.look(0)).toBe(true);
  });
});
