// The clang flags both drivers use, and why.
//
// Findings with @yowasp/clang 22.0.0-git20542-10 (LLVM 22.1, no BPF backend compiled in) and clang-19.1.7:
// - `--target=bpf` selects clang's BPF TargetInfo (ABI, data layout `e-m:e-p:64:64-i64:64-i128:128-n32:64-S128`,
//   predefined macros); without the BPF target machine the middle end runs with LLVM's target-independent
//   cost model. `-c` fails ("No available targets are compatible with triple bpf"); `-S -emit-llvm` works.
// - `-mcpu=v3` IS accepted: the driver passes `-target-cpu v3`, functions get `"target-cpu"="v3"`, and the
//   macros follow (`__BPF_CPU_VERSION__ 3`, `__BPF_FEATURE_ALU32`, `__BPF_FEATURE_JMP32`, `__BPF_FEATURE_JMP_EXT`,
//   `__BPF_FEATURE_ADDR_SPACE_CAST`, `__BPF_FEATURE_MAY_GOTO`; clang 22 adds `__BPF_FEATURE_ATOMIC_MEM_ORDERING`).
//   Clang 22's default CPU for bpf is already v3 (clang 19's is v1): pass it anyway so both drivers agree.
// - `-fno-jump-tables` MATTERS for the IR: without it SimplifyCFG turns a switch that selects constants into a
//   load from a `@switch.table.*` global (the target-independent cost model allows lookup tables; clang-19's
//   BPF TTI does not). With it (the `"no-jump-tables"="true"` function attribute) the switch stays a `switch`.
// - `-fno-slp-vectorize` MATTERS: the SLP vectoriser turns straight-line array code (e.g. `a[i] += b[i]` over
//   16 elements, unrolled) into `<16 x i32>` loads/adds/extractelements. clang-19 with the BPF target does the
//   same (its backend scalarises vectors later); our backend does not take vectors, so turn it off.
// - `-fno-vectorize` (the loop vectoriser) made no difference on any program tried (no vector registers in the
//   cost model), but costs nothing and guards against it.
// - `-gkey-instructions` is on by default in clang 22 (DILocations carry `atomGroup`/`atomRank`); harmless, and
//   the line numbers are the same as clang-19's.
// - No `-Xclang -target-feature` is needed: clang's BPF target knows no features beyond what -mcpu implies
//   (`+alu32` is a backend feature, and the backend is ours).
// On the 12 fixtures the wasm IR (with these flags) has as many instructions per function as clang-19's
// `-target bpf -O2 -g -mcpu=v3 -S -emit-llvm` in 19 of 20 functions; the exception uses CO-RE, which clang-19's
// own BPF IR passes have already rewritten into relocation globals and `llvm.bpf.passthrough` calls.
// - clang-19 refuses `sdiv`/`srem` at -mcpu=v3 ("unsupported signed division"); the wasm clang cannot know, so
//   checkSubset() names it.

/** Flags shared by both drivers: BPF target, -O2, debug info (BTF comes from it), our headers only. */
export const BPF_COMMON_FLAGS: readonly string[] = ['-O2', '-g', '-mcpu=v3', '-nostdinc', '-fno-color-diagnostics'];

/** Flags that keep the IR within what our backend lowers (see above). */
export const BPF_IR_FLAGS: readonly string[] = ['-fno-jump-tables', '-fno-vectorize', '-fno-slp-vectorize'];

/** `-D` flags from `NAME=VALUE` strings or a record. */
export function defineFlags(defines: readonly string[] | Readonly<Record<string, string>> | undefined): string[] {
  if (defines === undefined) return [];
  const list = Array.isArray(defines)
    ? (defines as readonly string[])
    : Object.entries(defines as Record<string, string>).map(([k, v]) => `${k}=${v}`);
  return list.map((d) => `-D${d}`);
}
