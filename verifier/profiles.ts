// Verifier profiles: the limits and privileges of one kernel configuration, as data.
export interface Profile {
  readonly name: string;
  readonly description: string;
  /** most instructions a program may have */
  readonly maxInsns: number;
  /** most instructions processed before `BPF program is too large` (BPF_COMPLEXITY_LIMIT_INSNS) */
  readonly maxProcessed: number;
  /** back-edges (bounded loops) allowed: bpf_capable() */
  readonly loops: boolean;
  /** CAP_PERFMON: reads of uninitialised stack allowed (env->allow_uninit_stack) */
  readonly allowUninitStack: boolean;
  /** CAP_PERFMON: pointers may be stored in maps and returned (env->allow_ptr_leaks) */
  readonly allowPtrLeaks: boolean;
  /** CAP_PERFMON: no Spectre v1 hardening of pointer arithmetic (env->bypass_spec_v1) */
  readonly bypassSpecV1: boolean;
  /** global data sections (.data, .rodata, .bss) allowed */
  readonly globalData: boolean;
  readonly maxCallDepth: number;
  readonly maxStack: number;
}

export const PROFILES: Readonly<Record<string, Profile>> = {
  'linux-6.18': {
    name: 'linux-6.18',
    description: 'Linux 6.18 as root (CAP_SYS_ADMIN, CAP_PERFMON)',
    maxInsns: 1_000_000,
    maxProcessed: 1_000_000,
    loops: true,
    allowUninitStack: true,
    allowPtrLeaks: true,
    bypassSpecV1: true,
    globalData: true,
    maxCallDepth: 8,
    maxStack: 512,
  },
  'linux-6.18-bpf': {
    name: 'linux-6.18-bpf',
    description: 'Linux 6.18 with CAP_BPF and CAP_NET_ADMIN only',
    maxInsns: 1_000_000,
    maxProcessed: 1_000_000,
    loops: true,
    allowUninitStack: false,
    allowPtrLeaks: false,
    bypassSpecV1: false,
    globalData: true,
    maxCallDepth: 8,
    maxStack: 512,
  },
  seed: {
    name: 'seed',
    description: 'the original design: 4096 instructions, 131072 processed, no loops, no global data',
    maxInsns: 4096,
    maxProcessed: 131_072,
    loops: false,
    allowUninitStack: false,
    allowPtrLeaks: false,
    bypassSpecV1: false,
    globalData: false,
    maxCallDepth: 8,
    maxStack: 512,
  },
};

export const DEFAULT_PROFILE = 'linux-6.18';

/** A profile by name; RangeError naming the known ones otherwise. */
export function profileByName(name: string): Profile {
  const p = PROFILES[name];
  if (p === undefined) throw new RangeError(`unknown verifier profile ${name} (profiles: ${Object.keys(PROFILES).join(', ')})`);
  return p;
}
