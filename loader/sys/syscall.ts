// The only place that touches native code: bpf(2) and close(2) through koffi's binding of libc.
//
// Loading is lazy: importing this module never loads koffi or libc, so the rest of tsbpf (and its
// tests) import it freely on machines without Linux or koffi. The first call that needs the kernel
// loads the binding and, when that is impossible, throws a `BpfUnavailableError` saying why.
//
// Calling convention used by every command module:
//
//   const attr = encode(layout, values);   // attrs.ts: Uint8Array holding the union bpf_attr member
//   const ret = bpf(cmd, attr);            // >= 0: the kernel's result (often a new fd); < 0: -errno
//
// Buffers whose addresses `encode` wrote into `attr` stay reachable as long as `attr` does (attrs.ts
// keeps them in a WeakMap keyed by the attr), and `bpf` keeps `attr` reachable from a module variable
// for the duration of the call, so the garbage collector cannot free them under the kernel.
import { createRequire } from 'node:module';
import type * as KoffiModule from 'koffi';
import { BpfUnavailableError } from './errors.ts';

type Koffi = typeof KoffiModule;

/** bpf(2)'s syscall number for each Node `process.arch` we support (arch/<arch>/…/syscall tables). */
const SYS_BPF_BY_ARCH: Readonly<Partial<Record<NodeJS.Architecture, number>>> = {
  x64: 321, // arch/x86/entry/syscalls/syscall_64.tbl
  arm64: 280, // include/uapi/asm-generic/unistd.h (__NR_bpf)
  riscv64: 280, // asm-generic as well
};

interface Binding {
  readonly koffi: Koffi;
  readonly sysBpf: number;
  readonly syscall: (nr: number, cmd: number, attr: Uint8Array, size: number) => number | bigint;
  readonly close: (fd: number) => number;
}

let binding: Binding | BpfUnavailableError | undefined;

/** Buffers that must stay reachable while the current native call runs. */
let pinned: readonly unknown[] | undefined;

function load(): Binding | BpfUnavailableError {
  if (process.platform !== 'linux') {
    return new BpfUnavailableError(`bpf(2) is Linux only (this is ${process.platform})`);
  }
  const sysBpf = SYS_BPF_BY_ARCH[process.arch];
  if (sysBpf === undefined) {
    return new BpfUnavailableError(`bpf(2): syscall number unknown for architecture ${process.arch}`);
  }
  let koffi: Koffi;
  try {
    koffi = createRequire(import.meta.url)('koffi') as Koffi;
  } catch (cause) {
    return new BpfUnavailableError('bpf(2) needs the koffi package, which could not be loaded', { cause });
  }
  try {
    const libc = koffi.load('libc.so.6');
    const syscall = libc.func('long syscall(long, int, void *, unsigned int)') as Binding['syscall'];
    const close = libc.func('int close(int)') as Binding['close'];
    return { koffi, sysBpf, syscall, close };
  } catch (cause) {
    return new BpfUnavailableError('bpf(2): could not bind syscall() and close() from libc.so.6', { cause });
  }
}

function get(): Binding {
  binding ??= load();
  if (binding instanceof BpfUnavailableError) throw binding;
  return binding;
}

/**
 * Whether the native binding can be loaded here; `reason` says why not. It does not call the kernel:
 * `probeBpf()` (probe.ts) does.
 */
export function bindingAvailable(): { readonly ok: boolean; readonly reason: string } {
  binding ??= load();
  return binding instanceof BpfUnavailableError ? { ok: false, reason: binding.message } : { ok: true, reason: '' };
}

/**
 * bpf(2): `cmd` with `attr` (its size is the attr size passed to the kernel). Returns the
 * non-negative result, or `-errno` on failure. `keep` lists buffers that must stay alive during
 * the call in addition to those recorded by `encode`.
 */
export function bpf(cmd: number, attr: Uint8Array, keep: readonly unknown[] = []): number {
  const b = get();
  pinned = [attr, keep];
  try {
    const ret = Number(b.syscall(b.sysBpf, cmd, attr, attr.byteLength));
    if (ret < 0) return -b.koffi.errno();
    return ret;
  } finally {
    pinned = undefined;
  }
}

/** close(2). Returns 0, or `-errno`. */
export function closeFd(fd: number): number {
  const b = get();
  const ret = b.close(fd);
  return ret < 0 ? -b.koffi.errno() : 0;
}

/** The address of the first byte of `buf` (its byteOffset included), as bpf_attr stores pointers. */
export function addressOf(buf: Uint8Array): bigint {
  return get().koffi.address(buf);
}
