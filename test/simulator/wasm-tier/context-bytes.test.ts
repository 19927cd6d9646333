// Context fields read and written in linear memory (context-bytes.ts) against the interpreter: the context
// afterwards, queue_mapping's dropped store, refused accesses, helpers that change fields, repeated runs.
import { describe, expect, it } from 'vitest';
import { assembleUbpf } from '../../../bpf/asm/index.ts';
import { contextLayout, fieldByName } from '../../../bpf/index.ts';
import { compileProgram, kernelHelpers, Memory, SimFault, SkbContext, Vm, XdpContext, type HelperEnv } from '../../../simulator/index.ts';
import { packet } from '../../../simulator/packet/index.ts';
import { registerContext, WasmVm } from '../../../simulator/wasm-tier/index.ts';

const at = (name: string): number => fieldByName(contextLayout('__sk_buff')!, name)!.offset;
const frame = packet.eth().ipv4().udp({ dport: 53 }).payload(new Uint8Array(8)).build();

/** `src` with {field} replaced by the field's offset in __sk_buff */
function prog(src: string) {
  return compileProgram(assembleUbpf(src.replace(/\{(\w+)\}/g, (_, f: string) => String(at(f)))));
}

/** Runs `runs` times on one memory and context in a tier: r0 or the fault, and the context's bytes after each. */
function run(tier: 'interp' | 'wasm', src: string, runs = 2): unknown[] {
  const memory = new Memory();
  const ctx = new SkbContext(memory, 'sched_cls', frame, { mark: 3, priority: 1 });
  registerContext(ctx);
  const env: HelperEnv = { cpu: 0, now: () => 0n, random: () => 4, printk: [], calls: [], packet: ctx.packet, contextKind: 'skb', skb: ctx };
  const vm = tier === 'interp' ? new Vm({ helpers: kernelHelpers(env) }) : new WasmVm({ helpers: kernelHelpers(env) });
  const p = prog(src);
  const out: unknown[] = [];
  for (let i = 0; i < runs; i++) {
    try {
      const r = vm.run(p, { memory, r1: ctx.region, packet: ctx.packet.region });
      out.push({ r0: r.r0, n: r.instructionsExecuted, ctx: Array.from(ctx.region.bytes) });
    } catch (e) {
      if (!(e instanceof SimFault)) throw e;
      out.push({ kind: e.kind, slot: e.slot, message: e.message, ctx: Array.from(ctx.region.bytes) });
    }
  }
  return out;
}

describe('context fields in linear memory', () => {
  it('reads and writes mark, priority, cb and tc_index as the interpreter, the context seeing every store', () => {
    const src = `ldxw %r2, [%r1+{mark}]
add %r2, 5
stxw [%r1+{mark}], %r2
stw [%r1+{priority}], 7
stxw [%r1+{cb}], %r2
ldxw %r3, [%r1+{cb}]
stxh [%r1+{tc_index}], %r3
ldxh %r4, [%r1+{tc_index}]
ldxw %r0, [%r1+{protocol}]
lsh %r0, 16
add %r0, %r4
exit`;
    const a = run('interp', src);
    expect(run('wasm', src)).toEqual(a);
    // the second run starts from what the first left (one context for both)
    const marks = a.map((r) => new DataView(Uint8Array.from((r as { ctx: number[] }).ctx).buffer).getUint32(at('mark'), true));
    expect(marks).toEqual([8, 13]);
  });

  it('hands a store made just before the exit to the context', () => {
    const src = `ldxw %r0, [%r1+{mark}]
stw [%r1+{priority}], 42
exit`;
    const a = run('interp', src);
    expect(run('wasm', src)).toEqual(a);
  });

  it('drops a queue_mapping store at or above 0xffff as the interpreter', () => {
    const src = `stw [%r1+{queue_mapping}], 7
ldxw %r2, [%r1+{queue_mapping}]
lddw %r3, 0x10000
stxw [%r1+{queue_mapping}], %r3
ldxw %r0, [%r1+{queue_mapping}]
add %r0, %r2
exit`;
    const a = run('interp', src);
    expect(run('wasm', src)).toEqual(a);
    expect(a[0]).toMatchObject({ r0: 14n });
  });

  it('faults a store the access rule refuses at the same instruction, after the stores before it', () => {
    const src = `stw [%r1+{mark}], 9
stw [%r1+{protocol}], 1
exit`;
    const a = run('interp', src);
    expect(a[0]).toHaveProperty('kind');
    expect(run('wasm', src)).toEqual(a);
  });

  it('sees a field a helper changed, and the helper sees the fields stored before it', () => {
    // bpf_get_hash_recalc (34) stores skb->hash; bpf_skb_change_proto (31) changes skb->protocol
    const src = `mov %r6, %r1
stw [%r6+{mark}], 77
call 34
ldxw %r7, [%r6+{hash}]
mov %r1, %r6
mov %r2, 0xdd86
mov %r3, 0
call 31
ldxw %r0, [%r6+{protocol}]
ldxw %r2, [%r6+{mark}]
add %r0, %r2
add %r0, %r7
exit`;
    const a = run('interp', src);
    expect(a[0]).toHaveProperty('r0');
    expect(run('wasm', src)).toEqual(a);
  });

  it('reads xdp_md ingress_ifindex and rx_queue_index, and refuses what the interpreter refuses', () => {
    const srcs = [
      'ldxw %r0, [%r1+12]\nldxw %r2, [%r1+16]\nlsh %r0, 8\nadd %r0, %r2\nexit',
      'ldxw %r0, [%r1+12]\nldxw %r2, [%r1+20]\nexit',
      'ldxw %r0, [%r1+12]\nstw [%r1+16], 1\nexit',
      'ldxh %r0, [%r1+12]\nldxb %r2, [%r1+17]\nexit',
    ];
    for (const src of srcs) {
      const outcomes = [new Vm(), new WasmVm()].map((vm) => {
        const memory = new Memory();
        const ctx = new XdpContext(memory, frame, { ingressIfindex: 7, rxQueueIndex: 3 });
        registerContext(ctx);
        const p = compileProgram(assembleUbpf(src));
        return [0, 1].map(() => {
          try {
            return vm.run(p, { memory, r1: ctx.region, packet: ctx.packet.region });
          } catch (e) {
            if (!(e instanceof SimFault)) throw e;
            return { kind: e.kind, slot: e.slot, message: e.message };
          }
        });
      });
      expect(outcomes[1], src).toEqual(outcomes[0]);
    }
  });
});
