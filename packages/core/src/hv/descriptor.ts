// What a scheme family declares about itself (DESIGN §19.8): its ids, architecture, the cost keys it reads
// (grouped into cost families, each key in exactly one family), the exit reasons it adds to the shared vocabulary
// and the per-vCPU state it uses. Descriptors are data: a `*.desc.ts` file imports nothing at run time (only
// types), so the scenario schema, the cost table and the exit-reason vocabulary can be derived from them without
// importing any scheme code (hv/descriptors.ts is the list; hv/registry.ts maps each id to its factory).

import type { ArenaRegion } from '../mem/vcpu-block.ts';

export type Arch = 'x86' | 'arm';

/** A group of cost keys read together, with the meaning of each (docs/SCENARIOS.md, `costs.overrides`). */
export interface CostFamily<K extends string = string> {
  readonly id: string;
  readonly meanings: Readonly<Record<K, string>>;
}

/** The keys of a cost family, as a union type. */
export type FamilyKeys<F> = F extends CostFamily<infer K> ? K : never;

/** Builds a cost family; the meanings' keys are its cost keys (literal types, so CostName is a union). */
export function costFamily<const K extends string>(id: string, meanings: Record<K, string>): CostFamily<K> {
  return { id, meanings };
}

/**
 * One conservation law of a counter group (DESIGN §15): the sum of the `lhs` counters equals (`=`) or is at most
 * (`<=`) the sum of the `rhs` counters at the end of every run. Counter names are the group's own (no prefix).
 */
export interface CounterInvariant {
  readonly name: string;
  readonly lhs: readonly string[];
  readonly rel: '=' | '<=';
  readonly rhs: readonly string[];
}

/**
 * A group of overcommit/blocking counters a scheme owns (results' `blocking.<group>`, DESIGN §15): one integer slot
 * each in the engine's counters (so shards add exactly), counted through the host's `countBlocking`. The meanings'
 * keys are the counter names; `<group>.<name>` is the slot name (model/blocking-slots.ts appends them).
 */
export interface CounterGroup<G extends string = string, K extends string = string> {
  readonly group: G;
  readonly meanings: Readonly<Record<K, string>>;
  readonly invariants: readonly CounterInvariant[];
}

/** Builds a counter group; the meanings' keys are its counter names (literal types, so slot names are a union). */
export function counterGroup<const G extends string, const K extends string>(
  group: G,
  meanings: Record<K, string>,
  invariants: readonly { name: string; lhs: readonly NoInfer<K>[]; rel: '=' | '<='; rhs: readonly NoInfer<K>[] }[],
): CounterGroup<G, K> {
  return { group, meanings, invariants };
}

/**
 * Architectural state a scheme uses per vCPU: the regions of the vCPU's arena block (mem/vcpu-block.ts) it reads or
 * writes, and the words of scheme-private per-vCPU state it allocates itself (typed arrays indexed by vCPU).
 */
export interface VcpuStateDecl {
  /** The arena regions it reads or writes: a run's vCPU blocks hold the union of its schemes' (DESIGN §19.12). */
  readonly arena: readonly ArenaRegion[];
  /** Scheme-private per-vCPU arrays the scheme allocates itself (names, for the reader). */
  readonly private: readonly string[];
}

/**
 * One option a scheme declares (`schemeOptions.<id>.<name>` of a scenario, DESIGN §19.12): its type, its default and
 * its meaning (the scenario reference). scenario/scheme-options.ts derives the schema from these; the scheme's factory
 * receives the validated values (SchemeConfig, hv/descriptors.ts; hv/registry.ts).
 */
export type SchemeOptionDecl =
  | { readonly type: 'boolean'; readonly default: boolean; readonly meaning: string }
  | {
      readonly type: 'enum';
      readonly values: readonly [string, ...string[]];
      readonly default: string;
      readonly meaning: string;
    };

export interface SchemeDescriptor {
  readonly id: string;
  /** False only for bare-metal: no root mode, every vCPU a physical CPU (the run's topology pins them 1:1). */
  readonly virtualized: boolean;
  /** Architectures the scheme runs on (the scenario's `arch` must be one of them). */
  readonly arch: readonly Arch[];
  /** One line for `ivsim` listings and the scenario reference. */
  readonly summary: string;
  /** The cost families it reads, per architecture it runs on (validation checks each key is in the preset). */
  readonly reads: Readonly<Partial<Record<Arch, readonly CostFamily[]>>>;
  /** Its own cost families (defined beside it; a family belongs to exactly one descriptor file). */
  readonly owns: readonly CostFamily[];
  /** Exit reasons it adds to the shared vocabulary (model/vocabulary.ts appends them, in registry order). */
  readonly exitReasons: readonly string[];
  /** Its own blocking-counter groups (model/blocking-slots.ts appends their slots, in registry order). */
  readonly counters: readonly CounterGroup[];
  readonly vcpuState: VcpuStateDecl;
  /** The options a scenario may set for it (`schemeOptions.<id>`), by name; empty when it has none. */
  readonly options: Readonly<Record<string, SchemeOptionDecl>>;
  /**
   * Present when a VM of this scheme must never span shards, saying why: a guest path reads another vCPU's state at
   * the instant it runs (AVIC's IPI write reads the target's IsRunning), which a shard cannot see for a vCPU another
   * shard runs inside the same window. The partitioner keeps such VMs whole whatever `engine.partition` asks
   * (DESIGN §10); everything else reaches another vCPU through a sent event of at least the lookahead.
   */
  readonly wholeVms?: string;
}
