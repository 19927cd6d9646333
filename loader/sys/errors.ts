// errno → errors a person can act on.
//
//   map create counters: operation not permitted (needs CAP_BPF or CAP_SYS_ADMIN; …)
//   └── context ───────┘ └── strerror(errno) ───┘ └── hint for this command and errno ──┘
//
// `BpfSyscallError` is every failed bpf(2) command; `VerifierError` is a failed BPF_PROG_LOAD (or
// BPF_BTF_LOAD) that produced a log: it carries the log as lines and quotes the kernel's reason.
import { getSystemErrorName } from 'node:util';
import type { BpfCommandName } from './cmd.ts';

/** errno values as Linux defines them on x86_64 and the asm-generic architectures (arm64, riscv64). */
export const Errno = {
  EPERM: 1,
  ENOENT: 2,
  ESRCH: 3,
  EINTR: 4,
  EIO: 5,
  ENXIO: 6,
  E2BIG: 7,
  EBADF: 9,
  EAGAIN: 11,
  ENOMEM: 12,
  EACCES: 13,
  EFAULT: 14,
  EBUSY: 16,
  EEXIST: 17,
  EXDEV: 18,
  ENODEV: 19,
  ENOTDIR: 20,
  EISDIR: 21,
  EINVAL: 22,
  ENFILE: 23,
  EMFILE: 24,
  ENOSPC: 28,
  ERANGE: 34,
  ENAMETOOLONG: 36,
  ENOSYS: 38,
  ELOOP: 40,
  EOVERFLOW: 75,
  EOPNOTSUPP: 95,
  ESTALE: 116,
  /** Kernel-internal "operation not supported", leaked to user space by bpf(2) (include/linux/errno.h). */
  ENOTSUPP: 524,
} as const;

export type ErrnoCode = keyof typeof Errno | `E${string}`;

/** strerror(3) wording, lower-case (glibc's text for the standard codes). */
const MESSAGES: Readonly<Record<number, string>> = {
  [Errno.EPERM]: 'operation not permitted',
  [Errno.ENOENT]: 'no such file or directory',
  [Errno.ESRCH]: 'no such process',
  [Errno.EINTR]: 'interrupted system call',
  [Errno.EIO]: 'input/output error',
  [Errno.ENXIO]: 'no such device or address',
  [Errno.E2BIG]: 'argument list too long',
  [Errno.EBADF]: 'bad file descriptor',
  [Errno.EAGAIN]: 'resource temporarily unavailable',
  [Errno.ENOMEM]: 'cannot allocate memory',
  [Errno.EACCES]: 'permission denied',
  [Errno.EFAULT]: 'bad address',
  [Errno.EBUSY]: 'device or resource busy',
  [Errno.EEXIST]: 'file exists',
  [Errno.EXDEV]: 'invalid cross-device link',
  [Errno.ENODEV]: 'no such device',
  [Errno.ENOTDIR]: 'not a directory',
  [Errno.EISDIR]: 'is a directory',
  [Errno.EINVAL]: 'invalid argument',
  [Errno.ENFILE]: 'too many open files in system',
  [Errno.EMFILE]: 'too many open files',
  [Errno.ENOSPC]: 'no space left on device',
  [Errno.ERANGE]: 'numerical result out of range',
  [Errno.ENAMETOOLONG]: 'file name too long',
  [Errno.ENOSYS]: 'function not implemented',
  [Errno.ELOOP]: 'too many levels of symbolic links',
  [Errno.EOVERFLOW]: 'value too large for defined data type',
  [Errno.EOPNOTSUPP]: 'operation not supported',
  [Errno.ESTALE]: 'stale file handle',
  [Errno.ENOTSUPP]: 'operation not supported',
};

/** The symbolic name of `errno` ('EPERM', 'ENOTSUPP', …; 'E<n>' when unknown). */
export function errnoCode(errno: number): ErrnoCode {
  for (const [code, value] of Object.entries(Errno)) if (value === errno) return code as ErrnoCode;
  try {
    const name = getSystemErrorName(-errno);
    if (name.startsWith('E')) return name as ErrnoCode;
  } catch {
    // not a system error number
  }
  return `E${errno}`;
}

/** strerror-like text for `errno`. */
export function errnoMessage(errno: number): string {
  return MESSAGES[errno] ?? `errno ${errno}`;
}

/** What usually causes `errno` for `command`: appended to messages in parentheses. */
export function errnoHint(command: BpfCommandName, errno: number): string | undefined {
  const map = command.startsWith('BPF_MAP_');
  switch (errno) {
    case Errno.EPERM:
      if (command === 'BPF_PROG_LOAD') {
        return 'needs CAP_BPF, plus CAP_NET_ADMIN or CAP_PERFMON for most program types, or CAP_SYS_ADMIN';
      }
      if (command === 'BPF_MAP_CREATE') {
        return 'needs CAP_BPF or CAP_SYS_ADMIN; kernels before 5.11 also need a large enough RLIMIT_MEMLOCK';
      }
      if (command === 'BPF_OBJ_PIN' || command === 'BPF_OBJ_GET') {
        return 'needs CAP_BPF or CAP_SYS_ADMIN, and a path on a bpffs mount';
      }
      if (command === 'BPF_MAP_UPDATE_ELEM' || command === 'BPF_MAP_DELETE_ELEM') {
        return 'the map is frozen or read-only from user space, or the process lacks CAP_BPF';
      }
      if (command === 'BPF_LINK_UPDATE') return "old_prog is not the link's current program, or CAP_BPF is missing";
      if (command === 'BPF_LINK_CREATE' || command === 'BPF_PROG_ATTACH' || command === 'BPF_PROG_DETACH') {
        return 'needs CAP_NET_ADMIN or CAP_SYS_ADMIN for this attach point';
      }
      return 'needs CAP_BPF or CAP_SYS_ADMIN';
    case Errno.EINVAL:
      if (command === 'BPF_MAP_CREATE') return 'check map type, key/value sizes, max_entries, flags and name';
      if (command === 'BPF_PROG_LOAD') return 'check program type, expected attach type, flags and name';
      if (map) return 'check flags and that key and value match the map';
      return undefined;
    case Errno.E2BIG:
      if (command === 'BPF_MAP_UPDATE_ELEM') return 'key outside the array, or the map is full';
      if (command === 'BPF_PROG_LOAD') return 'program too large, or an attribute unknown to this kernel is set';
      return 'an attribute unknown to this kernel is set';
    case Errno.EEXIST:
      if (command === 'BPF_MAP_UPDATE_ELEM') return 'key exists and BPF_NOEXIST was given';
      if (command === 'BPF_OBJ_PIN') return 'the path is already pinned';
      return 'already attached';
    case Errno.ENOENT:
      if (command === 'BPF_MAP_UPDATE_ELEM') return 'key missing and BPF_EXIST was given';
      if (command === 'BPF_OBJ_PIN') return 'the parent directory does not exist';
      if (command === 'BPF_OBJ_GET') return 'nothing is pinned at that path';
      if (map) return 'no such key';
      return undefined;
    case Errno.EBADF:
      return 'the file descriptor is closed or refers to the wrong kind of object';
    case Errno.ENOSPC:
      if (command === 'BPF_PROG_LOAD' || command === 'BPF_BTF_LOAD') return 'log buffer too small';
      if (command === 'BPF_PROG_TEST_RUN') return 'output buffer too small';
      return undefined;
    case Errno.ENOTSUPP:
    case Errno.EOPNOTSUPP:
      return 'not supported by this kernel, or for this map or program type';
    case Errno.EFAULT:
      return 'the kernel could not access a buffer passed to it';
    case Errno.ENOMEM:
      return 'the kernel could not allocate memory for the object';
    case Errno.ESTALE:
      return 'expected_revision does not match the attach point';
    case Errno.EACCES:
      if (command === 'BPF_PROG_LOAD') return 'rejected by the verifier';
      return undefined;
    default:
      return undefined;
  }
}

export interface BpfSyscallErrorOptions {
  /** The bpf(2) command that failed. */
  readonly command: BpfCommandName;
  readonly errno: number;
  /** What was being done, first in the message: `map create counters`. */
  readonly context: string;
  /** Overrides the generic hint from `errnoHint`. */
  readonly hint?: string;
  readonly cause?: unknown;
}

/** A failed bpf(2) command: `map create counters: operation not permitted (needs CAP_BPF …)`. */
export class BpfSyscallError extends Error {
  readonly command: BpfCommandName;
  readonly errno: number;
  /** 'EPERM', 'EINVAL', 'ENOTSUPP', … */
  readonly code: ErrnoCode;
  readonly context: string;

  constructor(options: BpfSyscallErrorOptions, message?: string) {
    const hint = options.hint ?? errnoHint(options.command, options.errno);
    super(
      message ?? `${options.context}: ${errnoMessage(options.errno)}${hint === undefined ? '' : ` (${hint})`}`,
      options.cause === undefined ? undefined : { cause: options.cause },
    );
    this.name = 'BpfSyscallError';
    this.command = options.command;
    this.errno = options.errno;
    this.code = errnoCode(options.errno);
    this.context = options.context;
  }
}

/** Verifier log lines that are statistics or decoration, never the reason for a rejection. */
const NOT_A_REASON: readonly RegExp[] = [
  /^\s*$/,
  /^processed \d+ insns/,
  /^verification time /,
  /^stack depth /,
  /^max_states_per_insn /,
  /^-- END PROG LOAD LOG --$/,
  /^;/, // source line annotation from line info
  // the two states printed after "infinite loop detected at insn N"
  /^cur state: /,
  /^old state: /,
];

/** A reason that names its instruction itself: `infinite loop detected at insn 7`. */
const REASON_AT_INSN = /\bat insn (\d+)\b/;

/** An instruction line of the verifier log: `12: (bf) r0 = r2` (12 is the slot index). */
const INSN_LINE = /^(\d+): \([0-9a-f]{2}\)/;

/** The kernel's reason (last meaningful log line) and the instruction it concerns, when the log says. */
export function verifierReason(log: readonly string[]): { reason: string | undefined; insn: number | undefined } {
  let at = log.length - 1;
  while (at >= 0 && NOT_A_REASON.some((re) => re.test(log[at] ?? ''))) at--;
  if (at < 0) return { reason: undefined, insn: undefined };
  const reason = (log[at] ?? '').trim();
  const named = REASON_AT_INSN.exec(reason);
  if (named) return { reason, insn: Number(named[1]) };
  for (let i = at; i >= 0; i--) {
    const m = INSN_LINE.exec(log[i] ?? '');
    if (m) return { reason, insn: Number(m[1]) };
  }
  return { reason, insn: undefined };
}

/** Splits a raw verifier log (NUL-terminated, newline-separated) into lines. */
export function splitLog(raw: string): string[] {
  const nul = raw.indexOf('\0');
  const text = nul < 0 ? raw : raw.slice(0, nul);
  const lines = text.split('\n');
  if (lines.at(-1) === '') lines.pop();
  return lines;
}

export interface VerifierErrorOptions extends BpfSyscallErrorOptions {
  /** The log, split into lines. */
  readonly log: readonly string[];
  /** Whether the log is only the tail of the full log (buffer limit reached). */
  readonly truncated?: boolean;
}

/**
 * A program (or BTF blob) the kernel refused, with its log:
 * `load program bad: instruction 0: R2 !read_ok`.
 */
export class VerifierError extends BpfSyscallError {
  /** The verifier log, one entry per line. */
  readonly log: readonly string[];
  /** The last meaningful log line: the kernel's reason. */
  readonly reason: string | undefined;
  /** The instruction (8-byte slot index) the reason concerns, when the log names one. */
  readonly insn: number | undefined;
  readonly truncated: boolean;

  constructor(options: VerifierErrorOptions) {
    const { reason, insn } = verifierReason(options.log);
    const where = insn === undefined ? '' : `instruction ${insn}: `;
    const why = reason ?? `${errnoMessage(options.errno)} (the log gives no reason)`;
    const suffix = options.truncated === true ? ' (log truncated)' : '';
    super(options, `${options.context}: ${where}${why}${suffix}`);
    this.name = 'VerifierError';
    this.log = options.log;
    this.reason = reason;
    this.insn = insn;
    this.truncated = options.truncated === true;
  }
}

/** bpf(2) cannot be used in this process at all (not Linux, no koffi, unknown architecture). */
export class BpfUnavailableError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'BpfUnavailableError';
  }
}
