// `ivsim run`: hosts the parallel runner on a control thread (comlink), shows progress — a bar on a TTY, a line with
// the ETA every few seconds otherwise — and turns SIGINT, SIGTERM and SIGHUP alike into a clean cancel: the terminal
// restored, no threads left, exit 128 + signal number within a second (DESIGN §14).

import type { Results, Scenario, SchemeId } from '@ivsim/core';
import { connectControl, type Progress, type RunOptions } from '@ivsim/workers';
import { SingleBar } from 'cli-progress';

export type ProgressMode = 'bar' | 'lines' | 'off';

export interface RunCliOptions extends RunOptions {
  progress: ProgressMode;
}

/** The run was stopped by a signal; main() exits with `code` (130 SIGINT, 143 SIGTERM, 129 SIGHUP). */
export class Interrupted extends Error {
  constructor(
    readonly signal: NodeJS.Signals,
    readonly code: number,
  ) {
    super(`interrupted (${signal}): run cancelled`);
    this.name = 'Interrupted';
  }
}

export const SIGNAL_EXIT: Partial<Record<NodeJS.Signals, number>> = { SIGINT: 130, SIGTERM: 143, SIGHUP: 129 };
/** After a signal the process is gone by then, whatever the shards are doing. */
const HARD_EXIT_MS = 900;
const PROGRESS_DELAY_MS = 1000;
const POLL_MS = 100;
/** Non-TTY progress: one line this often (IVSIM_PROGRESS_MS overrides it; tests use it). */
const LINE_MS = Number(process.env.IVSIM_PROGRESS_MS) > 0 ? Number(process.env.IVSIM_PROGRESS_MS) : 3000;

const SHOW_CURSOR = '\x1b[?25h';

function formatSec(s: number): string {
  if (!Number.isFinite(s)) return '?';
  if (s < 60) return `${Math.round(s)}s`;
  if (s < 3600) return `${Math.floor(s / 60)}m${String(Math.round(s % 60)).padStart(2, '0')}s`;
  return `${(s / 3600).toFixed(1)}h`;
}

function eta(p: Progress, elapsedSec: number): string {
  return p.fraction > 0.001 ? formatSec((elapsedSec * (1 - p.fraction)) / p.fraction) : '?';
}

export async function runWithControl(s: Scenario, opts: RunCliOptions): Promise<Results> {
  const { api, failed, close } = connectControl();
  let bar: SingleBar | null = null;
  let timer: NodeJS.Timeout | null = null;
  let interrupted: NodeJS.Signals | null = null;
  const startedAt = Date.now();
  const restoreTerminal = () => {
    try {
      (bar as SingleBar | null)?.stop();
      bar = null;
      if (opts.progress === 'bar' && process.stderr.isTTY) process.stderr.write(SHOW_CURSOR);
    } catch {
      // the terminal may be gone (SIGHUP): nothing left to restore
    }
  };
  const onSignal = (sig: NodeJS.Signals) => {
    const code = SIGNAL_EXIT[sig] ?? 1;
    if (interrupted) {
      restoreTerminal();
      process.exit(code);
    }
    interrupted = sig;
    restoreTerminal();
    api.cancel().catch(() => {});
    // The runner destroys shards that do not stop on their own; this is the last resort for everything else.
    setTimeout(() => {
      restoreTerminal();
      try {
        process.stderr.write(`error: interrupted (${sig}); stopped\n`);
      } catch {}
      process.exit(code);
    }, HARD_EXIT_MS).unref();
  };
  const signals = Object.keys(SIGNAL_EXIT) as NodeJS.Signals[];
  for (const sig of signals) process.on(sig, onSignal);
  if (opts.progress !== 'off') {
    let lastLine = startedAt;
    timer = setInterval(async () => {
      let p: Progress | null;
      try {
        p = await api.progress();
      } catch {
        return;
      }
      const now = Date.now();
      if (!p || interrupted || now - startedAt < PROGRESS_DELAY_MS) return;
      const elapsed = (now - startedAt) / 1000;
      const payload = {
        scheme: p.scheme ?? '',
        schemeNo: p.schemeIndex + 1,
        schemes: p.schemes,
        shards: p.shards,
        raised: Math.round(p.raised).toLocaleString('en-US'),
        eta: eta(p, elapsed),
      };
      if (opts.progress === 'lines') {
        if (now - lastLine < LINE_MS) return;
        lastLine = now;
        process.stderr.write(
          `progress: ${(p.fraction * 100).toFixed(1)}% | ${payload.scheme} (${payload.schemeNo}/${payload.schemes}) | ` +
            `${payload.raised} interrupts in this scheme | elapsed ${formatSec(elapsed)} | ETA ${payload.eta}\n`,
        );
        return;
      }
      if (!bar) {
        bar = new SingleBar({
          format:
            ' {bar} {percentage}% | ETA {eta} | {scheme} ({schemeNo}/{schemes}) | {shards} shard(s) | {raised} interrupts so far in this scheme',
          hideCursor: true,
          stream: process.stderr,
          clearOnComplete: true,
        });
        bar.start(1000, Math.round(p.fraction * 1000), payload);
      } else bar.update(Math.round(p.fraction * 1000), payload);
    }, POLL_MS);
  }
  try {
    const { progress: _p, ...runOpts } = opts;
    const r = await Promise.race([api.start(s, runOpts), failed]);
    // A signal that came as the last shard finished still means "stop": nothing is written.
    if (interrupted) throw new Interrupted(interrupted, SIGNAL_EXIT[interrupted] ?? 1);
    return r;
  } catch (e) {
    if (e instanceof Interrupted) throw e;
    if (interrupted) throw new Interrupted(interrupted, SIGNAL_EXIT[interrupted] ?? 1);
    throw e;
  } finally {
    if (timer) clearInterval(timer);
    restoreTerminal();
    for (const sig of signals) process.off(sig, onSignal);
    await close();
  }
}

export type { SchemeId };
