// `--set path=value` overrides: applied to the input before validation, YAML values, bad paths named.

import { describe, expect, it } from 'vitest';
import { BUILTIN_SCENARIOS } from '../../src/scenario/builtin.ts';
import { applySetOverrides, parseSetOverride, validateWithSets } from '../../src/scenario/set.ts';
import { scenarioErrorMessage } from '../helpers.ts';

const small = BUILTIN_SCENARIOS['x86-small'];
const message = scenarioErrorMessage;

describe('--set', () => {
  it('sets nested fields and list entries with YAML-typed values; the built-in itself is untouched', () => {
    const s = validateWithSets(small, [
      'devices[0].arrival.rate=200000',
      'host.pcpus=4',
      'duration=2ms',
      'host.x2apic=false',
      'schemes=[bare-metal, x86-vmx]',
      'vms[0].guest.ipi.vector=0xf0',
      'host.haltPoll.maxNs=50us',
    ]);
    expect(s.devices[0].arrival).toEqual({ process: 'poisson', rate: 200_000 });
    expect(s.host.pcpus).toBe(4);
    expect(s.duration).toBe(2_000_000);
    expect(s.host.x2apic).toBe(false);
    expect(s.schemes).toEqual(['bare-metal', 'x86-vmx']);
    expect(s.vms[0].guest.ipi?.vector).toBe(0xf0);
    expect(s.host.haltPoll).toMatchObject({ maxNs: 50_000 });
    expect(small.host).toEqual({ pcpus: 2, timerHz: 1000 });
  });

  it('creates a missing object on the way; later overrides see earlier ones', () => {
    const arm = BUILTIN_SCENARIOS['arm-lr-pressure'];
    const out = applySetOverrides(arm, ['host.gic.listRegs=8']) as { host: { gic: { listRegs: number } } };
    expect(out.host.gic.listRegs).toBe(8);
    const s = validateWithSets(small, [
      'devices[0].kind=nic',
      'devices[0].napi={perPacket: {dist: fixed, value: 300}}',
      'devices[0].arrival={process: closed, clients: 4, think: {dist: fixed, value: 20us}}',
      'devices[0].arrival.clients=8',
    ]);
    expect(s.devices[0].arrival).toMatchObject({ process: 'closed', clients: 8 });
  });

  it.each([
    ['host.pcpu=4', '--set host.pcpu=4: scenario.host.pcpu: unknown key (did you mean pcpus?)'],
    ['devices[3].vector=40', '--set devices[3].vector=40: scenario.devices has 1 entry; [3] is past its end'],
    ['seed.x=1', '--set seed.x=1: scenario.seed is a number, not an object'],
    ['host[0]=1', '--set host[0]=1: scenario.host is an object, not a list'],
    ['pcpus', '--set pcpus: expected path=value (e.g. host.pcpus=4)'],
    ['a..b=1', expect.stringMatching(/^--set a\.\.b=1: "a\.\.b" is not a field path/)],
    ['name=[unclosed', expect.stringMatching(/^--set name=\[unclosed: the value is not valid YAML/)],
    ['__proto__.x=1', expect.stringMatching(/^--set __proto__\.x=1: scenario\.__proto__: unknown key/)],
  ])('%s → one line naming it', (set, line) => {
    expect(message(() => validateWithSets(small, [set]))).toEqual(line);
  });

  it('a value the schema refuses is reported at its field, saying which --set put it there', () => {
    expect(message(() => validateWithSets(small, ['host.pcpus=0'])).split('\n')[0]).toBe(
      'scenario.host.pcpus: Too small: expected number to be >=1 (from --set host.pcpus=0)',
    );
  });

  it('parseSetOverride keeps strings that look like times as strings (the schema parses them)', () => {
    expect(parseSetOverride('duration=20ms').value).toBe('20ms');
    expect(parseSetOverride('schemes[0]=x86-vmx').value).toBe('x86-vmx');
    expect(parseSetOverride('description=a=b').value).toBe('a=b');
  });
});
