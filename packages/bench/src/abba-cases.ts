// The cases of the cross-commit ABBA bench (abba.ts). A case is a scenario plus how it runs: shards 0 = simulate() on
// the calling thread, n > 0 = ParallelRun with n worker threads. Scenarios are built from the checkout under test's
// own BUILTIN_SCENARIOS and COST_NAMES, so every commit runs its own version of the same workload.

export interface BenchCase {
  scenario: Record<string, unknown> & { duration: number };
  shards: number;
}

/** Case names and what they run (the first part names the scenario, a `/N` suffix the shard count). */
export const BENCH_CASES: Record<string, string> = {
  'x86-compare': 'x86-compare through simulate() on one thread',
  'arm-compare': 'arm-compare through simulate() on one thread',
  'bare-queue':
    'one vector, Poisson 100 K/s, exponential 5 µs handler, bare metal, every cost 0, no host timer, simulate()',
  'fleet/1': 'fleet (1,024 vCPUs) through ParallelRun on 1 shard',
  'fleet/2': 'fleet (1,024 vCPUs) through ParallelRun on 2 shards',
  'fleet-100k/2': 'fleet scaled to 10^5 vCPUs (6,250 VMs × 16 on 4,096 pCPUs) through ParallelRun on 2 shards',
  'big-vm/1': 'big-vm (one 64-vCPU IPI-heavy VM) through ParallelRun on 1 shard',
  'big-vm/2':
    'big-vm through ParallelRun on 2 shards, default partition (the VM whole, its schemes in two lanes of one shard)',
  'big-vm-split/2': 'big-vm through ParallelRun on 2 shards with engine.partition = split (the VM halved)',
  'fleet-1m/2':
    'fleet scaled to 10^6 vCPUs (62,500 VMs × 16 on 4,096 pCPUs) through ParallelRun on 2 shards (needs MAX_TOTAL_VCPUS ≥ 10^6)',
};

/** fleet with `count` VMs of 16 vCPUs on the most pCPUs a scenario may have. */
function bigFleet(fleet: Record<string, unknown>, count: number): Record<string, unknown> {
  const vms = fleet.vms as Record<string, unknown>[];
  const host = fleet.host as Record<string, unknown>;
  return { ...fleet, host: { ...host, pcpus: 4096 }, vms: [{ ...vms[0], count }] };
}

/** The simplest queue: one bare-metal CPU, one Poisson device, exponential handler, zero delivery costs. */
function bareQueue(costNames: readonly string[]): Record<string, unknown> {
  return {
    name: 'bare-queue',
    arch: 'x86',
    schemes: ['bare-metal'],
    seed: 1,
    cpu: { freqGHz: 2.1 },
    costs: { preset: 'default', overrides: Object.fromEntries(costNames.map((n) => [n, 0])) },
    host: { pcpus: 1, timerHz: 0 },
    vms: [{ name: 'm', vcpus: 1, pin: [0], guest: { handler: { dist: 'exponential', mean: '5us' } } }],
    devices: [{ name: 'q', vm: 'm', vector: 0x41, arrival: { process: 'poisson', rate: 100_000 } }],
  };
}

export function benchCase(
  name: string,
  durationNs: number,
  builtins: Record<string, Record<string, unknown>>,
  costNames: readonly string[],
): BenchCase {
  const [base, sh] = name.split('/');
  const shards = sh === undefined ? 0 : Number(sh);
  const s =
    base === 'bare-queue'
      ? bareQueue(costNames)
      : base === 'fleet-100k'
        ? bigFleet(builtins.fleet, 6250)
        : base === 'big-vm-split'
          ? { ...builtins['big-vm'], engine: { partition: 'split' } }
          : base === 'fleet-1m'
            ? bigFleet(builtins.fleet, 62_500)
            : builtins[base];
  if (!s || !(name in BENCH_CASES))
    throw new Error(`unknown case "${name}" (known: ${Object.keys(BENCH_CASES).join(', ')})`);
  return { scenario: { ...s, duration: durationNs }, shards };
}
