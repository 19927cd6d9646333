// bpf_ktime_get_ns answered inside wasm from the simulator's clock lent to it (wasm-clock.ts): the answers
// and the clock after a batch are the interpreter's, with JavaScript reading the clock a few times per batch
// instead of once per read.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { assembleUbpf } from '../../../bpf/asm/index.ts';
import { readObject, type ObjectSpec } from '../../../bpf/index.ts';
import { Simulator } from '../../../simulator/index.ts';
import { packet } from '../../../simulator/packet/index.ts';
import { hasWasmProgram } from '../../../simulator/wasm-tier/index.ts';
import { repoRoot } from '../../corpora.ts';

const object = readObject(new Uint8Array(readFileSync(join(repoRoot, 'test/fixtures/xdp_pass.o'))));
const frames = Array.from({ length: 5 }, (_, i) => packet.eth().ipv4({ src: `10.0.0.${i + 1}` }).udp().build());

/** xdp_pass.o with its program replaced by `source` */
function spec(source: string): ObjectSpec {
  const fn = object.programs[0]!.function;
  const insns = assembleUbpf(source);
  return { ...object, functions: object.functions.map((f) => (f.name === fn ? { ...f, instructions: insns, references: [], lineInfo: [], coreRelocations: [] } : f)) };
}

/** Both tiers on `source`, `repeat` times over the frames: verdicts, the clock after, and the clock's reads by JavaScript. */
function both(source: string, repeat: number) {
  return (['interp', 'wasm'] as const).map((tier) => {
    const sim = new Simulator(spec(source), { unverified: true, tier, clock: 1_000_000_000n, clockStep: 1_000_003n });
    let clock = sim.clock;
    let reads = 0;
    Object.defineProperty(sim, 'clock', {
      get: () => (reads++, clock),
      set: (v: bigint) => void (clock = v),
    });
    const name = object.programs[0]!.name;
    const verdicts = [1, 2].map(() => sim.runBatch(name, frames, { repeat }).verdicts);
    if (tier === 'wasm') expect(hasWasmProgram(sim.program(name))).toBe(true);
    return { verdicts, clock, reads };
  });
}

// r0 = bits 20..21 of the sum of four reads, xor jiffies (read between the 2nd and 3rd when JIFFIES: about
// one jiffy per run at this clock step, so a jiffies that missed reads made in wasm gives other verdicts)
const reads = (jiffies: boolean) => `
mov %r7, 0
call 5
mov %r6, %r0
call 5
add %r6, %r0
${jiffies ? 'call 118\nmov %r7, %r0' : ''}
call 5
add %r6, %r0
call 5
add %r0, %r6
rsh %r0, 20
xor %r0, %r7
and %r0, 3
exit`;

describe('bpf_ktime_get_ns in wasm', () => {
  it('answers the reads of a batch as the interpreter, leaving the clock where the interpreter leaves it', () => {
    const [interp, wasm] = both(reads(false), 40);
    expect(wasm!.verdicts).toEqual(interp!.verdicts);
    expect(wasm!.clock).toBe(interp!.clock);
    expect(interp!.clock).toBe(1_000_000_000n + 2n * 4n * 40n * BigInt(frames.length) * 1_000_003n);
    expect(Object.keys(interp!.verdicts[0]!).length).toBeGreaterThan(1);
    // the interpreter reads the clock per call; JavaScript reads it a few times per batch on the fast tier
    expect(interp!.reads).toBeGreaterThanOrEqual(2 * 4 * 40 * frames.length);
    expect(wasm!.reads).toBeLessThan(20);
  });

  it('gives the clock back to a helper that reads it in JavaScript in between (bpf_jiffies64)', () => {
    const [interp, wasm] = both(reads(true), 10);
    expect(wasm!.verdicts).toEqual(interp!.verdicts);
    expect(wasm!.clock).toBe(interp!.clock);
  });
});
