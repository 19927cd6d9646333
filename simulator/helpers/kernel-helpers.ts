// The kernel's helpers, by id, over the simulator's maps and contexts. Every id the bpf/ helpers table
// knows is dispatched; the ones not implemented fault naming the helper, never returning a silent zero.
import { helperById } from '../../bpf/index.ts';
import { csumDiff, l3CsumReplace, l4CsumReplace } from '../packet/index.ts';
import { ringbufOf, RingbufMap, SimMap, Errno } from '../maps/index.ts';
import { XDP_FRAME_SIZE, ETH_HLEN } from '../context/index.ts';
import type { HelperContext, HelperDispatch, HelperFunction, RegisterFile } from '../vm/index.ts';
import { fibLookup, FIB_LOOKUP_SIZE } from './fib-table.ts';
import { formatPrintk } from './format-printk.ts';
import type { HelperEnv } from './helper-env.ts';
import { mapHelpers } from './map-helpers.ts';
import { packetHelpers } from './packet-helpers.ts';
import { redirectHelpers } from './redirect-helpers.ts';
import { registerHelpers } from './register-helpers.ts';

/** CONFIG_HZ of this machine's kernel (Debian: 250): bpf_jiffies64 when the environment gives no jiffies(). */
const HZ = 250n;

const EFAULT = 14;
/** BPF_MAX_LOOPS */
const MAX_LOOPS = 1 << 23;

function simMap(vm: HelperContext, address: bigint): SimMap {
  const m = vm.map(address);
  if (!(m instanceof SimMap)) vm.fault(`map ${m.name} is not a simulator map`);
  return m;
}

function neg(n: number): bigint {
  return BigInt.asUintN(64, BigInt(n));
}

/** The helper table for one run. */
export function kernelHelpers(env: HelperEnv): HelperDispatch {
  const packet = (vm: HelperContext, kind: 'xdp' | 'skb', helper: string) => {
    if (env.packet === undefined || env.contextKind !== kind) vm.fault(`${helper} needs an ${kind === 'xdp' ? 'XDP' : 'skb'} context`);
    return env.packet;
  };
  const table: Record<number, HelperFunction> = {
    1: (r, vm) => {
      const m = simMap(vm, r.get(1));
      return m.lookup(vm.bytes(r.get(2), m.keySize), env.cpu);
    },
    2: (r, vm) => {
      const m = simMap(vm, r.get(1));
      return neg(m.update(vm.bytes(r.get(2), m.keySize), vm.bytes(r.get(3), m.valueSize), r.get(4) > 0xffffffffn ? -1 : Number(r.get(4)), env.cpu));
    },
    3: (r, vm) => {
      const m = simMap(vm, r.get(1));
      return neg(m.delete(vm.bytes(r.get(2), m.keySize)));
    },
    5: () => env.now(),
    125: () => env.now(), // bpf_ktime_get_boot_ns: the same controllable clock
    160: () => env.now(), // bpf_ktime_get_coarse_ns
    208: () => env.now(), // bpf_ktime_get_tai_ns
    118: () => env.jiffies?.() ?? (env.now() * HZ) / 1_000_000_000n,
    69: (r, vm) => {
      if (env.packet === undefined) return vm.fault('bpf_fib_lookup needs an XDP or skb context');
      const plen = r.u32(3);
      if (plen < FIB_LOOKUP_SIZE) return neg(-22);
      const params = vm.bytes(r.get(2), FIB_LOOKUP_SIZE, true);
      return neg(fibLookup(env.fib, params, r.get(4), env.contextKind === 'skb' ? env.packet.length : -1));
    },
    6: (r, vm) => {
      const size = r.u32(2);
      const raw = vm.bytes(r.get(1), size);
      const nul = raw.indexOf(0);
      if (nul < 0) return neg(-22);
      const line = formatPrintk(new TextDecoder().decode(raw.subarray(0, nul)), [r.get(3), r.get(4), r.get(5)], vm.memory);
      env.printk.push(line);
      return new TextEncoder().encode(line).length;
    },
    7: () => env.random() >>> 0,
    8: () => env.cpu,
    12: (r, vm) => {
      vm.tailCall(r.get(2), r.u32(3));
      return undefined;
    },
    9: (r, vm) => {
      const p = packet(vm, 'skb', 'bpf_skb_store_bytes');
      const offset = r.u32(2);
      const len = r.u32(4);
      const flags = r.get(5);
      if ((flags & ~3n) !== 0n) return neg(-22);
      if (offset > 0xffff) return neg(-EFAULT);
      const dst = p.view(offset, len);
      if (dst === undefined) return neg(-EFAULT);
      dst.set(vm.bytes(r.get(3), len).slice());
      return 0;
    },
    26: (r, vm) => {
      const p = packet(vm, 'skb', 'bpf_skb_load_bytes');
      const offset = r.u32(2);
      const len = r.u32(4);
      const to = vm.bytes(r.get(3), len, true);
      const src = offset > 0x7fffffff ? undefined : p.view(offset, len);
      if (src === undefined) {
        to.fill(0);
        return neg(-EFAULT);
      }
      to.set(src);
      return 0;
    },
    10: (r, vm) => csumReplace(r, vm, 'l3'),
    11: (r, vm) => csumReplace(r, vm, 'l4'),
    28: (r, vm) => {
      const fromSize = r.u32(2);
      const toSize = r.u32(4);
      const from = fromSize === 0 ? new Uint8Array(0) : vm.bytes(r.get(1), fromSize);
      const to = toSize === 0 ? new Uint8Array(0) : vm.bytes(r.get(3), toSize);
      return neg(csumDiff(from, to, r.get(5)));
    },
    44: (r, vm) => {
      const p = packet(vm, 'xdp', 'bpf_xdp_adjust_head');
      const delta = Number(BigInt.asIntN(32, r.get(2)));
      const data = p.data + delta;
      const metalen = p.data - p.meta;
      if (data < XDP_FRAME_SIZE + metalen || data > p.end - ETH_HLEN) return neg(-22);
      if (metalen > 0) p.region.bytes.copyWithin(p.meta + delta, p.meta, p.data);
      p.setWindow(p.meta + delta, data, p.end);
      return 0;
    },
    130: (r, vm) => {
      const m = simMap(vm, r.get(1));
      if (!(m instanceof RingbufMap)) return vm.fault(`bpf_ringbuf_output: map ${m.name} is not a ring buffer`);
      if ((r.get(4) & ~3n) !== 0n) return neg(-22);
      return neg(m.output(vm.bytes(r.get(2), Number(r.get(3))).slice()));
    },
    131: (r, vm) => {
      const m = simMap(vm, r.get(1));
      if (!(m instanceof RingbufMap)) return vm.fault(`bpf_ringbuf_reserve: map ${m.name} is not a ring buffer`);
      if (r.get(3) !== 0n) return 0n;
      return m.reserve(Number(r.get(2)))?.address() ?? 0n;
    },
    132: (r, vm) => ringbufCommit(r, vm, false),
    133: (r, vm) => ringbufCommit(r, vm, true),
    ...redirectHelpers(env),
    ...packetHelpers(env),
    ...mapHelpers(env),
    181: (r, vm) => {
      const n = r.u32(1);
      if (r.get(4) !== 0n) return neg(-22);
      if (n > MAX_LOOPS) return neg(-Errno.E2BIG);
      // one address and one argument array for every iteration (callFunction reads them before returning)
      const callback = r.get(2);
      const args: [number, bigint] = [0, r.get(3)];
      for (let i = 0; i < n; i++) {
        args[0] = i;
        if (vm.callFunction(callback, args) !== 0n) return i + 1;
      }
      return n;
    },
  };

  function ringbufCommit(r: RegisterFile, vm: HelperContext, discard: boolean): bigint | number {
    const { region, offset } = vm.memory.locate(r.get(1));
    const m = region === undefined ? undefined : ringbufOf(region);
    if (region === undefined || m === undefined || offset !== 0) vm.fault(`bpf_ringbuf_${discard ? 'discard' : 'submit'}: not a reserved ring buffer record`);
    m.commit(region, discard);
    return 0;
  }

  function csumReplace(r: RegisterFile, vm: HelperContext, which: 'l3' | 'l4'): bigint | number {
    const p = packet(vm, 'skb', `bpf_${which}_csum_replace`);
    const offset = r.u32(2);
    const flags = r.get(5);
    if ((flags & (which === 'l3' ? ~0xfn : ~0xffn)) !== 0n) return neg(-22);
    if (offset > 0xffff || (offset & 1) !== 0) return neg(-EFAULT);
    const at = p.view(offset, 2);
    if (at === undefined) return neg(-EFAULT);
    const field = at[0]! | (at[1]! << 8);
    const res = which === 'l3'
      ? l3CsumReplace(field, r.get(3), r.get(4), { flags, offset })
      : l4CsumReplace(field, r.get(3), r.get(4), { flags, offset });
    if (res.ret === 0) {
      at[0] = res.field & 0xff;
      at[1] = res.field >> 8;
    }
    return neg(res.ret);
  }

  const known = new Map<number, boolean>();
  const has = (id: number): boolean => {
    let k = known.get(id);
    if (k === undefined) {
      k = helperById(id) !== undefined || id in table;
      known.set(id, k);
    }
    return k;
  };
  const unrecorded = env.unrecorded === true;
  return {
    has,
    name: (id) => {
      const h = helperById(id);
      return h === undefined ? undefined : h.symbol;
    },
    ...(unrecorded ? { fast: registerHelpers(env) } : {}),
    call: (id, regs, vm) => {
      const f = table[id];
      if (f === undefined) return vm.fault(`${helperById(id)?.symbol ?? `helper ${id}`} (helper ${id}) is not implemented by the simulator`);
      if (unrecorded) return f(regs, vm);
      const name = helperById(id)?.symbol ?? `helper ${id}`;
      const call = { id, name, args: [1, 2, 3, 4, 5].map((n) => regs.get(n)) } as { id: number; name: string; args: bigint[]; ret?: bigint };
      env.calls.push(call);
      const ret = f(regs, vm);
      if (ret !== undefined) call.ret = BigInt.asUintN(64, BigInt(ret));
      return ret;
    },
  };
}
