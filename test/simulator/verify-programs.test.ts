// Verified by default: Simulator.load refuses what the kernel's verifier would refuse, with its report;
// { unverified: true } runs such programs, and their faults land on the instruction the verifier names.
import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { readObject, type ObjectSpec } from '../../bpf/index.ts';
import { ProgramRejectedError, Simulator, SimFault } from '../../simulator/index.ts';
import { packet as pkt } from '../../simulator/packet/index.ts';

const fixture = (name: string) => `test/fixtures/${name}.o`;

async function rejection(source: string | ObjectSpec): Promise<ProgramRejectedError> {
  try {
    await Simulator.load(source);
  } catch (e) {
    expect(e).toBeInstanceOf(ProgramRejectedError);
    return e as ProgramRejectedError;
  }
  throw new Error('expected the load to be refused');
}

function faultOf(f: () => unknown): SimFault {
  try {
    f();
  } catch (e) {
    expect(e).toBeInstanceOf(SimFault);
    return e as SimFault;
  }
  throw new Error('expected a SimFault');
}

describe('Simulator.load verifies programs by default', () => {
  it('accepts a program the verifier accepts and keeps its report', async () => {
    const sim = await Simulator.load(fixture('xdp_firewall'));
    expect(sim.verified.map((r) => [r.program, r.verdict, r.profile])).toEqual([['xdp_firewall', 'accept', 'linux-6.18']]);
  });

  it('refuses a packet read past the checked bounds with the kernel wording, instruction and source line', async () => {
    const e = await rejection(fixture('bad_bounds'));
    expect(e.report.verdict).toBe('reject');
    expect(e.message).toMatch(/^program bad_bounds: the verifier \(linux-6\.18\) refuses it: instruction \d+ \(.*bad_bounds\.c:\d+: if \(ip->protocol == IPPROTO_UDP\)\): invalid access to packet/);
  });

  it('refuses a map value used without a null check', async () => {
    const e = await rejection(fixture('bad_null_check'));
    expect(e.message).toMatch(/invalid mem access 'map_value_or_null'/);
  });

  it('refuses a program type the verifier cannot check yet and says how to run it anyway', async () => {
    const e = await rejection(fixture('core_task'));
    expect(e.report.verdict).toBe('unsupported');
    expect(e.message).toMatch(/program core_task: the verifier cannot check it yet \(program type kprobe\).*\{ unverified: true \}/);
    await expect(Simulator.load(fixture('core_task'), { unverified: true })).resolves.toBeInstanceOf(Simulator);
  });

  it('new Simulator(spec) verifies too', () => {
    expect(() => new Simulator(readObject(readFileSync(fixture('bad_map_oob'))))).toThrow(ProgramRejectedError);
  });
});

describe('unverified programs fault where the verifier says they are wrong', () => {
  const frame = pkt.eth().ipv4().udp().build();

  it('an out-of-bounds packet read (bad_bounds) faults at the verifier\'s instruction', async () => {
    const { report } = await rejection(fixture('bad_bounds'));
    const sim = await Simulator.load(fixture('bad_bounds'), { unverified: true });
    const f = faultOf(() => sim.run('bad_bounds', frame.subarray(0, 14)));
    expect(f.kind).toBe('memory');
    expect(f.region).toBe('packet');
    expect(f.slot).toBe(report.error!.insn);
    expect(f.sourceLine).toMatch(/bad_bounds\.c:\d+: if \(ip->protocol == IPPROTO_UDP\)/);
  });

  it('an out-of-bounds map value write (bad_map_oob) faults at the verifier\'s instruction', async () => {
    const { report } = await rejection(fixture('bad_map_oob'));
    const sim = await Simulator.load(fixture('bad_map_oob'), { unverified: true });
    const f = faultOf(() => sim.run('bad_map_oob', frame));
    expect(f.kind).toBe('memory');
    expect(f.region).toBe('counts[0]');
    expect(f.offset).toBe(8);
    expect(f.slot).toBe(report.error!.insn);
  });

  it('a null map value (bad_null_check) faults at the verifier\'s instruction', async () => {
    const { report } = await rejection(fixture('bad_null_check'));
    const sim = await Simulator.load(fixture('bad_null_check'), { unverified: true });
    const f = faultOf(() => sim.run('bad_null_check', frame));
    expect(f.message).toMatch(/address 0 \(null\)/);
    expect(f.slot).toBe(report.error!.insn);
    sim.map('counts').set(0, 41);
    expect(sim.run('bad_null_check', frame).action).toBe('XDP_PASS');
    expect(sim.map('counts').getNumber(0)).toBe(42n);
  });

  it('a bad helper argument (bad_helper_arg: a number as the key pointer) faults at the call', async () => {
    const { report } = await rejection(fixture('bad_helper_arg'));
    const sim = await Simulator.load(fixture('bad_helper_arg'), { unverified: true });
    const f = faultOf(() => sim.run('bad_helper_arg', frame, { mark: 7 }));
    expect(f.kind).toBe('memory');
    expect(f.message).toMatch(/helper bpf_map_update_elem \(#2\): invalid read of 4 bytes at address 0x7 \(not a pointer\)/);
    expect(f.slot).toBe(report.error!.insn);
  });
});
