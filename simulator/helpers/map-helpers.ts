// Map helpers beyond lookup/update/delete: bpf_map_push_elem (87), bpf_map_pop_elem (88),
// bpf_map_peek_elem (89) on queue and stack maps; bpf_perf_event_output (25) into a perf event array, with the
// packet bytes BPF_F_CTXLEN_MASK asks for appended (bpf_skb_event_output / bpf_xdp_event_output); and
// bpf_spin_lock (93) / bpf_spin_unlock (94) on the lock word of a map value.
import { PerfEventArrayMap, QueueStackMap, SimMap } from '../maps/index.ts';
import type { HelperContext, HelperFunction, RegisterFile } from '../vm/index.ts';
import type { HelperEnv } from './helper-env.ts';

const EINVAL = 22;
const EFAULT = 14;
const BPF_F_INDEX_MASK = 0xffff_ffffn;
const BPF_F_CTXLEN_MASK = 0xf_ffffn << 32n;

function neg(n: number): bigint {
  return BigInt.asUintN(64, BigInt(n));
}

export function mapHelpers(env: HelperEnv): Record<number, HelperFunction> {
  const queue = (vm: HelperContext, r: RegisterFile, helper: string): QueueStackMap => {
    const m = vm.map(r.get(1));
    if (!(m instanceof QueueStackMap)) return vm.fault(`${helper}: map ${m.name} is not a queue or stack map`);
    return m;
  };
  return {
    87: (r, vm) => {
      const m = queue(vm, r, 'bpf_map_push_elem');
      const flags = r.get(3);
      return neg(m.push(vm.bytes(r.get(2), m.valueSize), flags > 0xffn ? -1 : Number(flags)));
    },
    88: (r, vm) => {
      const m = queue(vm, r, 'bpf_map_pop_elem');
      return neg(m.take(vm.bytes(r.get(2), m.valueSize, true), true));
    },
    89: (r, vm) => {
      const m = queue(vm, r, 'bpf_map_peek_elem');
      return neg(m.take(vm.bytes(r.get(2), m.valueSize, true), false));
    },
    25: (r, vm) => {
      const m = vm.map(r.get(2));
      if (!(m instanceof SimMap) || !(m instanceof PerfEventArrayMap)) return vm.fault(`bpf_perf_event_output: map ${m.name} is not a perf event array`);
      const flags = r.get(3);
      const size = Number(r.get(5));
      const data = size === 0 ? new Uint8Array(0) : vm.bytes(r.get(4), size);
      if ((flags & ~(BPF_F_CTXLEN_MASK | BPF_F_INDEX_MASK)) !== 0n) return neg(-EINVAL);
      const ctxLen = Number((flags & BPF_F_CTXLEN_MASK) >> 32n);
      let tail: Uint8Array = new Uint8Array(0);
      if (ctxLen > 0) {
        const from = env.packet?.view(0, ctxLen);
        if (from === undefined) return neg(-EFAULT);
        tail = from;
      }
      const record = new Uint8Array(data.length + tail.length);
      record.set(data);
      record.set(tail, data.length);
      return neg(m.output(flags, env.cpu, record));
    },
    93: (r, vm) => {
      const lock = vm.bytes(r.get(1), 4, true);
      if ((lock[0]! | lock[1]! | lock[2]! | lock[3]!) !== 0) return vm.fault('bpf_spin_lock: the lock is already held (a deadlock in the kernel)');
      lock[0] = 1;
      return 0;
    },
    94: (r, vm) => {
      const lock = vm.bytes(r.get(1), 4, true);
      if ((lock[0]! | lock[1]! | lock[2]! | lock[3]!) === 0) return vm.fault('bpf_spin_unlock: the lock is not held');
      lock.fill(0);
      return 0;
    },
  };
}
