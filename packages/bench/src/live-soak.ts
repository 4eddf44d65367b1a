#!/usr/bin/env node
// Live-mode soak (not part of CI; `pnpm live:soak`): `node packages/bench/dist/live-soak.js [posts] [scenario]
// [--churn=US] [--paced=K | --max] [--closed]` runs the scenario's structure live, saturated (posters post back to
// back), with SN/NV churn (vCPUs descheduled with SN = 1 and reloaded, vCPU threads blocking with NV = wake-up vector,
// every ~US µs; default 20, 0 = off), until at least `posts` interrupts (default 10^8) have been posted, then audits
// every structure: exit 0 only if raised = delivered + coalesced + pending with nothing lost, stranded or duplicated
// and no checker verdict. --paced=K follows the scenario's arrival processes at K × their rates instead of
// saturating (fewer posts coalesce, so far more distinct deliveries are checked); --max raises each source again as
// soon as its previous instance was taken (drive max: nothing coalesces, every post is a delivery to audit);
// --closed runs the checker's closed loop (one outstanding instance per source; far slower).

import { BUILTIN_SCENARIOS } from '@ivsim/core';
import { LiveRun } from '@ivsim/workers';

async function main(): Promise<number> {
  const args = process.argv.slice(2).filter((a) => !a.startsWith('--'));
  const closedLoop = process.argv.includes('--closed');
  const churnArg = process.argv.find((a) => a.startsWith('--churn='));
  const churnUs = churnArg ? Number(churnArg.slice('--churn='.length)) : 20;
  const pacedArg = process.argv.find((a) => a.startsWith('--paced='));
  const rateScale = pacedArg ? Number(pacedArg.slice('--paced='.length)) : 0;
  // --max: drive max (one in flight per source: every post sets a PIR bit, so every post is a distinct delivery).
  const max = process.argv.includes('--max');
  const target = Number(args[0] ?? 1e8);
  const name = args[1] ?? 'x86-compare';
  const s = BUILTIN_SCENARIOS[name];
  if (!s || !(target > 0) || !(churnUs >= 0) || !(rateScale >= 0)) {
    console.error(
      `usage: live-soak [posts] [${Object.keys(BUILTIN_SCENARIOS).join('|')}] [--churn=US] [--paced=K | --max] [--closed]`,
    );
    return 2;
  }
  const run: LiveRun = new LiveRun(s, {
    seconds: 3600,
    drive: rateScale > 0 ? 'paced' : max ? 'max' : 'saturate',
    rateScale: rateScale > 0 ? rateScale : 1,
    closedLoop,
    baseline: false,
    churnUs,
    progressMs: 250,
    onProgress: (p) => {
      process.stderr.write(
        `\rsoak ${p.elapsedSeconds.toFixed(1)}s ${(p.raised / 1e6).toFixed(1)}M posts ${(p.delivered / 1e6).toFixed(1)}M delivered`,
      );
      if (p.raised >= target) run.stop('posts');
    },
  });
  // Ctrl-C / SIGTERM (or a time-out) end the soak early and still print and audit what ran (exit 1: target not met).
  for (const sig of ['SIGINT', 'SIGTERM'] as const) process.on(sig, () => run.stop(sig));
  const r = await run.run();
  process.stderr.write('\n');
  const x = r.schemes[0];
  const v = x.live.violations;
  console.log(
    JSON.stringify(
      {
        scenario: r.scenario,
        structure: x.live.structure,
        churnUs,
        stoppedBy: r.live.stoppedBy,
        mode: closedLoop
          ? 'closed loop'
          : rateScale > 0
            ? `paced ×${rateScale}`
            : max
              ? 'max (one in flight per source)'
              : 'saturated',
        wallSeconds: x.live.wallSeconds,
        threads: r.engine.threads,
        posts: x.interrupts.raised,
        delivered: x.interrupts.delivered,
        coalesced: x.interrupts.coalesced,
        pending: x.interrupts.pending,
        lost: v.lost,
        stranded: v.stranded,
        duplicated: v.duplicated,
        verdicts: v.verdicts,
        postsPerSecond: x.live.raisedPerSecond,
        deliveredPerSecond: x.live.deliveredPerSecond,
        snToggles: x.live.snToggles,
        blocks: x.live.blocks,
        wakeups: x.live.wakeups,
        auditOk: x.conservation.ok,
        deliveryNs: x.latencyNs.delivery,
      },
      null,
      2,
    ),
  );
  return x.conservation.ok && x.interrupts.raised >= target ? 0 : 1;
}

main().then((c) => process.exit(c));
