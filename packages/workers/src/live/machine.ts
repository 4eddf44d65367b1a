// The machine's state during a live run, stated next to its figures: live mode measures this machine's cores, and on
// a shared machine another process holding a core is the largest error there is (docs/live.md). Busy cores come from
// the kernel's per-CPU times (os.cpus(), 10 ms ticks), this run's own share from process.cpuUsage() (all its threads).

import { cpus, loadavg } from 'node:os';

/** This machine's load while a live run measured (docs/live.md): live figures are only as good as the idle cores. */
export interface MachineLoad {
  /** Logical cores. */
  cores: number;
  /** 1-minute load average when the measurement started and when it ended. */
  loadAverage1m: { start: number; end: number };
  /** Cores busy on average over the measurement, all processes; this run's share; the rest (other processes). */
  busyCores: number;
  /** Cores this run kept busy on average. */
  runCores: number;
  /** Cores other processes kept busy on average. */
  otherCores: number;
}

const busyTotal = (): { busy: number; total: number } => {
  let busy = 0;
  let total = 0;
  for (const c of cpus()) {
    const t = c.times;
    busy += t.user + t.nice + t.sys + t.irq;
    total += t.user + t.nice + t.sys + t.irq + t.idle;
  }
  return { busy, total };
};

const r2 = (x: number) => Math.round(x * 100) / 100;

export function machineSampler(): { start(): void; end(): MachineLoad } {
  let la = 0;
  let bt = busyTotal();
  let cu = process.cpuUsage();
  let t = performance.now();
  return {
    start() {
      la = loadavg()[0];
      bt = busyTotal();
      cu = process.cpuUsage();
      t = performance.now();
    },
    end() {
      const n = cpus().length;
      const b = busyTotal();
      const u = process.cpuUsage(cu);
      const wallMs = Math.max(1e-3, performance.now() - t);
      const dTotal = b.total - bt.total;
      const busyCores = dTotal > 0 ? ((b.busy - bt.busy) / dTotal) * n : 0;
      const runCores = (u.user + u.system) / 1000 / wallMs;
      return {
        cores: n,
        loadAverage1m: { start: r2(la), end: r2(loadavg()[0]) },
        busyCores: r2(busyCores),
        runCores: r2(runCores),
        otherCores: r2(Math.max(0, busyCores - runCores)),
      };
    },
  };
}
