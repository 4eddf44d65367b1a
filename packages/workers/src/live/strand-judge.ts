// The closed-loop checker's strand verdicts (live mode, docs/live.md): an instance a poster raised is stranded when
// nothing will ever deliver it — not delivered, and not where the vCPU thread would find it (PI: a PIR bit with
// ON = SN = 0; LR: in no list register and not queued). A look at the structure cannot tell a strand from an
// acknowledge or a harvest the vCPU thread is in the middle of, so a verdict needs two looks with two complete poll
// passes of that thread between them, counted by its epoch (passes completed, stored after each pass).
//
// The order of the reads is what makes the verdict sound. The first look reads the state, then the epoch e0: the
// pass the vCPU thread was in while the state was read is at most e0 + 1. The deciding look reads the epoch e1
// first, then the state: if e1 ≥ e0 + 2, that pass had finished — its delivered count stored before its epoch, so
// visible here — before the state was read. Reading the epoch after the state on the deciding look (as the checker
// first did) let a look whose state read came just before a delivery and whose epoch read came two passes after it
// give a false verdict when the poster thread was descheduled between the two reads (8 of 570 runs of the 0.4 s
// closed-loop ARM test on an idle 2-core machine; its recovery then delivered the instance twice).

/**
 * Strand verdicts for `n` sources. `epoch(i)` reads (Atomics.load) the epoch of source i's vCPU thread;
 * `stranded(i)` reads source i's delivered count and structure and says whether its instance looks stranded. Both
 * are made once, so a look allocates nothing.
 */
export class StrandJudge {
  /** Per source: the epoch read after the first look that found it stranded, or -1. */
  private readonly since: Float64Array;

  constructor(
    n: number,
    private readonly epoch: (i: number) => number,
    private readonly stranded: (i: number) => boolean,
  ) {
    this.since = new Float64Array(n).fill(-1);
  }

  /** Source i has a new instance in flight: no look so far counts for it. */
  reset(i: number): void {
    this.since[i] = -1;
  }

  /** One look at source i; true is a verdict (it then starts over, so a recovered instance is judged afresh). */
  look(i: number): boolean {
    const before = this.epoch(i);
    if (!this.stranded(i)) {
      this.since[i] = -1;
      return false;
    }
    const e0 = this.since[i];
    if (e0 >= 0 && before >= e0 + 2) {
      this.since[i] = -1;
      return true;
    }
    if (e0 < 0) this.since[i] = this.epoch(i);
    return false;
  }
}
