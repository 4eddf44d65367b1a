// The resource guard's memory figures against what the 10^6-vCPU fleet measured (DESIGN §19.10: 5.92 GiB peak RSS on
// 2 shards, a 1.7 GB shared arena, so ≈ 1.45 GiB per thread for the main thread and the two shards).

import { BUILTIN_SCENARIOS, estimateRun, type ScenarioInput, validateScenario } from '@ivsim/core';
import { describe, expect, it } from 'vitest';
import { checkResources } from '../src/guard.ts';

const GiB = 2 ** 30;

/** fleet scaled to 62,500 VMs × 16 vCPUs on 4,096 pCPUs, 100 µs: the run of §19.10. */
function fleet1m(): ScenarioInput {
  const f = structuredClone(BUILTIN_SCENARIOS.fleet);
  return { ...f, duration: 100_000, host: { ...f.host, pcpus: 4096 }, vms: [{ ...f.vms[0], count: 62_500 }] };
}

describe('resource guard: memory', () => {
  const s = validateScenario(fleet1m());
  const est = estimateRun(s, 3);

  it('errs high, but within 2×, of the measured 10^6-vCPU fleet', () => {
    expect(est.vcpus).toBe(1_000_000);
    expect(est.sharedBytes).toBeGreaterThanOrEqual(1.7e9);
    expect(est.sharedBytes).toBeLessThan(2 * 1.7e9);
    expect(est.bytesPerEngine).toBeGreaterThanOrEqual(1.45 * GiB);
    expect(est.bytesPerEngine).toBeLessThan(2 * 1.45 * GiB);
  });

  it('lets that fleet run on the machine it ran on (4 GiB heap per thread, 23 GiB RAM) without --force', () => {
    const machine = { heapLimit: 4.05 * GiB, ram: 23 * GiB };
    expect(() => checkResources(s, { runs: 3, shards: 2, cores: 2, force: false, machine })).not.toThrow();
  });

  it('refuses it where a thread’s heap cannot hold it, naming the VM count, unless forced', () => {
    const machine = { heapLimit: 2 * GiB, ram: 23 * GiB };
    expect(() => checkResources(s, { runs: 3, shards: 2, cores: 2, force: false, machine })).toThrow(
      /^scenario\.vms\[0\]\.count: 1000000 vCPUs need ≈ 2\.\d GiB of heap per thread \(\d+\.\d GiB in all with 2 shards and the 1\.9 GiB shared arena\), more than this machine has/,
    );
    expect(() => checkResources(s, { runs: 3, shards: 2, cores: 2, force: true, machine })).not.toThrow();
  });

  it('counts the shared arena once and every thread’s heap against the RAM', () => {
    const small = { heapLimit: 4.05 * GiB, ram: 8 * GiB }; // 1.9 + 3 × 2.2 GiB > ¾ of 8
    expect(() => checkResources(s, { runs: 3, shards: 2, cores: 2, force: false, machine: small })).toThrow(
      /in all with 2 shards/,
    );
  });
});

describe('resource guard: one shared arena per scheme lane', () => {
  const s = validateScenario(fleet1m());
  const est = estimateRun(s, 3);
  // RAM where one arena and three threads' heaps fit in ¾ of it, but not a second arena.
  const ram = (est.sharedBytes * 1.5 + est.bytesPerEngine * 3) / 0.75;
  const machine = { heapLimit: 4.05 * GiB, ram };

  it('counts every lane’s arena when the lanes are planned, and names them', () => {
    expect(() =>
      checkResources(s, { runs: 3, shards: 2, cores: 2, force: false, machine, arenas: () => 1 }),
    ).not.toThrow();
    expect(() => checkResources(s, { runs: 3, shards: 2, cores: 2, force: false, machine, arenas: () => 2 })).toThrow(
      /in all with 2 shards and 2 shared arenas of 1\.\d GiB, one per scheme lane\), more than this machine has/,
    );
  });

  it('plans the lanes only when the most arenas the run could hold would not fit', () => {
    let asked = 0;
    const arenas = () => {
      asked++;
      return 2;
    };
    const roomy = { heapLimit: 4.05 * GiB, ram: 64 * GiB };
    expect(() =>
      checkResources(s, { runs: 3, shards: 2, cores: 2, force: false, machine: roomy, arenas }),
    ).not.toThrow();
    expect(asked).toBe(0);
    expect(() => checkResources(s, { runs: 3, shards: 2, cores: 2, force: false, machine, arenas })).toThrow();
    expect(asked).toBe(1);
    // One shard or one scheme run: never more than one arena, nothing to plan.
    expect(() => checkResources(s, { runs: 1, shards: 2, cores: 2, force: false, machine, arenas })).not.toThrow();
    expect(asked).toBe(1);
  });
});
