// Verifier profiles: the limits and privileges of one kernel configuration, as data.
export interface Profile {
  readonly name: string;
  readonly description: string;
  /** most instructions a program may have */
  readonly maxInsns: number;
  /** most instructions processed before `BPF program is too large` (BPF_COMPLEXITY_LIMIT_INSNS) */
  readonly maxProcessed: number;
  /** back-edges (bounded loops) allowed: bpf_capable() in the kernel, a design rule in `seed` */
  readonly loops: boolean;
  /**
   * bpf_capable(): CAP_BPF or CAP_SYS_ADMIN. The kernel keeps narrow scalar spills and links `rX += K` only
   * then. `seed` is CAP_BPF without loops: the privilege its programs load with, the loop ban its design's
   */
  readonly bpfCapable: boolean;
  /** CAP_PERFMON: reads of uninitialised stack allowed (env->allow_uninit_stack) */
  readonly allowUninitStack: boolean;
  /** CAP_PERFMON: pointers may be stored in maps and returned (env->allow_ptr_leaks) */
  readonly allowPtrLeaks: boolean;
  /** CAP_PERFMON: no Spectre v1 hardening of pointer arithmetic (env->bypass_spec_v1) */
  readonly bypassSpecV1: boolean;
  /** CAP_PERFMON: no Spectre v4 hardening of stack stores (env->bypass_spec_v4) */
  readonly bypassSpecV4: boolean;
  /** global data sections (.data, .rodata, .bss) allowed */
  readonly globalData: boolean;
  readonly maxCallDepth: number;
  readonly maxStack: number;
  /** the newest helper id the kernel has (undefined: every helper in bpf/tables) */
  readonly maxHelperId?: number;
  /**
   * true when only the limits and helper availability are the named kernel's: the rest of the verification is
   * this machine's (6.18) semantics, so verdicts are indicative, not part of the agreement figures
   */
  readonly bestEffort?: boolean;
}

export const PROFILES: Readonly<Record<string, Profile>> = {
  'linux-6.18': {
    name: 'linux-6.18',
    description: 'Linux 6.18 as root (CAP_SYS_ADMIN, CAP_PERFMON)',
    maxInsns: 1_000_000,
    maxProcessed: 1_000_000,
    loops: true,
    bpfCapable: true,
    allowUninitStack: true,
    allowPtrLeaks: true,
    bypassSpecV1: true,
    bypassSpecV4: true,
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
    bpfCapable: true,
    allowUninitStack: false,
    allowPtrLeaks: false,
    bypassSpecV1: false,
    bypassSpecV4: false,
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
    bpfCapable: true,
    allowUninitStack: false,
    allowPtrLeaks: false,
    bypassSpecV1: false,
    bypassSpecV4: false,
    globalData: false,
    maxCallDepth: 8,
    maxStack: 512,
  },
  // linux-5.4 (best effort): as root, limits and helpers of 5.4 (bounded loops since 5.3, 1M processed
  // instructions since 5.2, global data since 5.2, helpers up to bpf_tcp_gen_syncookie #110; no CAP_BPF or
  // CAP_PERFMON yet: root may leak pointers and skips Spectre v1 hardening, but uninitialised stack reads are
  // refused as before allow_uninit_stack)
  'linux-5.4': {
    name: 'linux-5.4',
    description: 'Linux 5.4 as root, best effort: its limits and helper availability on 6.18 semantics',
    maxInsns: 1_000_000,
    maxProcessed: 1_000_000,
    loops: true,
    bpfCapable: true,
    allowUninitStack: false,
    allowPtrLeaks: true,
    bypassSpecV1: true,
    bypassSpecV4: true,
    globalData: true,
    maxCallDepth: 8,
    maxStack: 512,
    maxHelperId: 110,
    bestEffort: true,
  },
};

export const DEFAULT_PROFILE = 'linux-6.18';

/** A profile by name; RangeError naming the known ones otherwise. */
export function profileByName(name: string): Profile {
  const p = PROFILES[name];
  if (p === undefined) throw new RangeError(`unknown verifier profile ${name} (profiles: ${Object.keys(PROFILES).join(', ')})`);
  return p;
}
