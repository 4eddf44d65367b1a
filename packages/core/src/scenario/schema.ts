// The scenario schema (DESIGN §5): one zod schema for YAML and JSON files and built-ins. Validation errors name
// the path of the bad field (see load.ts). Times are numbers in ns or strings with a unit.
//
// Every field carries its meaning in `.describe()` and, where it has one, its unit in `.meta({ unit })`:
// docs/SCENARIOS.md and docs/scenario.schema.json are generated from them (reference.ts, `pnpm docs:scenarios`), and a
// test fails when either is out of date.

import { z } from 'zod';
import { AVIC_MAX_PHYSICAL_ID, X2AVIC_MAX_PHYSICAL_ID } from '../arch/x86/avic.ts';
import { ALL_SCHEME_IDS, ARM_SCHEME_IDS, familiesRead, type SchemeId, X86_SCHEME_IDS } from '../hv/descriptors.ts';
import { COST_MEANINGS } from './cost-meanings.ts';
import { COST_NAMES, type CostName } from './costs.ts';
import { PRESETS } from './presets.ts';
import { schemeOptionsSchema } from './scheme-options.ts';
import { sweepSchema } from './sweep-schema.ts';
import { parseTimeNs, TIME_PATTERN } from './units.ts';

// Bounds that keep every accepted scenario finite and exact (DESIGN §14): times up to 1e15 ns (11.6 days), so
// cycle counts stay far below 2^53; at most 2^20 vCPUs and 2^20 device queues in a run; duration × vCPUs below
// 2^53 cycles, so every sum the results use stays an exact integer (DESIGN §7); costs up to 1e12 cycles. The vCPU
// bound is memory (DESIGN §19.10): at 2^20 vCPUs the shared arena is ~0.4–1.0 GB on the
// built-ins' layouts (128–384 B of declared regions, DESIGN §19.12, + 40 B per used vector) and each thread's tables ~1 GB.
export const MAX_TIME_NS = 1e15;
export const MAX_TOTAL_VCPUS = 1 << 20;
export const MAX_TOTAL_QUEUES = 1 << 20;
export const MAX_COST_CYCLES = 1e12;
const MAX_LIST = 65_536;

// The scheme ids come from the descriptors (hv/descriptors.ts, which imports no scheme code).
export type { SchemeId };
/** Every delivery scheme id (DESIGN §1), x86 and ARM; `implementedSchemes()` lists those the engine runs. */
export const ALL_SCHEMES = ALL_SCHEME_IDS;
/** The scheme ids an `arch: x86` scenario may name (bare-metal is the reference of every comparison). */
export const X86_SCHEMES = X86_SCHEME_IDS;
/** The scheme ids an `arch: arm` scenario may name. */
export const ARM_SCHEMES = ARM_SCHEME_IDS;

// The JSON Schema keywords on `time` apply each to its own JSON type (minimum/maximum to numbers, pattern to strings).
const time = z
  .union([z.number(), z.string()])
  .refine((v) => parseTimeNs(v) !== undefined, {
    message: 'expected a time: a number of ns or a string such as "150us", "20ms"',
  })
  .transform((v) => parseTimeNs(v) as number)
  .refine((ns) => ns <= MAX_TIME_NS, { message: `expected a time ≤ ${MAX_TIME_NS} ns (11.6 days)` })
  .meta({ unit: 'ns', minimum: 0, maximum: MAX_TIME_NS, pattern: TIME_PATTERN });

const positiveTime = time.refine((ns) => ns > 0, { message: 'expected a time > 0' }).meta({ exclusiveMinimum: 0 });

const cost = z
  .number()
  .nonnegative()
  .max(MAX_COST_CYCLES, `expected at most ${MAX_COST_CYCLES} cycles`)
  .meta({ unit: 'cycles' });

const vector = z.number().int().min(16, 'vectors 0-15 are reserved (SDM)').max(255);

/** Events per second (an open-loop arrival rate). */
const perSecond = (s: z.ZodNumber) => s.meta({ unit: '1/s' });

export const distSchema = z
  .discriminatedUnion('dist', [
    z.strictObject({
      dist: z.literal('fixed'),
      value: time.describe('Every sample is this value.'),
    }),
    z.strictObject({
      dist: z.literal('exponential'),
      mean: time.describe('Mean of an exponential distribution (memoryless; the standard deviation equals the mean).'),
    }),
    z.strictObject({
      dist: z.literal('uniform'),
      min: time.describe('Smallest value of a uniform distribution.'),
      max: time.describe('Largest value of a uniform distribution.'),
    }),
    z.strictObject({
      dist: z.literal('empirical'),
      values: z
        .array(time)
        .min(1)
        .max(MAX_LIST)
        .describe('Values drawn from (with equal probability unless `weights` is given): a measured histogram.'),
      weights: z
        .array(z.number().positive().max(1e15))
        .max(MAX_LIST)
        .optional()
        .describe('Relative weight of each of `values` (same length; need not sum to 1).'),
    }),
  ])
  .meta({
    id: 'Distribution',
    description:
      'A distribution of times (handler costs, think times, interrupts-off sections), chosen by `dist`; sampled ' +
      'per event from the owning entity’s own random stream.',
  });
export type DistInput = z.infer<typeof distSchema>;

const haltPollParams = (defaults: { growStart: number; shrink: number }) => ({
  grow: z
    .number()
    .int()
    .min(0)
    .max(1024)
    .default(2)
    .describe('Factor the poll window grows by after a wake-up inside it (0: do not grow).'),
  growStart: time
    .default(defaults.growStart)
    .describe('Where a growing window starts (a grow from below it goes straight to this value).'),
  shrink: z
    .number()
    .int()
    .min(0)
    .max(1024)
    .default(defaults.shrink)
    .describe('Divisor the poll window shrinks by after a wake-up beyond it (0: reset the window to 0).'),
});

const guestSchema = z
  .strictObject({
    handler: distSchema
      .default({ dist: 'exponential', mean: 2000 })
      .describe(
        'Handler cost of a device interrupt in the guest (hard IRQ to EOI), unless the device sets its own ' +
          '`handler`; also the IPI handler unless `ipi.handler` is set.',
      ),
    idle: z
      .strictObject({
        activeMean: positiveTime.describe('Mean length of a busy period (exponential).'),
        idleMean: positiveTime.describe('Mean length of an idle period (exponential), spent in HLT/WFI.'),
      })
      .optional()
      .describe('The vCPU alternates busy and idle periods (absent: always busy with guest work).'),
    ipi: z
      .strictObject({
        rate: perSecond(z.number().nonnegative().max(1e12)).describe(
          'IPIs each vCPU sends per second (Poisson), each to a random other vCPU of its VM.',
        ),
        vector: vector.default(0xfb).describe('The IPI’s vector (x86 CALL_FUNCTION_SINGLE_VECTOR 0xfb; ARM: an SGI).'),
        handler: distSchema.optional().describe('Handler cost of the IPI (absent: the guest’s `handler`).'),
      })
      .optional()
      .describe('Generic unicast IPIs between the VM’s vCPUs, open loop (ignored in a one-vCPU VM).'),
    haltPoll: z
      .union([
        z.boolean(),
        z.strictObject({
          maxNs: time.default(200_000).describe('Longest poll window (guest_halt_poll_ns).'),
          ...haltPollParams({ growStart: 50_000, shrink: 2 }),
          allowShrink: z
            .boolean()
            .default(true)
            .describe('Whether the window may shrink at all (guest_halt_poll_allow_shrink).'),
        }),
      ])
      .default(false)
      .describe(
        'Guest-side haltpoll (cpuidle-haltpoll + the haltpoll governor, DESIGN §15): before HLT/WFI the idle loop ' +
          'polls in guest mode for up to the adaptive poll_limit_ns, so an interrupt in that window needs no halt ' +
          'exit. Off by default; `true` takes the driver’s defaults (drivers/cpuidle/governors/haltpoll.c: ' +
          'guest_halt_poll_*). On x86 it also turns KVM’s host halt-polling off for the vCPU (the driver clears ' +
          'MSR_KVM_POLL_CONTROL; kvm_arch_no_poll).',
      ),
    resched: z
      .strictObject({
        rate: perSecond(z.number().nonnegative().max(1e12)).describe(
          'Rescheduling IPIs each vCPU sends per second (Poisson).',
        ),
        vector: vector.default(0xfd).describe('x86 RESCHEDULE_VECTOR 0xfd; on ARM it only labels SGI 0.'),
        handler: distSchema
          .default({ dist: 'fixed', value: 200 })
          .describe('sysvec_reschedule_ipi → scheduler_ipi with nothing to migrate, 0.2 µs (estimate).'),
      })
      .optional()
      .describe(
        'Rescheduling IPIs (DESIGN §16): unicast to a random other vCPU of the VM, open loop like `ipi`, on ' +
          'Linux’s vector (x86 RESCHEDULE_VECTOR; ARM IPI_RESCHEDULE = SGI 0).',
      ),
    tlbShootdown: z
      .strictObject({
        rate: perSecond(z.number().nonnegative().max(1e12)).describe(
          'Shootdowns each vCPU starts per second (Poisson).',
        ),
        vector: vector.default(0xfc).describe('x86 CALL_FUNCTION_VECTOR 0xfc; on ARM it only labels SGI 1.'),
        handler: distSchema
          .default({ dist: 'fixed', value: 500 })
          .describe('Work of each target before it acknowledges: flush_tlb_func + csd_unlock, 0.5 µs (estimate).'),
        send: z
          .enum(['shorthand', 'pv-send-ipi', 'per-target'])
          .optional()
          .describe(
            'x86 only: how the guest kernel writes the broadcast. `shorthand` (default: native_send_call_func_ipi ' +
              'uses the ALL-BUT-SELF shorthand when the mask is every other online CPU — one ICR write, even with ' +
              'KVM’s PV IPIs, which replace only the mask callbacks), `pv-send-ipi` (kvm_send_ipi_mask: one ' +
              'KVM_HC_SEND_IPI hypercall for the mask; a guest booted with no_ipi_broadcast=1) or `per-target` ' +
              '(x2apic_send_IPI_mask: one ICR write per target; neither shorthand nor PV IPIs).',
          ),
      })
      .optional()
      .describe(
        'TLB-shootdown broadcasts (DESIGN §16): the sender IPIs every other vCPU of its VM (x86 via ' +
          'flush_tlb_mm_range → smp_call_function_many_cond with wait; ARM the same cross-call on IPI_CALL_FUNC = ' +
          'SGI 1) and spins in csd_lock_wait until each target has run `handler` and acknowledged.',
      ),
    timerVector: vector
      .default(0xec)
      .describe('Vector of the guest’s LAPIC timer (x86 LOCAL_TIMER_VECTOR 0xec; ARM: the virtual timer PPI 27).'),
    timerHandler: distSchema
      .default({ dist: 'fixed', value: 500 })
      .describe('Handler cost of a guest timer interrupt (hrtimer_interrupt).'),
    tprAccessesPerInterrupt: z
      .number()
      .int()
      .min(0)
      .max(16)
      .default(0)
      .describe(
        'CR8/TPR accesses per interrupt in the guest handler path (IRQL-style raise/lower). They trap only without ' +
          'a TPR shadow (x86-emul, semantics §B.1 step 6). A Linux guest never touches TPR (0).',
      ),
    irqsOff: z
      .strictObject({
        rate: perSecond(z.number().positive().max(1e12)).describe('Section starts per second of guest time (Poisson).'),
        length: distSchema.describe('Length of one section.'),
      })
      .optional()
      .describe(
        'Interrupts-off sections in guest work (local_irq_save … restore, spinlock_irqsave); they end with STI, ' +
          'whose one-instruction interrupt shadow delays a pending interrupt (or the interrupt-window exit) until it ' +
          'has expired. Absent: none.',
      ),
    eoi: z
      .enum(['start', 'end'])
      .optional()
      .describe(
        'Where the guest’s handler signals end-of-interrupt. Default by arch: x86 Linux acks edge interrupts (MSI, ' +
          'IPIs, the LAPIC timer) at the start of the handler (handle_edge_irq → apic_eoi; sysvec_* call apic_eoi() ' +
          'first); ARM Linux drops priority and deactivates after the handler (gic_handle_irq → handler → EOIR).',
      ),
    apic: z
      .strictObject({
        readsPerInterrupt: z
          .number()
          .int()
          .min(0)
          .max(16)
          .default(0)
          .describe(
            'Extra APIC register reads per interrupt in the handler path (ISR/IRR/PPR reads some guests do; Linux: 0).',
          ),
        icrReadsPerIpi: z
          .number()
          .int()
          .min(0)
          .max(4)
          .default(0)
          .describe('Reads of ICR before an xAPIC IPI (wait-for-idle; Linux ≥ 6.x skips it on modern CPUs: 0).'),
        timer: z
          .enum(['auto', 'tsc-deadline', 'oneshot'])
          .default('auto')
          .describe(
            'LAPIC timer mode: `tsc-deadline` (one WRMSR IA32_TSC_DEADLINE per arm; Linux’s default when the CPU has ' +
              'it) or `oneshot` (one TMICT write per arm). `auto`: tsc-deadline unless the LAPIC is emulated in user ' +
              'space (QEMU’s userspace APIC offers no TSC-deadline mode).',
          ),
        timerArmsPerTimerInterrupt: z
          .number()
          .int()
          .min(0)
          .max(4)
          .default(1)
          .describe(
            'Timer (re)programmings per guest timer interrupt (tick_program_event at the end of hrtimer_interrupt).',
          ),
        timerArmsPerIdle: z
          .number()
          .int()
          .min(0)
          .max(4)
          .default(1)
          .describe(
            'Timer programmings when the guest enters its idle loop (tickless idle: tick_nohz_idle_stop_tick).',
          ),
      })
      .default({
        readsPerInterrupt: 0,
        icrReadsPerIpi: 0,
        timer: 'auto',
        timerArmsPerTimerInterrupt: 1,
        timerArmsPerIdle: 1,
      })
      .describe(
        'x86 guest APIC access pattern (DESIGN §12). Under x86-emul each access is an exit; under the other schemes ' +
          'only what their hardware does not virtualize exits.',
      ),
  })
  .describe('What the guest kernel does: handler costs, idle behaviour, IPIs, timer, APIC accesses.');

const vmSchema = z.strictObject({
  name: z.string().min(1).describe('The VM’s name; devices name it in `vm`. Unique.'),
  count: z
    .number()
    .int()
    .min(1)
    .max(MAX_LIST)
    .default(1)
    .describe('Instances of this VM (each with its own vCPUs and its own copy of the devices that name it).'),
  vcpus: z.number().int().min(1).max(4096).describe('vCPUs per instance.'),
  pin: z
    .union([z.literal('spread'), z.array(z.number().int().min(0)).max(4096)])
    .default('spread')
    .describe(
      'Which pCPU each vCPU runs on: a list of pCPU ids (one per vCPU), or `spread`: the vCPUs of all VMs dealt ' +
        'round-robin over the pCPUs in order. More vCPUs than pCPUs is overcommit (the host scheduler shares them).',
    ),
  guest: guestSchema.default(guestSchema.parse({})),
});

const rate = perSecond(z.number().positive().max(1e12));

const arrivalSchema = z
  .discriminatedUnion('process', [
    z.strictObject({
      process: z.literal('poisson'),
      rate: rate.describe('Arrivals per second per queue (exponential gaps).'),
    }),
    z.strictObject({
      process: z.literal('periodic'),
      rate: rate.describe('Arrivals per second per queue, evenly spaced.'),
    }),
    z.strictObject({
      process: z.literal('onoff'),
      rate: rate.describe('Arrivals per second per queue while on (Poisson).'),
      on: positiveTime.describe('Mean length of an on period (exponential).'),
      off: positiveTime.describe('Mean length of an off period (exponential).'),
    }),
    z.strictObject({
      process: z.literal('trace'),
      times: z
        .array(time)
        .min(1)
        .max(1 << 20)
        .describe('Arrival timestamps from the start of the run, ascending (a recorded trace).'),
      repeat: positiveTime
        .optional()
        .describe('Replay the trace every this long (longer than its last timestamp); absent: once.'),
    }),
    z.strictObject({
      process: z.literal('closed'),
      clients: z.number().int().min(1).max(MAX_LIST).describe('Clients per queue, each with one request outstanding.'),
      think: distSchema.describe(
        'Time from a response to the client’s next request (includes the network round trip).',
      ),
      app: distSchema
        .optional()
        .describe(
          'Work per request in process context (the server application: netperf’s receive copy, memcached’s ' +
            'lookup), after the softirq has delivered the packet; the response leaves when it is done. Absent: at ' +
            'the softirq.',
        ),
    }),
  ])
  .describe(
    'When a device raises its interrupts (DESIGN §18), chosen by `process`. Open-loop processes (poisson, periodic, ' +
      'onoff, trace) raise the same arrivals at the same times under every scheme; `closed` is a closed loop: each ' +
      'of `clients` sends a request, waits until the guest has processed it, thinks for `think` and sends the next — ' +
      'so the offered load depends on how fast the guest keeps up, as in netperf TCP_RR, memcached or apache ' +
      'benchmarks.',
  );

/** Work the handler does per delivered interrupt: see DESIGN §18 (handler-work semantics). */
export const WORK_MODES = ['per-interrupt', 'queued'] as const;

const deviceSchema = z.strictObject({
  name: z.string().min(1).describe('The device’s name (in results and the packets table).'),
  vm: z.string().min(1).describe('The VM (its `name`) the device is assigned to; every instance of it gets one.'),
  kind: z
    .enum(['nic', 'nvme', 'generic'])
    .default('generic')
    .describe('What the device is: sets the default `work` mode; `napi` needs `nic`.'),
  queues: z
    .union([z.literal('per-vcpu'), z.array(z.number().int().min(0)).min(1).max(256)])
    .default('per-vcpu')
    .describe(
      'Interrupt queues (MSI-X vectors) and the vCPU each targets: `per-vcpu` (one queue per vCPU, as multi-queue ' +
        'NICs and NVMe set up) or a list of vCPU indices in the VM, one per queue.',
    ),
  vector: vector.describe('Vector of the first queue; queue q uses `vector` + q (on ARM: distinct SPIs/LPIs).'),
  arrival: arrivalSchema,
  moderation: z
    .strictObject({
      minInterval: time.optional().describe('ITR: the minimum time between two interrupts of a queue (Intel EITR).'),
      packets: z
        .number()
        .int()
        .min(1)
        .max(MAX_LIST)
        .optional()
        .describe(
          'Raise as soon as this many events arrived since the last interrupt, even inside the interval (rx-frames ' +
            '/ CQ moderation count; needs `minInterval` as its time-out).',
        ),
      adaptive: z
        .boolean()
        .default(false)
        .describe(
          'The driver retunes the interval after every NAPI poll from the traffic it saw (ixgbevf_update_itr / ' +
            'ixgbevf_set_itr; needs `napi`).',
        ),
    })
    .optional()
    .describe('Interrupt moderation (absent: an interrupt per event).'),
  work: z
    .enum(WORK_MODES)
    .optional()
    .describe(
      '`per-interrupt`: a pure signal — one handler per delivered interrupt, one sampled handler cost; an interrupt ' +
        'that coalesces into a pending one is lost work and all. `queued`: a queue-backed device (completion ring) ' +
        '— every event adds its work, and the next handler processes all of it. Default by kind: nic, nvme → ' +
        'queued; generic → per-interrupt. Not with `napi` (the ring then defines the work).',
    ),
  napi: z
    .strictObject({
      ring: z
        .number()
        .int()
        .min(1)
        .max(MAX_LIST)
        .default(512)
        .describe('RX descriptors: packets beyond a full ring are dropped (ixgbe’s IXGBE_DEFAULT_RXD).'),
      budget: z
        .number()
        .int()
        .min(1)
        .max(MAX_LIST)
        .default(64)
        .describe('Packets one poll processes at most (NAPI_POLL_WEIGHT, include/linux/netdevice.h).'),
      perPacket: distSchema.describe('Softirq work per packet.'),
      packetBytes: z
        .number()
        .int()
        .min(60)
        .max(65_536)
        .default(1500)
        .describe('Bytes per packet, for the adaptive ITR’s bytes-per-µs classes (a full 1,500-byte MTU frame).'),
    })
    .optional()
    .describe(
      'NIC receive path with NAPI (DESIGN §18): events are packets that wait in a bounded RX ring; the interrupt is ' +
        'masked from the moment it is raised until NAPI completes; the hard-IRQ handler (`handler`) schedules NAPI, ' +
        'whose poll (softirq, interruptible) processes up to `budget` packets per poll at `perPacket` each and ' +
        're-enables the interrupt when the ring is empty. Only for kind `nic`.',
    ),
  handler: distSchema.optional().describe('Handler cost of this device’s interrupts (absent: the guest’s `handler`).'),
});

const costOverrides = Object.fromEntries(
  COST_NAMES.map((n) => [n, cost.optional().describe(COST_MEANINGS[n])]),
) as Record<CostName, z.ZodOptional<typeof cost>>;

export const scenarioSchema = z
  .strictObject({
    name: z.string().min(1).describe('The scenario’s name (in the table and the results JSON).'),
    description: z.string().optional().describe('What the scenario models, for people (printed by `ivsim scenarios`).'),
    arch: z
      .enum(['x86', 'arm'])
      .describe('The architecture: selects the schemes allowed, the interrupt controller model and per-arch defaults.'),
    schemes: z
      .array(
        z.enum(ALL_SCHEMES, {
          error: (iss) => `unknown scheme ${JSON.stringify(iss.input)} (expected one of ${ALL_SCHEMES.join(', ')})`,
        }),
      )
      .min(1)
      .max(ALL_SCHEMES.length)
      .describe(
        `Delivery schemes to compare, each on the same workload (x86: ${X86_SCHEME_IDS.join(', ')}; arm: ` +
          `${ARM_SCHEME_IDS.join(', ')}; DESIGN §1). bare-metal always runs as the reference.`,
      ),
    seed: z
      .number()
      .int()
      .min(0)
      .max(Number.MAX_SAFE_INTEGER)
      .default(1)
      .describe(
        'Seed of every random stream (each entity derives its own from it): same scenario and seed, same results.',
      ),
    duration: positiveTime.describe('Virtual time simulated per scheme.'),
    cpu: z
      .strictObject({
        freqGHz: z
          .number()
          .positive()
          .max(10)
          .meta({ unit: 'GHz' })
          .describe('CPU clock: converts between cycles (costs, virtual time) and ns.'),
      })
      .describe('The CPU.'),
    costs: z
      .strictObject({
        preset: z
          .string()
          .min(1)
          .describe(
            `Named cost preset, every figure with its source (docs/costs.md): ${Object.keys(PRESETS).join(', ')}.`,
          ),
        // A strict object, not a record: an unknown entry (even `__proto__`) is an error, never dropped. Fractional
        // values are rounded to whole cycles when the table is resolved (resolve-costs.ts).
        overrides: z
          .strictObject(costOverrides)
          .default({})
          .describe('Cost entries replacing the preset’s, by name, in cycles (fractional values are rounded).'),
      })
      .default({ preset: 'default', overrides: {} })
      .describe('The cost model: a preset plus per-scenario overrides (DESIGN §8).'),
    host: z
      .strictObject({
        pcpus: z.number().int().min(1).max(4096).describe('Physical CPUs of the host.'),
        timerHz: z
          .number()
          .nonnegative()
          .max(1e9)
          .meta({ unit: 'Hz' })
          .default(250)
          .describe('Host scheduler tick per pCPU (CONFIG_HZ; 0: no tick).'),
        x2apic: z
          .boolean()
          .default(true)
          .describe('x86: the guest’s LAPIC in x2APIC mode (ICR and EOI are MSR writes) rather than xAPIC MMIO.'),
        scheduler: z
          .enum(['cfs', 'round-robin'])
          .default('cfs')
          .describe(
            'The host scheduler (DESIGN §15): `cfs` — Linux CFS as of v6.5 (vruntime order, wake-up preemption, tick ' +
              'preemption after the ideal slice; kernel defaults scaled by the CPU count) — or `round-robin` (a FIFO ' +
              'run queue, a fixed `schedSlice`, no wake-up preemption: the engine’s behaviour before §15).',
          ),
        schedSlice: positiveTime
          .default(3_000_000)
          .describe(
            'The round-robin policy’s time slice (unused by `cfs`, whose slice is sched_latency / nr_running).',
          ),
        haltPoll: z
          .union([
            z.literal(false),
            z.strictObject({
              maxNs: time
                .optional()
                .describe('Longest poll window, halt_poll_ns (absent: x86 200 µs, arm64 500 µs); 0 disables polling.'),
              ...haltPollParams({ growStart: 10_000, shrink: 0 }),
            }),
          ])
          .default({ grow: 2, growStart: 10_000, shrink: 0 })
          .describe(
            'KVM halt-polling on HLT/WFI exits (virt/kvm/kvm_main.c kvm_vcpu_halt), or false for none. Defaults are ' +
              'the module parameters: halt_poll_ns KVM_HALT_POLL_NS_DEFAULT (x86 200 µs, arm64 500 µs), ' +
              'halt_poll_ns_grow 2, halt_poll_ns_grow_start 10 µs, halt_poll_ns_shrink 0.',
          ),
        gic: z
          .strictObject({
            listRegs: z
              .number()
              .int('expected an integer number of list registers')
              .min(1, 'expected 1..16 list registers')
              .max(16, 'expected 1..16 list registers (the architectural maximum)')
              .default(4)
              .describe(
                'List registers per vCPU interface (ICH_VTR_EL2.ListRegs + 1 / GICH_VTR.ListRegs + 1): every Arm core ' +
                  'ships 4 (docs/costs.md F27), the maximum is 16.',
              ),
            v4: z
              .enum(['4.0', '4.1'])
              .default('4.1')
              .describe('GICv4.0: per-vLPI doorbells enabled around WFI; GICv4.1: per-vPE doorbell and direct vSGIs.'),
          })
          .optional()
          .describe('ARM only: the GIC virtual CPU interface and GICv4 generation.'),
      })
      .describe('The host machine and hypervisor.'),
    schemeOptions: schemeOptionsSchema,
    vms: z.array(vmSchema).min(1).max(MAX_LIST).describe('The virtual machines.'),
    devices: z
      .array(deviceSchema)
      .max(MAX_LIST)
      .default([])
      .describe('Assigned devices raising interrupts into the VMs (MSI/MSI-X on x86; SPIs or LPIs on ARM).'),
    engine: z
      .strictObject({
        shards: z
          .number()
          .int()
          .min(1)
          .max(256)
          .optional()
          .describe('Worker threads for the parallel runner; unset = one per core. Results do not depend on it.'),
        partition: z
          .enum(['balanced', 'split', 'spread'])
          .default('balanced')
          .describe(
            'How pCPUs are split among shards: `balanced` keeps each VM on one shard (no cross-shard traffic, ' +
              'unbounded lookahead) unless the cost model estimates that splitting the heaviest VMs pays for a ' +
              'barrier every IPI latency (DESIGN §10); `split` always splits VMs heavier than the share of one shard; ' +
              '`spread` deals pCPUs round-robin so IPIs cross shards (a stress test of the window ' +
              'synchronization). x86-avic runs keep every VM whole under any of them (its IPI write reads the ' +
              'target’s IsRunning as it is made). Results do not depend on it.',
          ),
      })
      .default({ partition: 'balanced' })
      .describe('How the parallel engine runs the scenario (never what it computes).'),
    sweep: sweepSchema.optional(),
  })
  .describe('An ivsim scenario: one experiment, every scheme on the same workload (DESIGN §5).')

  .superRefine((s, ctx) => {
    const allowed: readonly string[] = s.arch === 'x86' ? X86_SCHEMES : ARM_SCHEMES;
    s.schemes.forEach((id, i) => {
      if (!allowed.includes(id))
        ctx.addIssue({ code: 'custom', path: ['schemes', i], message: `scheme ${id} is not an ${s.arch} scheme` });
    });
    if (s.arch !== 'arm' && s.host.gic)
      ctx.addIssue({ code: 'custom', path: ['host', 'gic'], message: 'host.gic applies only to arch "arm"' });
    if (s.schemes.includes('arm-gicv2'))
      s.vms.forEach((vm, i) => {
        if (vm.vcpus > 8)
          ctx.addIssue({
            code: 'custom',
            path: ['vms', i, 'vcpus'],
            message: `arm-gicv2 supports at most 8 vCPUs per VM (GICv2 CPU targets), got ${vm.vcpus}`,
          });
      });
    if (s.schemes.includes('x86-avic')) {
      // KVM's avic_init_backing_page refuses (-EINVAL) a vCPU whose id (its APIC ID) is past the physical APIC ID
      // table: 0xFE without x2AVIC, 0x1FF with it; so such a VM cannot be created with AVIC on.
      const max = (s.host.x2apic ? X2AVIC_MAX_PHYSICAL_ID : AVIC_MAX_PHYSICAL_ID) + 1;
      s.vms.forEach((vm, i) => {
        if (vm.vcpus > max)
          ctx.addIssue({
            code: 'custom',
            path: ['vms', i, 'vcpus'],
            message:
              `x86-avic supports at most ${max} vCPUs per VM (${s.host.x2apic ? 'x2AVIC' : 'AVIC without x2APIC'}: ` +
              `physical APIC IDs 0..0x${(max - 1).toString(16)}), got ${vm.vcpus}`,
          });
      });
    }
    // Values the engine needs to make progress must not round to 0 cycles (an event re-firing at the same time
    // forever), and the run's cycle counts must stay exact.
    const f = s.cpu.freqGHz;
    const durationCycles = Math.round(s.duration * f);
    if (durationCycles < 1)
      ctx.addIssue({
        code: 'custom',
        path: ['duration'],
        message: `${s.duration} ns is less than one cycle at ${f} GHz`,
      });
    if (Math.round(s.host.schedSlice * f) < 1)
      ctx.addIssue({
        code: 'custom',
        path: ['host', 'schedSlice'],
        message: `${s.host.schedSlice} ns rounds to 0 cycles at ${f} GHz (the slice would re-fire at the same time forever)`,
      });
    if (s.host.timerHz > 0 && Math.round((f * 1e9) / s.host.timerHz) < 1)
      ctx.addIssue({
        code: 'custom',
        path: ['host', 'timerHz'],
        message: `${s.host.timerHz} Hz gives a tick period of 0 cycles at ${f} GHz`,
      });
    let totalVcpus = 0;
    let vcpusReported = false;
    s.vms.forEach((vm, i) => {
      totalVcpus += vm.count * vm.vcpus;
      if (totalVcpus > MAX_TOTAL_VCPUS && !vcpusReported) {
        vcpusReported = true;
        ctx.addIssue({
          code: 'custom',
          path: ['vms', i, 'count'],
          message: `the scenario reaches more than ${MAX_TOTAL_VCPUS} vCPUs (count × vcpus summed over vms) here`,
        });
      }
    });
    if (!vcpusReported && durationCycles * totalVcpus > Number.MAX_SAFE_INTEGER)
      ctx.addIssue({
        code: 'custom',
        path: ['duration'],
        message: `duration × vCPUs = ${durationCycles * totalVcpus} cycles exceeds 2^53 (sums would no longer be exact)`,
      });
    if (new Set(s.schemes).size !== s.schemes.length)
      ctx.addIssue({ code: 'custom', path: ['schemes'], message: 'schemes must be unique' });
    costKeysPresent(s, ctx);
    const names = new Set<string>();
    s.vms.forEach((vm, i) => {
      if (names.has(vm.name)) ctx.addIssue({ code: 'custom', path: ['vms', i, 'name'], message: 'duplicate VM name' });
      names.add(vm.name);
      if (Array.isArray(vm.pin)) {
        if (vm.pin.length !== vm.vcpus)
          ctx.addIssue({
            code: 'custom',
            path: ['vms', i, 'pin'],
            message: `expected ${vm.vcpus} pCPU ids (one per vCPU)`,
          });
        vm.pin.forEach((p, j) => {
          if (p >= s.host.pcpus)
            ctx.addIssue({
              code: 'custom',
              path: ['vms', i, 'pin', j],
              message: `pCPU ${p} does not exist (host.pcpus = ${s.host.pcpus})`,
            });
        });
      }
    });
    if (s.arch === 'arm') armIntidsUnique(s, ctx);
    else napiVectorsOwn(s, ctx);
    ipiPatternChecks(s, ctx);
    const byName = new Map<string, VmSpec>();
    for (const vm of s.vms) if (!byName.has(vm.name)) byName.set(vm.name, vm);
    let totalQueues = 0;
    s.devices.forEach((d, i) => {
      const vm = byName.get(d.vm);
      if (!vm) {
        ctx.addIssue({ code: 'custom', path: ['devices', i, 'vm'], message: `no VM named "${d.vm}"` });
        return;
      }
      if (Array.isArray(d.queues))
        d.queues.forEach((q, j) => {
          if (q >= vm.vcpus)
            ctx.addIssue({
              code: 'custom',
              path: ['devices', i, 'queues', j],
              message: `vCPU ${q} does not exist (vcpus = ${vm.vcpus})`,
            });
        });
      const nq = d.queues === 'per-vcpu' ? vm.vcpus : d.queues.length;
      if (d.vector + nq - 1 > 255)
        ctx.addIssue({ code: 'custom', path: ['devices', i, 'vector'], message: `vector + queues exceeds 255` });
      deviceRules(d, i, ctx);
      const before = totalQueues;
      totalQueues += nq * vm.count;
      if (before <= MAX_TOTAL_QUEUES && totalQueues > MAX_TOTAL_QUEUES)
        ctx.addIssue({
          code: 'custom',
          path: ['devices', i],
          message: `the scenario reaches more than ${MAX_TOTAL_QUEUES} device queues (queues × VM instances) here`,
        });
    });
  });

/**
 * x86: a NAPI queue's vector must be its own within its VM — its hard-IRQ handler schedules that queue's NAPI, so a
 * vector shared with the timer, the IPI or another queue would poll the wrong ring (or leave one masked forever).
 * (ARM requires every vector to be unique anyway: armIntidsUnique.)
 */
function napiVectorsOwn(
  s: {
    vms: (ArmSources['vms'][number] & {
      guest: { resched?: { vector: number }; tlbShootdown?: { vector: number } };
    })[];
    devices: (ArmSources['devices'][number] & { napi?: unknown })[];
  },
  ctx: z.RefinementCtx,
): void {
  const vcpusOf = new Map(s.vms.map((vm) => [vm.name, vm]));
  const used = new Map<string, Map<number, number>>(); // VM → vector → how many sources use it
  const bump = (vm: string, v: number) => {
    let m = used.get(vm);
    if (!m) {
      m = new Map();
      used.set(vm, m);
    }
    m.set(v, (m.get(v) ?? 0) + 1);
  };
  for (const vm of s.vms) {
    const g = vm.guest;
    bump(vm.name, g.timerVector);
    if (vm.vcpus > 1) for (const src of [g.ipi, g.resched, g.tlbShootdown]) if (src) bump(vm.name, src.vector);
  }
  const nq = (d: ArmSources['devices'][number]) => {
    const vm = vcpusOf.get(d.vm);
    return vm === undefined ? 0 : d.queues === 'per-vcpu' ? vm.vcpus : d.queues.length;
  };
  // Bounded by the vector range (as armIntidsUnique): a hostile vcpus count (its own issue) must not loop for minutes.
  for (const d of s.devices) for (let q = 0; q < nq(d) && d.vector + q <= 255; q++) bump(d.vm, d.vector + q);
  s.devices.forEach((d, j) => {
    if (d.napi === undefined) return;
    for (let q = 0; q < nq(d) && d.vector + q <= 255; q++)
      if ((used.get(d.vm)?.get(d.vector + q) ?? 0) > 1) {
        ctx.addIssue({
          code: 'custom',
          path: ['devices', j, 'vector'],
          message: `vector ${d.vector + q} of a NAPI device is shared with another source of VM "${d.vm}"; a NAPI queue needs a vector of its own`,
        });
        return;
      }
  });
}

/** Device fields that only make sense together (one line per conflict, naming the field). */
function deviceRules(d: z.infer<typeof deviceSchema>, i: number, ctx: z.RefinementCtx): void {
  const at = (path: (string | number)[], message: string) =>
    ctx.addIssue({ code: 'custom', path: ['devices', i, ...path], message });
  const m = d.moderation;
  if (d.napi && d.kind !== 'nic') at(['napi'], `napi applies only to kind "nic", got "${d.kind}"`);
  if (d.napi && d.work !== undefined) at(['work'], 'not with napi: the RX ring defines the handler work');
  if (m?.packets !== undefined && m.minInterval === undefined && !m.adaptive)
    at(['moderation', 'packets'], 'needs moderation.minInterval as its time-out (a lone packet would never interrupt)');
  if (m?.adaptive && !d.napi)
    at(['moderation', 'adaptive'], 'needs napi (the driver retunes ITR after each NAPI poll)');
  if (m?.adaptive && m.minInterval !== undefined)
    at(['moderation', 'minInterval'], 'not with adaptive: the adaptive ITR sets the interval');
  const a = d.arrival;
  if (a.process === 'closed') {
    if (!d.napi) at(['arrival'], 'a closed loop needs napi (requests wait in the RX ring until processed)');
    else if (d.napi.ring < a.clients)
      at(['napi', 'ring'], `must hold every outstanding request: ring ${d.napi.ring} < clients ${a.clients}`);
  }
  if (a.process === 'trace') {
    for (let k = 1; k < a.times.length; k++)
      if (a.times[k] < a.times[k - 1]) {
        at(['arrival', 'times', k], 'trace timestamps must be in ascending order');
        break;
      }
    if (a.repeat !== undefined && a.repeat <= a.times[a.times.length - 1])
      at(['arrival', 'repeat'], 'must be longer than the last timestamp of the trace');
  }
}

/** What armIntidsUnique reads of a scenario (structural, so it does not depend on the schema's own type). */
interface ArmSources {
  vms: {
    name: string;
    vcpus: number;
    guest: {
      timerVector: number;
      ipi?: { vector: number };
      resched?: { vector: number };
      tlbShootdown?: { vector: number };
    };
  }[];
  devices: { vm: string; vector: number; queues: 'per-vcpu' | number[] }[];
}

/**
 * ARM: a "vector" names an interrupt of its own, not a shared line. The guest IPI is an SGI, the guest timer the
 * virtual timer PPI 27, each device queue an SPI (GICv2: one target, GICD_ITARGETSR) or an LPI (GICv3/v4: one
 * EventID → one INTID → one collection). So within a VM two sources cannot share a vector: the model would have
 * to deliver one INTID to two handlers, or to two vCPUs (K:vgic-mmio.c one target per SPI; K:vgic-its.c one ITE
 * per EventID). Reported on the later field, naming the earlier one. Linear in VMs + device queues.
 */
/**
 * Every scheme the scenario runs (bare-metal always runs) finds every key of the cost families it reads, in the
 * preset or in the overrides (DESIGN §19.8): one issue per scheme, naming its first missing key.
 */
function costKeysPresent(s: Scenario, ctx: z.RefinementCtx): void {
  if (!Object.hasOwn(PRESETS, s.costs.preset)) return; // an unknown preset is reported on its own (load.ts)
  const preset = PRESETS[s.costs.preset];
  const have = (k: string) => k in preset.costs || (s.costs.overrides as Record<string, unknown>)[k] !== undefined;
  const run: SchemeId[] = s.schemes.includes('bare-metal') ? s.schemes : ['bare-metal', ...s.schemes];
  for (const id of run)
    for (const f of familiesRead(id, s.arch)) {
      const missing = Object.keys(f.meanings).find((k) => !have(k));
      if (missing === undefined) continue;
      ctx.addIssue({
        code: 'custom',
        path: ['costs', 'preset'],
        message:
          `preset ${preset.name} has no cost ${missing}, which scheme ${id} reads (cost family ${f.id}); ` +
          `set costs.overrides.${missing} or choose a preset with that family`,
      });
      return;
    }
}

function armIntidsUnique(s: ArmSources, ctx: z.RefinementCtx): void {
  const owner = new Map<string, Map<number, string>>(); // VM name → vector → the field that uses it
  const claim = (vm: string, vector: number, path: (string | number)[]) => {
    let m = owner.get(vm);
    if (!m) {
      m = new Map();
      owner.set(vm, m);
    }
    const field = `scenario.${path
      .map((p) => (typeof p === 'number' ? `[${p}]` : p))
      .join('.')
      .replace(/\.\[/g, '[')}`;
    const prev = m.get(vector);
    if (prev !== undefined)
      ctx.addIssue({
        code: 'custom',
        path,
        message:
          `vector ${vector} of VM "${vm}" is already used by ${prev}; on ARM every source is its own INTID ` +
          '(SGI, PPI 27, one SPI/LPI per device queue), so each needs a distinct vector',
      });
    else m.set(vector, field);
  };
  s.vms.forEach((vm, i) => {
    claim(vm.name, vm.guest.timerVector, ['vms', i, 'guest', 'timerVector']);
    if (vm.guest.ipi && vm.vcpus > 1) claim(vm.name, vm.guest.ipi.vector, ['vms', i, 'guest', 'ipi', 'vector']);
    if (vm.guest.resched && vm.vcpus > 1)
      claim(vm.name, vm.guest.resched.vector, ['vms', i, 'guest', 'resched', 'vector']);
    if (vm.guest.tlbShootdown && vm.vcpus > 1)
      claim(vm.name, vm.guest.tlbShootdown.vector, ['vms', i, 'guest', 'tlbShootdown', 'vector']);
  });
  const vcpusOf = new Map(s.vms.map((vm) => [vm.name, vm.vcpus]));
  s.devices.forEach((d, j) => {
    const vcpus = vcpusOf.get(d.vm);
    if (vcpus === undefined) return; // reported elsewhere
    const nq = d.queues === 'per-vcpu' ? vcpus : d.queues.length;
    for (let q = 0; q < nq && d.vector + q <= 255; q++) claim(d.vm, d.vector + q, ['devices', j, 'vector']);
  });
}

/**
 * IPI patterns (DESIGN §16): `tlbShootdown.send` names an x86 ICR/hypercall choice; on ARM the broadcast and the
 * generic unicast `ipi` are both IPI_CALL_FUNC (SGI 1) in Linux, one INTID, so a VM has one or the other (each
 * source is its own INTID in the model, DESIGN §14).
 */
function ipiPatternChecks(
  s: { arch: string; vms: { vcpus: number; guest: { ipi?: unknown; tlbShootdown?: { send?: string } } }[] },
  ctx: z.RefinementCtx,
): void {
  s.vms.forEach((vm, i) => {
    const t = vm.guest.tlbShootdown;
    if (!t) return;
    if (s.arch === 'arm' && t.send !== undefined)
      ctx.addIssue({
        code: 'custom',
        path: ['vms', i, 'guest', 'tlbShootdown', 'send'],
        message: 'tlbShootdown.send applies only to arch "x86" (ARM sends one SGI register write per target cluster)',
      });
    if (s.arch === 'arm' && vm.guest.ipi && vm.vcpus > 1)
      ctx.addIssue({
        code: 'custom',
        path: ['vms', i, 'guest', 'tlbShootdown'],
        message:
          'on ARM guest.ipi and guest.tlbShootdown are both IPI_CALL_FUNC (SGI 1), one INTID; a VM can have one of ' +
          'them (use guest.resched, SGI 0, for a second unicast source)',
      });
  });
}

/**
 * A scenario as written in a file or in code, before validation: times are ns or strings with a unit (`"20ms"`),
 * optional fields may be left out (their defaults are in docs/SCENARIOS.md).
 */
export type ScenarioInput = z.input<typeof scenarioSchema>;
/** A validated scenario (validateScenario's output): every default filled in, every time a number of ns. */
export type Scenario = z.output<typeof scenarioSchema>;
export type VmSpec = Scenario['vms'][number];
export type DeviceSpec = Scenario['devices'][number];
export type GuestSpec = VmSpec['guest'];

// Defaults resolved from a validated scenario: in scenario/defaults.ts (no zod), so the engine and the shard
// workers import them without the schema (DESIGN §19.10).
export {
  eoiAtStart,
  gicConfig,
  guestHaltPollConfig,
  haltPollConfig,
  KVM_HALT_POLL_NS_DEFAULT,
} from './defaults.ts';
