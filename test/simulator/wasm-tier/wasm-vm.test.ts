// The fast tier against the reference interpreter: the conformance corpora case by case, faults in full,
// budgets, calls, tail calls and tier selection.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { assembleUbpf } from '../../../bpf/asm/index.ts';
import { readObject } from '../../../bpf/index.ts';
import { CompiledProgram, compileProgram, helperTable, Memory, runConformance, SimFault, Simulator, tailCallHelper, Vm, type ProgArrayHandle } from '../../../simulator/index.ts';
import { packet } from '../../../simulator/packet/index.ts';
import { AUTO_THRESHOLD, hasWasmProgram, resolveTier, WasmVm } from '../../../simulator/wasm-tier/index.ts';
import { corpusDir, repoRoot } from '../../corpora.ts';

const fixture = (name: string) => readObject(new Uint8Array(readFileSync(join(repoRoot, 'test/fixtures', name))));

function outcome(run: () => unknown): unknown {
  try {
    return run();
  } catch (e) {
    if (!(e instanceof SimFault)) throw e;
    const { kind, slot, program, region, offset, size, address, message } = e;
    return { kind, slot, program, region, offset, size, address, message };
  }
}

describe('WasmVm', () => {
  it('gives every bpf_conformance and uBPF case the same result as the interpreter', () => {
    const suites = [
      [join(corpusDir('bpf_conformance'), 'tests'), 'kernel'],
      [corpusDir('ubpf'), 'ubpf'],
    ] as const;
    for (const [dir, helpers] of suites) {
      const interp = runConformance([dir], { helpers });
      const wasm = runConformance([dir], { helpers, tier: 'wasm' });
      expect(wasm.failed).toBe(0);
      expect(wasm.results).toEqual(interp.results);
    }
  });

  it('faults a runaway loop at the same instruction, and counts the same instructions otherwise', () => {
    const prog = compileProgram(assembleUbpf('mov %r0, 0\nloop:\nadd %r0, 1\nstxdw [%r10-8], %r0\njlt %r0, 1000, loop\nexit'));
    for (const budget of [1, 2, 5, 1000, 3001, 3002, 3003]) {
      const a = outcome(() => new Vm({ budget }).run(prog));
      const b = outcome(() => new WasmVm({ budget }).run(prog));
      expect(b).toEqual(a);
    }
    expect(outcome(() => new WasmVm({ budget: 100 }).run(prog))).toMatchObject({ kind: 'budget', slot: 1 });
  });

  it('faults out-of-bounds accesses of the stack, a region and null with the interpreter\'s fault', () => {
    const cases = [
      'stxdw [%r10-520], %r1\nexit', // below the frame
      'stb [%r10], 1\nexit', // at the frame pointer
      'ldxw %r0, [%r1+2]\nexit', // past the end of a 4-byte region
      'mov %r1, 0\nldxb %r0, [%r1]\nexit', // null
      'lddw %r1, 0x7fffc0de00000000\nldxb %r0, [%r1]\nexit', // a function address
      'stw [%r2], 1\nexit', // a read-only region
    ];
    for (const src of cases) {
      const prog = compileProgram(assembleUbpf(src));
      const run = (vm: Vm | WasmVm) => {
        const memory = new Memory();
        const r1 = memory.add({ name: 'mem', kind: 'memory', bytes: Uint8Array.of(1, 2, 3, 4) });
        const r2 = memory.add({ name: '.rodata', kind: 'global', size: 8, writable: false });
        return outcome(() => vm.run(prog, { memory, r1, r2 }));
      };
      const a = run(new Vm());
      expect(a).toHaveProperty('kind');
      expect(run(new WasmVm())).toEqual(a);
    }
  });

  it('runs BPF-to-BPF calls, deep recursion and the stack limit as the interpreter does', () => {
    const calls = compileProgram(assembleUbpf('mov %r6, 7\nmov %r1, 5\ncall f\nadd %r0, %r6\nexit\nf:\nstxdw [%r10-8], %r1\nldxdw %r0, [%r10-8]\nmov %r6, 100\nmul %r0, 3\nexit'));
    expect(new WasmVm().run(calls)).toEqual(new Vm().run(calls));
    expect(new WasmVm().run(calls).r0).toBe(22n);
    // unbounded recursion: call depth
    const deep = compileProgram(assembleUbpf('call f\nexit\nf:\ncall f\nexit'));
    expect(outcome(() => new WasmVm().run(deep))).toEqual(outcome(() => new Vm().run(deep)));
    // each frame uses 512 bytes: the second one overflows the combined stack
    const big = compileProgram(assembleUbpf('stdw [%r10-512], 1\ncall f\nexit\nf:\nstdw [%r10-512], 2\nexit'));
    const a = outcome(() => new Vm().run(big));
    expect(a).toMatchObject({ kind: 'stack' });
    expect(outcome(() => new WasmVm().run(big))).toEqual(a);
  });

  it('tail-calls up to the limit of 33, and from a subprogram back into its caller, as the interpreter', () => {
    const helpers = helperTable({ 12: tailCallHelper });
    // counts its runs in ctx[0], then tail-calls slot 0 (itself)
    const again = compileProgram(
      assembleUbpf('mov %r7, %r2\nldxw %r2, [%r1]\nadd %r2, 1\nstxw [%r1], %r2\nmov %r2, %r7\nmov %r3, 0\ncall 12\nmov %r0, 7\nexit'),
      { name: 'again' },
    );
    const target = compileProgram(assembleUbpf('mov %r0, 40\nexit'), { name: 'target' });
    const main = compileProgram(assembleUbpf('mov %r6, 2\ncall f\nadd %r0, %r6\nexit\nf:\nmov %r3, 0\ncall 12\nmov %r0, 99\nexit'), { name: 'main' });
    const run = (vm: Vm | WasmVm, prog: typeof again, slot0: typeof again) => {
      const memory = new Memory();
      const jmp: ProgArrayHandle = { name: 'jmp', type: 3, keySize: 4, valueSize: 4, maxEntries: 1, program: (i) => (i === 0 ? slot0 : undefined) };
      const map = memory.addMap(jmp);
      const ctx = memory.add({ name: 'ctx', kind: 'ctx', size: 4 });
      const r = vm.run(prog, { memory, r1: ctx, r2: map });
      return { r, count: new DataView(ctx.bytes.buffer).getUint32(0, true) };
    };
    const self = run(new WasmVm({ helpers }), again, again);
    expect(self).toEqual(run(new Vm({ helpers }), again, again));
    expect(self).toMatchObject({ r: { r0: 7n, tailCalls: 33 }, count: 34 });
    const sub = run(new WasmVm({ helpers }), main, target);
    expect(sub).toEqual(run(new Vm({ helpers }), main, target));
    expect(sub.r).toMatchObject({ r0: 42n, tailCalls: 1 });
  });

  it('lets helpers call back into the program (bpf_loop style) and counts the callback in the budget', () => {
    // r1 = the callback at slot 6; bpf_loop(3, callback): r0 = 3 loops, then + r6; the callback adds to ctx[0]
    const src = 'lddw %r1, 0\nmov %r6, 7\ncall 181\nadd %r0, %r6\nexit\nexit\nmov %r0, 0\nexit';
    const insns = assembleUbpf(src);
    insns[0] = { kind: 'lddw', dst: 1, pseudo: 'func', value: 5n }; // slots 0..1: the function at 0 + 1 + 5 = 6
    const prog = compileProgram(insns);
    const helpers = helperTable({
      181: (_r, vm) => {
        let i = 0;
        while (i < 3 && vm.callFunction(CompiledProgram.functionAddress(6), [i]) === 0n) i++;
        return i;
      },
    });
    const a = new Vm({ helpers }).run(prog, { memory: new Memory() });
    const b = new WasmVm({ helpers }).run(prog, { memory: new Memory() });
    expect(b).toEqual(a);
    expect(b.r0).toBe(10n);
  });

  it('divides, shifts and zero-extends as the kernel', () => {
    const src = [
      'lddw %r0, 0x8000000000000000\nmov %r1, -1\nsdiv %r0, %r1\nexit',
      'mov32 %r0, 0x80000000\nmov32 %r1, -1\nsdiv32 %r0, %r1\nexit',
      'mov %r0, 7\nmod %r0, 0\nexit',
      'lddw %r0, 0x123456789\nmov32 %r1, 0\ndiv32 %r0, %r1\nexit',
      'lddw %r0, 0x123456789\nmod32 %r0, 0\nexit',
      'lddw %r0, -5\nsmod %r0, -3\nexit',
      'mov %r0, 1\nlsh %r0, 63\narsh %r0, 65\nexit',
      'lddw %r0, 0xffffffffffffffff\nadd32 %r0, 1\nexit',
      'lddw %r0, 0x0102030405060708\nbe64 %r0\nexit',
      'lddw %r0, 0x0102030405060708\nbe16 %r0\nexit',
    ];
    for (const s of src) {
      const prog = compileProgram(assembleUbpf(s));
      expect(new WasmVm().run(prog).r0).toBe(new Vm().run(prog).r0);
    }
  });
});

describe('the tiers in the Simulator', () => {
  it('tail-calls, counts maps and rewrites packets the same way in both tiers', () => {
    const frame = packet.eth().ipv4().udp({ dport: 53 }).payload(new Uint8Array(20)).build();
    for (const [file, prog] of [['maps.o', 'xdp_maps'], ['subprogs.o', 'xdp_calls'], ['atomics.o', 'xdp_atomics'], ['xdp_firewall.o', 'xdp_firewall']] as const) {
      const spec = fixture(file);
      const sims = (['interp', 'wasm'] as const).map((tier) => new Simulator(spec, { unverified: true, tier }));
      const results = sims.map((sim) => {
        const first = sim.run(prog, frame);
        if (file === 'maps.o') sim.setTailCall('jumps', 0, 'tail_target');
        return [first, sim.run(prog, frame)].map((r) => ({ ...r, skb: undefined }));
      });
      expect(results[1]).toEqual(results[0]);
      if (file === 'maps.o') expect(results[1]!.map((r) => r.action)).toEqual(['XDP_PASS', 'XDP_DROP']);
      const maps = sims.map((sim) => [...sim.maps].map(([name, m]) => [name, m.entries()]));
      expect(maps[1]).toEqual(maps[0]);
    }
  });

  it('faults on a missing null check or bounds check identically (unverified bad fixtures)', () => {
    const frame = packet.eth().ipv4().tcp({ dport: 22 }).build();
    for (const file of ['bad_null_check.o', 'bad_bounds.o', 'bad_map_oob.o']) {
      const spec = fixture(file);
      const faults = (['interp', 'wasm'] as const).map((tier) => {
        const sim = new Simulator(spec, { unverified: true, tier });
        return sim.programs.map((p) => outcome(() => sim.run(p, frame.subarray(0, 20))));
      });
      expect(faults[1]).toEqual(faults[0]);
    }
  });

  it("'auto' interprets a program's first runs, then compiles it", () => {
    const sim = new Simulator(fixture('xdp_pass.o'), { unverified: true });
    const prog = sim.program('xdp_pass');
    expect(hasWasmProgram(prog)).toBe(false);
    const frame = packet.eth().ipv4().udp().build();
    for (let i = 0; i < AUTO_THRESHOLD; i++) sim.run('xdp_pass', frame);
    expect(hasWasmProgram(prog)).toBe(false);
    sim.run('xdp_pass', frame);
    expect(hasWasmProgram(prog)).toBe(true);
    expect(resolveTier(prog, 'interp')).toBe('interp');
  });

  it('runBatch() counts verdicts and faults', () => {
    const sim = new Simulator(fixture('xdp_firewall.o'), { unverified: true, tier: 'wasm' });
    const frames = [packet.eth().ipv4().tcp({ dport: 22 }).build(), packet.eth().ipv4().udp().build()];
    const r = sim.runBatch('xdp_firewall', [...frames, ...frames, frames[0]!]);
    expect(r.packets).toBe(5);
    const expected: Record<string, number> = {};
    for (const f of [...frames, ...frames, frames[0]!]) {
      const a = new Simulator(fixture('xdp_firewall.o'), { unverified: true, tier: 'interp' }).run('xdp_firewall', f).action;
      expected[a] = (expected[a] ?? 0) + 1;
    }
    expect(r.verdicts).toEqual(expected);
    expect(r.faults).toBe(0);
    expect(r.packetsPerSecond).toBeGreaterThan(0);
  });
});
