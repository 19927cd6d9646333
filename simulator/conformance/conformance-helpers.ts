// The helper sets `.data` test cases are run with.
//
// bpf_conformance leaves helpers to its plugins: the libbpf plugin has the kernel's (`call 5` is
// bpf_ktime_get_ns), uBPF's plugin registers its own test helpers under ids that collide with the kernel's
// (ubpf_plugin/test_helpers.h): 0 gather_bytes, 1 memfrob, 2 no_op, 3 sqrti, 4 strcmp_ext, 5 unwind (uBPF's
// "unwind" extension: a zero return ends the program with r0 = 0).
//
// 'kernel' (the default) offers the kernel's context-free helpers, deterministically: bpf_ktime_get_ns,
// bpf_ktime_get_boot_ns (a fixed clock), bpf_get_prandom_u32 (a fixed-seed generator), bpf_get_smp_processor_id
// (CPU 0), bpf_jiffies64. The simulator proper (maps, packets) brings the rest. 'ubpf' is uBPF's set.
import { helperById } from '../../bpf/index.ts';
import { helperTable, type HelperDispatch, type HelperFunction, type Memory } from '../vm/index.ts';

export type HelperSetName = 'kernel' | 'ubpf';

/** uBPF's test helpers by id, with their names. */
export const UBPF_HELPER_NAMES: Readonly<Record<number, string>> = {
  0: 'gather_bytes',
  1: 'memfrob',
  2: 'no_op',
  3: 'sqrti',
  4: 'strcmp_ext',
  5: 'unwind',
};

const ubpf: Record<number, HelperFunction> = {
  0: (r) =>
    ((r.get(1) & 0xffn) << 32n) | ((r.get(2) & 0xffn) << 24n) | ((r.get(3) & 0xffn) << 16n) | ((r.get(4) & 0xffn) << 8n) | (r.get(5) & 0xffn),
  1: (r, vm) => {
    const len = r.get(2);
    if (len > 0n) {
      const bytes = vm.bytes(r.get(1), Number(len), true);
      for (let i = 0; i < bytes.length; i++) bytes[i]! ^= 42;
    }
    return 0;
  },
  2: () => 0,
  3: (r) => BigInt(Math.floor(Math.sqrt(Number(r.get(1))))),
  4: (r, vm) => {
    const a = cBytes(vm.memory, r.get(1));
    const b = cBytes(vm.memory, r.get(2));
    for (let i = 0; ; i++) {
      const x = a[i] ?? 0;
      const y = b[i] ?? 0;
      if (x !== y || x === 0) return BigInt.asUintN(64, BigInt(x - y));
    }
  },
  5: (r, vm) => {
    const v = r.get(1);
    if (v === 0n) vm.exit(0n);
    return v;
  },
};

function cBytes(memory: Memory, address: bigint): Uint8Array {
  const s = memory.cString(address);
  return new TextEncoder().encode(s);
}

/** A fixed-seed xorshift32, so runs are repeatable. */
function prandom(): HelperFunction {
  let state = 0x2545f491;
  return () => {
    state ^= state << 13;
    state ^= state >>> 17;
    state ^= state << 5;
    return state >>> 0;
  };
}

const CLOCK_NS = 1_000_000_000n;

function kernel(): Record<number, HelperFunction> {
  return {
    5: () => CLOCK_NS, // bpf_ktime_get_ns
    7: prandom(), // bpf_get_prandom_u32
    8: () => 0, // bpf_get_smp_processor_id
    118: () => 4_294_967_296n + CLOCK_NS / 4_000_000n, // bpf_jiffies64 (HZ = 250)
    125: () => CLOCK_NS, // bpf_ktime_get_boot_ns
  };
}

/** The helpers of `set` (a fresh dispatch each time: the random generator starts over). */
export function conformanceHelpers(set: HelperSetName): HelperDispatch {
  if (set === 'ubpf') return helperTable(ubpf, UBPF_HELPER_NAMES);
  const table = kernel();
  const names: Record<number, string> = {};
  for (const id of Object.keys(table)) names[Number(id)] = kernelName(Number(id));
  return {
    ...helperTable(table, names),
    // name kernel helpers the set lacks too, for messages
    name: (id) => names[id] ?? (helperById(id) === undefined ? undefined : kernelName(id)),
  };
}

function kernelName(id: number): string {
  const spec = helperById(id);
  return spec === undefined ? `#${id}` : `bpf_${spec.name}`;
}
