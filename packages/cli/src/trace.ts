// `ivsim run --trace F.json`: Chrome/Perfetto trace-event JSON of a virtual-time window (`--trace-window start,end`).
// One process per scheme; in it a track per pCPU, per vCPU and per device queue. A vCPU's track has top-level spans
// `guest` and `exit <REASON>`, with `handler <vector>` nested in guest and the scheduling states (`halt-poll`,
// `blocked`, `runnable`, `descheduled`) nested in the exit they happened in; a pCPU's track mirrors the spans of the
// vCPU loaded on it. A flow arrow goes from each device assertion to the handler entry it led to (assertions that
// coalesced into an earlier one, or whose handler starts after the window, have none). The model runs again on the
// calling thread (core traceRun) up to the window's end: tracing needs one thread that sees every vCPU, and the
// events are the ones any sharded run has (DESIGN §4). Spans are complete events (ph X) in microseconds.

import {
  parseTimeNs,
  type Scenario,
  ScenarioError,
  type SchemeId,
  type TraceFn,
  type TraceLayout,
  traceRun,
} from '@ivsim/core';
import { schemePlan } from '@ivsim/core/internal';

export interface TraceWindow {
  startNs: number;
  endNs: number;
}

/** Default window: the first millisecond (x86-compare: ~10 k spans per scheme). */
export const DEFAULT_TRACE_WINDOW_NS = 1e6;

/** Parses `--trace-window start,end` (ns, or times with units: 0,2ms); clipped to the run's duration. */
export function parseTraceWindow(v: string | undefined, durationNs: number): TraceWindow {
  if (v === undefined) return { startNs: 0, endNs: Math.min(durationNs, DEFAULT_TRACE_WINDOW_NS) };
  const parts = v.split(',').map((x) => x.trim());
  const ns = parts.map((x) => (/^\d+(\.\d+)?$/.test(x) ? Number(x) : parseTimeNs(x)));
  if (parts.length !== 2 || ns.some((x) => x === undefined))
    throw new ScenarioError(`--trace-window: expected start,end as times (e.g. 0,2ms or 5ms,6ms), got "${v}"`);
  const [startNs, endNs] = ns as number[];
  if (!(endNs > startNs)) throw new ScenarioError(`--trace-window: the end must come after the start, got "${v}"`);
  if (startNs >= durationNs)
    throw new ScenarioError(`--trace-window: starts at or after the end of the run (${durationNs} ns), got "${v}"`);
  return { startNs, endNs: Math.min(endNs, durationNs) };
}

export interface TraceEvent {
  name: string;
  ph: 'X' | 'i' | 's' | 'f' | 'M';
  ts: number;
  pid: number;
  tid: number;
  dur?: number;
  cat?: string;
  id?: number;
  bp?: 'e';
  s?: 't';
  args?: Record<string, unknown>;
}

export interface TraceFile {
  traceEvents: TraceEvent[];
  displayTimeUnit: 'ns';
  otherData: Record<string, unknown>;
}

/** Track ids inside a scheme's process. */
const TID_PCPU = 1;
const TID_VCPU = 1000;
const TID_DEVICE = 100_000;

/** Spans that mean "this vCPU is not on its pCPU". */
const OFF_CPU = new Set(['blocked', 'runnable', 'descheduled']);

interface Span {
  name: string;
  cat: string;
  start: number;
  args?: Record<string, unknown>;
}

/** Converts one scheme's trace-hook calls into trace events (times in cycles until written). */
class SchemeTracer {
  private readonly out: TraceEvent[];
  private readonly pid: number;
  private readonly w0: number;
  private readonly w1: number;
  private readonly us: (cyc: number) => number;
  private readonly vStack: Span[][];
  private readonly vLast: Float64Array;
  private readonly pStack: { src: Span; span: Span }[][];
  private readonly pOwner: Int32Array;
  private readonly pLast: Float64Array;
  private readonly handler: Int32Array;
  private readonly label: string[];
  private readonly devLast: Float64Array;
  /** Device assertions in the window waiting for their handler entry: "vcpu:vector:raisedAt" → flow start. */
  private readonly pending = new Map<string, TraceEvent>();
  private flowId: number;
  /** Per vCPU: the flow start of the handler just entered, attached to its first piece that has a duration. */
  private readonly flowWait: (TraceEvent | null)[];

  constructor(
    readonly layout: TraceLayout,
    pid: number,
    w: TraceWindow,
    out: TraceEvent[],
    flowBase: number,
  ) {
    this.out = out;
    this.pid = pid;
    const f = layout.freqGHz;
    this.w0 = w.startNs * f;
    this.w1 = w.endNs * f;
    this.us = (cyc: number) => Math.round(cyc / f) / 1000; // ns precision
    const V = layout.vcpus.length;
    this.vStack = layout.vcpus.map(() => []);
    this.vLast = new Float64Array(V);
    this.pStack = Array.from({ length: layout.pcpus }, () => []);
    this.pOwner = new Int32Array(layout.pcpus).fill(-1);
    this.pLast = new Float64Array(layout.pcpus);
    this.handler = new Int32Array(V).fill(-1);
    this.devLast = new Float64Array(layout.queues.length).fill(-1);
    this.flowId = flowBase;
    this.flowWait = layout.vcpus.map(() => null);
    this.label = layout.vcpus.map((d) => `${d.vm}.${d.vmVcpu}`);
    this.meta();
    layout.vcpus.forEach((d, i) => {
      this.open(i, 0, d.runningAtStart ? { name: 'guest', cat: 'guest', start: 0 } : span('descheduled', 'sched', 0));
      this.mirror(i, 0);
    });
  }

  get flows(): number {
    return this.flowId;
  }

  private meta(): void {
    const { out, pid, layout } = this;
    const m = (tid: number, name: string, args: Record<string, unknown>) =>
      out.push({ name, ph: 'M', ts: 0, pid, tid, args });
    m(0, 'process_name', { name: layout.scheme });
    m(0, 'process_sort_index', { sort_index: pid });
    for (let p = 0; p < layout.pcpus; p++) {
      m(TID_PCPU + p, 'thread_name', { name: `pCPU ${p}` });
      m(TID_PCPU + p, 'thread_sort_index', { sort_index: TID_PCPU + p });
    }
    layout.vcpus.forEach((d, i) => {
      m(TID_VCPU + i, 'thread_name', { name: `vCPU ${i} (${d.vm} vCPU ${d.vmVcpu}, pCPU ${d.pcpu})` });
      m(TID_VCPU + i, 'thread_sort_index', { sort_index: TID_VCPU + i });
    });
    layout.queues.forEach((q, i) => {
      m(TID_DEVICE + i, 'thread_name', { name: `device ${q.name} → vCPU ${q.vcpu} (vector ${hex(q.vector)})` });
      m(TID_DEVICE + i, 'thread_sort_index', { sort_index: TID_DEVICE + i });
    });
  }

  /** A span [start, end) in cycles, clipped to the window; dropped when nothing of it is inside. */
  private emit(tid: number, s: Span, end: number): void {
    const a = Math.max(s.start, this.w0);
    const b = Math.min(end, this.w1);
    if (b <= a) return;
    const ts = this.us(a);
    const dur = this.us(b) - ts;
    if (dur <= 0) return;
    this.out.push({
      name: s.name,
      cat: s.cat,
      ph: 'X',
      ts,
      dur: Math.round(dur * 1000) / 1000,
      pid: this.pid,
      tid,
      args: s.args,
    });
    // A flow ends at its handler's first visible piece (an EOI exit at the handler's first instruction leaves an
    // empty first piece; the handler resumes after the entry).
    const v = tid - TID_VCPU;
    if (s.cat === 'handler' && v >= 0 && v < this.flowWait.length) {
      const start = this.flowWait[v];
      if (start !== null) {
        this.flowWait[v] = null;
        const id = ++this.flowId;
        start.id = id;
        this.out.push(start, { name: 'irq', cat: 'irq', ph: 'f', bp: 'e', id, ts, pid: this.pid, tid });
      }
    }
  }

  private inWindow(t: number): boolean {
    return t >= this.w0 && t < this.w1;
  }

  /** Closes vCPU i's spans from `level` up at t. */
  private closeFrom(i: number, level: number, t: number): void {
    const st = this.vStack[i];
    while (st.length > level) this.emit(TID_VCPU + i, st.pop() as Span, t);
  }

  private open(i: number, t: number, s: Span): void {
    s.start = t;
    this.vStack[i].push(s);
  }

  /** Makes vCPU i's pCPU track mirror its spans while it is on the pCPU (loaded: guest, exit, halt-poll). */
  private mirror(i: number, t: number): void {
    const p = this.layout.vcpus[i].pcpu;
    const tp = Math.max(t, this.pLast[p]);
    this.pLast[p] = tp;
    const st = this.vStack[i];
    const on = st.length > 0 && !st.some((s) => OFF_CPU.has(s.name));
    const ps = this.pStack[p];
    if (!on) {
      if (this.pOwner[p] === i) {
        while (ps.length > 0) this.emit(TID_PCPU + p, (ps.pop() as { span: Span }).span, tp);
        this.pOwner[p] = -1;
      }
      return;
    }
    if (this.pOwner[p] !== i) {
      // Another vCPU's spans are still open (its leaving was not traced): they end where this one starts.
      while (ps.length > 0) this.emit(TID_PCPU + p, (ps.pop() as { span: Span }).span, tp);
      this.pOwner[p] = i;
    }
    let k = 0;
    while (k < ps.length && k < st.length && ps[k].src === st[k]) k++;
    while (ps.length > k) this.emit(TID_PCPU + p, (ps.pop() as { span: Span }).span, tp);
    for (; k < st.length; k++) {
      const src = st[k];
      ps.push({ src, span: { name: `${this.label[i]} ${src.name}`, cat: src.cat, start: tp, args: src.args } });
    }
  }

  readonly hook: TraceFn = (t0, i, what, detail, aux) => {
    if (what === 'ASSERT') return this.assert(t0, detail);
    // Path steps of one vCPU in the order the engine makes them; a handler may be scheduled to start a few cycles
    // ahead, so times are kept monotone per track (a step never goes back before the previous one).
    const t = Math.max(t0, this.vLast[i]);
    this.vLast[i] = t;
    const st = this.vStack[i];
    const reasons = this.layout.exitReasons;
    switch (what) {
      case 'ENTRY':
        this.closeFrom(i, 0, t);
        this.open(i, t, { name: 'guest', cat: 'guest', start: t });
        if (this.handler[i] >= 0) this.open(i, t, handlerSpan(this.handler[i], t, true));
        break;
      case 'EXIT': {
        this.closeFrom(i, 0, t);
        const reason = reasons[detail] ?? `reason ${detail}`;
        this.open(i, t, { name: `exit ${reason}`, cat: 'exit', start: t, args: { reason } });
        break;
      }
      case 'HANDLER': {
        this.handler[i] = detail;
        const level = st.length > 0 && st[0].name === 'guest' ? 1 : 0;
        this.closeFrom(i, level, t);
        if (level === 0) this.open(i, t, { name: 'guest', cat: 'guest', start: t });
        this.open(i, t, handlerSpan(detail, t, false));
        if (aux !== undefined) this.flowEnd(i, detail, aux, t);
        break;
      }
      case 'IRET':
        this.handler[i] = -1;
        if (st.length > 1 && st[1].cat === 'handler') this.closeFrom(i, 1, t);
        break;
      case 'EOI':
        if (this.inWindow(t))
          this.out.push({
            name: `EOI ${hex(detail)}`,
            cat: 'eoi',
            ph: 'i',
            s: 't',
            ts: this.us(t),
            pid: this.pid,
            tid: TID_VCPU + i,
          });
        return;
      case 'HALT_POLL':
      case 'BLOCK':
      case 'WAKE':
      case 'PREEMPT': {
        const name =
          what === 'HALT_POLL'
            ? 'halt-poll'
            : what === 'BLOCK'
              ? 'blocked'
              : what === 'WAKE'
                ? 'runnable'
                : 'descheduled';
        // Nested in the exit (root mode) the vCPU is in; a vCPU descheduled since the start has no exit open.
        const level = st.length > 0 && st[0].cat === 'exit' ? 1 : 0;
        this.closeFrom(i, level, t);
        this.open(i, t, span(name, 'sched', t));
        break;
      }
      case 'POLL_WAKE':
        if (st.length > 1) this.closeFrom(i, 1, t);
        break;
      default:
        return;
    }
    this.mirror(i, t);
  };

  private assert(t: number, qi: number): void {
    if (!this.inWindow(t)) return;
    const q = this.layout.queues[qi];
    const ts = Math.max(this.us(t), this.devLast[qi] + 0.001);
    this.devLast[qi] = ts + 0.001;
    const name = `assert ${hex(q.vector)}`;
    this.out.push({ name, cat: 'device', ph: 'X', ts, dur: 0.001, pid: this.pid, tid: TID_DEVICE + qi });
    this.pending.set(`${q.vcpu}:${q.vector}:${t}`, {
      name: 'irq',
      cat: 'irq',
      ph: 's',
      id: 0,
      ts,
      pid: this.pid,
      tid: TID_DEVICE + qi,
    });
  }

  private flowEnd(i: number, vector: number, raisedAt: number, t: number): void {
    const key = `${i}:${vector}:${raisedAt}`;
    const start = this.pending.get(key);
    this.flowWait[i] = null; // a handler entered: an earlier one's flow (if still waiting) has no piece to end at
    if (start === undefined) return;
    this.pending.delete(key);
    if (this.inWindow(t)) this.flowWait[i] = start;
  }

  /** End of the window: every open span ends there. */
  finish(): void {
    for (let i = 0; i < this.vStack.length; i++) this.closeFrom(i, 0, this.w1);
    for (let p = 0; p < this.pStack.length; p++) {
      const ps = this.pStack[p];
      while (ps.length > 0) this.emit(TID_PCPU + p, (ps.pop() as { span: Span }).span, this.w1);
    }
  }
}

const hex = (v: number) => `0x${v.toString(16)}`;
const span = (name: string, cat: string, start: number): Span => ({ name, cat, start });
const handlerSpan = (vector: number, start: number, resumed: boolean): Span => ({
  name: `handler ${hex(vector)}`,
  cat: 'handler',
  start,
  args: resumed ? { vector: hex(vector), resumed: true } : { vector: hex(vector) },
});

/** Runs each reported scheme (bare-metal included when reported) to the window's end with the trace hook on. */
export function buildTrace(s: Scenario, only: SchemeId[] | undefined, w: TraceWindow): TraceFile {
  const { report } = schemePlan(s, only);
  const traceEvents: TraceEvent[] = [];
  let flows = 0;
  report.forEach((scheme, k) => {
    let tracer: SchemeTracer | null = null;
    traceRun(s, scheme, w.endNs, (layout) => {
      tracer = new SchemeTracer(layout, k + 1, w, traceEvents, flows);
      return tracer.hook;
    });
    const done = tracer as SchemeTracer | null;
    if (done === null) return;
    done.finish();
    flows = done.flows;
  });
  return {
    traceEvents,
    displayTimeUnit: 'ns',
    otherData: {
      scenario: s.name,
      seed: s.seed,
      windowNs: [w.startNs, w.endNs],
      note: 'virtual time; one process per scheme: pCPU, vCPU and device-queue tracks (ivsim docs/REPORTS.md)',
    },
  };
}
