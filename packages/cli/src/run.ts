// `ivsim run`: hosts the parallel runner on a control thread (comlink), draws a progress bar on a TTY for runs
// longer than a second, and turns Ctrl-C into a clean cancel (no threads left behind).

import type { Results, Scenario, SchemeId } from '@ivsim/core';
import { connectControl, type RunOptions } from '@ivsim/workers';
import { SingleBar } from 'cli-progress';

export interface RunCliOptions extends RunOptions {
  progress: boolean;
}

const PROGRESS_DELAY_MS = 1000;
const POLL_MS = 100;

export async function runWithControl(s: Scenario, opts: RunCliOptions): Promise<Results> {
  const { api, close } = connectControl();
  let bar: SingleBar | null = null;
  let timer: NodeJS.Timeout | null = null;
  const onSigint = () => {
    void api.cancel();
  };
  process.once('SIGINT', onSigint);
  const startedAt = Date.now();
  if (opts.progress) {
    timer = setInterval(async () => {
      const p = await api.progress();
      if (!p || Date.now() - startedAt < PROGRESS_DELAY_MS) return;
      const payload = {
        scheme: p.scheme ?? '',
        schemeNo: p.schemeIndex + 1,
        schemes: p.schemes,
        shards: p.shards,
        raised: Math.round(p.raised).toLocaleString('en-US'),
      };
      if (!bar) {
        bar = new SingleBar({
          format:
            ' {bar} {percentage}% | {scheme} ({schemeNo}/{schemes}) | {shards} shard(s) | {raised} interrupts so far in this scheme',
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
    return await api.start(s, runOpts);
  } finally {
    if (timer) clearInterval(timer);
    (bar as SingleBar | null)?.stop();
    process.off('SIGINT', onSigint);
    await close();
  }
}

export type { SchemeId };
