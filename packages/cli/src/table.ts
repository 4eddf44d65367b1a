// The side-by-side comparison table printed by `ivsim run`.

import type { Results } from '@ivsim/core';
import { columns } from './columns.ts';

const us = (ns: number) => (ns / 1000).toFixed(2);
const pct = (x: number) => `${(x * 100).toFixed(1)}%`;

export function formatTable(r: Results): string {
  const head = [
    'scheme',
    'raised',
    'dlv p50 µs',
    'dlv p99 µs',
    'dlv p99.9 µs',
    'cmpl p99 µs',
    'pending',
    'exits/s',
    'exits/dev-int',
    'guest share',
    'vs bare metal',
    'conserved',
  ];
  const rows = r.schemes.map((s) => [
    s.scheme,
    String(s.interrupts.raised),
    us(s.latencyNs.delivery.p50),
    us(s.latencyNs.delivery.p99),
    us(s.latencyNs.delivery.p999),
    us(s.latencyNs.completion.p99),
    s.pending.starved ? `${s.pending.count} STARVED` : String(s.pending.count),
    String(s.exits.perSecond),
    s.exits.perDeviceInterruptWhileRunning.toFixed(2),
    pct(s.cpu.guestShare),
    pct(s.cpu.relativeToBareMetal),
    s.conservation.ok ? 'yes' : 'NO',
  ]);
  const { line, rule } = columns(head, rows);
  const e = r.engine;
  return [
    `${r.scenario}: seed ${r.seed}, ${r.durationNs / 1e6} ms simulated at ${r.freqGHz} GHz, costs ${r.costPreset}`,
    line(head),
    rule,
    ...rows.map(line),
    ...r.schemes
      .filter((s) => s.pending.starved)
      .map(
        (s) =>
          `${s.scheme}: STARVED — ${s.pending.count} interrupts still pending, the oldest for ${us(s.pending.oldestAgeNs)} µs; ` +
          `the delivery percentiles leave them out (with them: mean ${us(s.latencyNs.deliveryWithPending.mean)} µs, ` +
          `p99 ${us(s.latencyNs.deliveryWithPending.p99)} µs).`,
      ),
    'dlv = delivery (raise → first handler instruction), cmpl = completion (raise → EOI/deactivation done);',
    'pending = raised but undelivered at the end; exits/dev-int = exits per device interrupt that arrived while its',
    "vCPU ran; guest share = guest cycles / busy cycles; vs bare metal = guest work against bare metal's (same",
    'workload); conserved = raised = delivered + coalesced + pending. DESIGN §3, §7, §12.',
    ...workloadTable(r),
    `engine: ${e.shards} shard(s)${(e.schemeLanes ?? 1) > 1 ? ` in ${e.schemeLanes} scheme lanes` : ''}, ${e.wallSeconds.toFixed(2)} s wall, ${e.events} events (${(e.eventsPerSecond / 1e6).toFixed(2)} M/s), ` +
      `${e.simulatedInterrupts} interrupts (${(e.interruptsPerSecond / 1e6).toFixed(2)} M/s)`,
  ].join('\n');
}

/**
 * The NIC and closed-loop figures (DESIGN §18), when the scenario has a NAPI device: packets per second, packet
 * latency, interrupts per packet, drops and what is left in the rings; with a closed loop also requests per second,
 * request latency and throughput against bare metal — the papers' "% of bare metal".
 */
function workloadTable(r: Results): string[] {
  if (!r.schemes.some((s) => s.packets !== undefined)) return [];
  const closed = r.schemes.some((s) => s.throughput !== undefined);
  const head = [
    'scheme',
    'packets/s',
    'pkt p50 µs',
    'pkt p99 µs',
    'irqs/pkt',
    'dropped',
    'in ring',
    ...(closed ? ['requests/s', 'req p50 µs', 'req p99 µs', 'throughput vs bm'] : []),
  ];
  const rows = r.schemes.map((s) => {
    const p = s.packets;
    const t = s.throughput;
    return [
      s.scheme,
      String(p?.perSecond ?? 0),
      us(p?.latencyNs.p50 ?? 0),
      us(p?.latencyNs.p99 ?? 0),
      (p?.interruptsPerPacket ?? 0).toFixed(3),
      String(p?.dropped ?? 0),
      String(p?.inRing ?? 0),
      ...(closed
        ? [
            String(t?.requestsPerSecond ?? 0),
            us(t?.latencyNs.p50 ?? 0),
            us(t?.latencyNs.p99 ?? 0),
            pct(t?.relativeToBareMetal ?? 0),
          ]
        : []),
    ];
  });
  const { line, rule } = columns(head, rows);
  return [
    '',
    line(head),
    rule,
    ...rows.map(line),
    'pkt = packet latency, arrival in the RX ring → processed by the NAPI poll; irqs/pkt = interrupts the NAPI queues',
    'raised per packet processed' +
      (closed
        ? '; req = request latency, arrival → response; throughput vs bm = requests completed against bare metal.'
        : '.'),
  ];
}

/** Coalesced share above which a scheme's numbers describe an overloaded guest. */
const SATURATED_COALESCED = 0.5;

/**
 * Warnings (stderr, never failing) for schemes that ran saturated: most raised interrupts merged into pending ones,
 * or some never got through. A valid scenario can ask for more than a scheme can deliver; the table's latencies and
 * rates then describe that overload, and the user should know before reading them.
 */
export function saturationWarnings(r: Results): string[] {
  const out: string[] = [];
  for (const s of r.schemes) {
    const i = s.interrupts;
    const share = i.raised > 0 ? i.coalesced / i.raised : 0;
    if (share <= SATURATED_COALESCED && !s.pending.starved) continue;
    const why = [
      share > SATURATED_COALESCED ? `${pct(share)} of its interrupts coalesced into pending ones` : '',
      s.pending.starved
        ? `${s.pending.count} still pending at the end, the oldest for ${us(s.pending.oldestAgeNs)} µs`
        : '',
    ].filter((x) => x !== '');
    out.push(
      `warning: ${s.scheme} ran saturated: ${why.join('; ')} — its latencies and rates describe an overloaded guest`,
    );
  }
  return out;
}
