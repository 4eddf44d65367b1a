// The composition root of a scheme run (DESIGN §19.12): the one place that turns (scenario, scheme id) into an
// engine — the topology (pinned 1:1 for a scheme that is not virtualized), the resolved costs, the scheme's options
// block, its factory (hv/registry.ts) and the Sim, with the shard view when the run is sharded. simulate(),
// traceRun(), the parallel runner and its shard task, and the tests build their engines here;
// test/run/compose-root.test.ts fails if `new Sim(` or a scheme factory is called anywhere else. It sits above
// sim/ and hv/ (it imports both) and below the runners, and imports no zod or YAML, so a shard worker can load it
// through `@ivsim/core/shard`.

import { descriptorOf, type SchemeConfig } from '../hv/descriptors.ts';
import { schemeEntry } from '../hv/registry.ts';
import { VcpuLayout } from '../mem/vcpu-block.ts';
import type { CostTable } from '../scenario/costs.ts';
import { resolveCosts } from '../scenario/resolve-costs.ts';
import type { Scenario, SchemeId } from '../scenario/schema.ts';
import { type SchemeBinding, Sim, type SimOptions } from '../sim/engine.ts';
import { buildTopology, type Topology } from '../sim/topology.ts';

/** What a scheme run is built from: the main thread plans shards with these, and each shard builds them again. */
export interface RunParts {
  readonly scenario: Scenario;
  readonly scheme: SchemeId;
  readonly topo: Topology;
  readonly costs: CostTable;
  /** The vCPU block: the arena regions `arenaSchemes` declare (their descriptors' `vcpuState.arena`). */
  readonly layout: VcpuLayout;
}

/** Whether `scheme` runs on the bare-metal topology (pinned 1:1: its descriptor says it is not virtualized). */
export function runsBare(scheme: SchemeId): boolean {
  return !descriptorOf(scheme).virtualized;
}

/**
 * The topology, resolved costs and vCPU block layout of running `scheme` on a validated scenario. `arenaSchemes`
 * are the schemes whose declared regions the block holds: the one scheme (default), or every scheme of a run that
 * reuses one arena for all of them (the parallel runner; its shards and snapshot reader pass the same list). `topo`,
 * when given, is the topology already built for this scenario with `runsBare(scheme)` (a topology is a pure
 * function of the two and nothing writes it, so the parallel runner and its shards build it once per run, not per
 * scheme); it is not checked.
 */
export function runParts(
  s: Scenario,
  scheme: SchemeId,
  arenaSchemes: readonly SchemeId[] = [scheme],
  topo: Topology = buildTopology(s, runsBare(scheme)),
): RunParts {
  return {
    scenario: s,
    scheme,
    topo,
    costs: resolveCosts(s),
    layout: new VcpuLayout([scheme, ...arenaSchemes].flatMap((id) => descriptorOf(id).vcpuState.arena)),
  };
}

/** The options block scheme `id` runs with: the scenario's (validated, so defaulted), or `{}` when it declares none. */
export function schemeConfig<Id extends SchemeId>(s: Scenario, id: Id): SchemeConfig<Id> {
  const blocks: Partial<Record<SchemeId, unknown>> = s.schemeOptions;
  return (blocks[id] ?? {}) as SchemeConfig<Id>;
}

function bindScheme<Id extends SchemeId>(s: Scenario, id: Id): SchemeBinding {
  const entry = schemeEntry(id);
  const config = schemeConfig(s, id);
  return {
    id,
    virtualized: descriptorOf(id).virtualized,
    noTscDeadline: entry.noTscDeadline?.(config) ?? false,
    create: (host) => entry.create(host, config),
  };
}

/** The engine of one scheme run (`opts`: a shared or given arena, the shard view of a sharded run). */
export function composeSim(parts: RunParts, opts: SimOptions = {}): Sim {
  const { scenario, topo, scheme, costs, layout } = parts;
  return new Sim(scenario, topo, bindScheme(scenario, scheme), costs, { ...opts, layout });
}

/** runParts then composeSim: the engine of `scheme` on a validated scenario. */
export function composeRun(s: Scenario, scheme: SchemeId, opts: SimOptions = {}): Sim {
  return composeSim(runParts(s, scheme), opts);
}
