// Program commands: BPF_PROG_LOAD (with the verifier log protocol of log.ts) and BPF_PROG_TEST_RUN.
import { decode, encode, progLoadAttr, testRunAttr } from './attrs.ts';
import { BpfSyscallError, Errno, VerifierError } from './errors.ts';
import { Fd } from './fd.ts';
import { fdNumber, objName, tryInvoke } from './invoke.ts';
import { loadWithLog } from './log.ts';

/** BPF_PROG_LOAD arguments; numbers are the kernel's (enum bpf_prog_type, enum bpf_attach_type, …). */
export interface ProgLoadOptions {
  readonly type: number;
  /** Raw instructions, 8 bytes per slot, little endian. */
  readonly insns: Uint8Array;
  readonly license: string;
  /** At most 15 bytes of [A-Za-z0-9_.] are kept (the kernel's char[16]). */
  readonly name?: string;
  readonly expectedAttachType?: number;
  /** 1 (BPF_LOG_LEVEL1), 2 (BPF_LOG_LEVEL2), | 4 (BPF_LOG_STATS). When set, the log is returned on success too. */
  readonly logLevel?: number;
  /** Initial log buffer size in bytes (64 KiB by default); it grows on ENOSPC up to 16 MiB. */
  readonly logSize?: number;
  readonly btfFd?: Fd | number;
  /** struct bpf_func_info records (BTF.ext), `recSize` bytes each. */
  readonly funcInfo?: { readonly recSize: number; readonly data: Uint8Array };
  /** struct bpf_line_info records (BTF.ext), `recSize` bytes each. */
  readonly lineInfo?: { readonly recSize: number; readonly data: Uint8Array };
  readonly kernVersion?: number;
  /** BPF_F_* program flags (BPF_F_STRICT_ALIGNMENT, BPF_F_XDP_HAS_FRAGS, …). */
  readonly flags?: number;
  /** Descriptors that ld_imm64 instructions with BPF_PSEUDO_MAP_IDX(_VALUE) index into. */
  readonly fdArray?: readonly (Fd | number)[];
  readonly attachBtfId?: number;
  readonly attachProgFd?: Fd | number;
  readonly ifindex?: number;
}

export interface LoadedProgram {
  readonly fd: Fd;
  /** The verifier log, one entry per line; empty unless `logLevel` was given. */
  readonly log: readonly string[];
}

function recordCount(what: string, info: { readonly recSize: number; readonly data: Uint8Array }): number {
  if (info.recSize <= 0 || info.data.byteLength % info.recSize !== 0) {
    throw new RangeError(`${what}: ${info.data.byteLength} bytes is not a whole number of ${info.recSize}-byte records`);
  }
  return info.data.byteLength / info.recSize;
}

/**
 * Loads a program. Without `logLevel` it first loads without a log; if that fails it loads again
 * with log level 1 and throws a VerifierError carrying the log. With `logLevel` the log is always
 * collected and returned.
 *
 * @example
 * // r0 = 2 (XDP_PASS); exit
 * const insns = Uint8Array.of(0xb7, 0, 0, 0, 2, 0, 0, 0, 0x95, 0, 0, 0, 0, 0, 0, 0);
 * const { fd } = progLoad({ type: 6, insns, license: 'GPL', name: 'pass' });
 */
export function progLoad(options: ProgLoadOptions): LoadedProgram {
  const name = objName(options.name);
  const context = name === undefined ? 'load program' : `load program ${name}`;
  const { insns } = options;
  if (insns.byteLength === 0 || insns.byteLength % 8 !== 0) {
    throw new RangeError(`${context}: ${insns.byteLength} bytes of instructions is not a whole number of 8-byte slots`);
  }
  const license = new TextEncoder().encode(`${options.license}\0`);
  const fdArray =
    options.fdArray === undefined ? undefined : new Uint8Array(Int32Array.from(options.fdArray, (f) => fdNumber(f)).buffer);
  const funcInfo = options.funcInfo;
  const lineInfo = options.lineInfo;
  const base = {
    prog_type: options.type,
    insn_cnt: insns.byteLength / 8,
    insns,
    license,
    kern_version: options.kernVersion,
    prog_flags: options.flags,
    prog_name: name,
    prog_ifindex: options.ifindex,
    expected_attach_type: options.expectedAttachType,
    prog_btf_fd: options.btfFd === undefined ? undefined : fdNumber(options.btfFd),
    func_info_rec_size: funcInfo?.recSize,
    func_info: funcInfo?.data,
    func_info_cnt: funcInfo === undefined ? undefined : recordCount(`${context}: func info`, funcInfo),
    line_info_rec_size: lineInfo?.recSize,
    line_info: lineInfo?.data,
    line_info_cnt: lineInfo === undefined ? undefined : recordCount(`${context}: line info`, lineInfo),
    attach_btf_id: options.attachBtfId,
    attach_prog_fd: options.attachProgFd === undefined ? undefined : fdNumber(options.attachProgFd),
    fd_array: fdArray,
  };
  const outcome = loadWithLog(
    (level, buffer) => {
      const attr = encode(progLoadAttr, {
        ...base,
        log_level: level === 0 ? undefined : level,
        log_size: buffer?.byteLength,
        log_buf: buffer,
      });
      const ret = tryInvoke('BPF_PROG_LOAD', attr);
      return { ret, trueSize: decode(progLoadAttr, attr).log_true_size };
    },
    { logLevel: options.logLevel, logSize: options.logSize },
  );
  if (outcome.ret >= 0) {
    return { fd: new Fd(outcome.ret, name === undefined ? 'program' : `program ${name}`), log: outcome.log };
  }
  const errno = -outcome.ret;
  if (outcome.log.length === 0) throw new BpfSyscallError({ command: 'BPF_PROG_LOAD', errno, context });
  throw new VerifierError({ command: 'BPF_PROG_LOAD', errno, context, log: outcome.log, truncated: outcome.truncated });
}

export interface TestRunOptions {
  /** Packet (data_in); XDP needs at least 14 bytes. */
  readonly data?: Uint8Array;
  /** Context (ctx_in), e.g. struct xdp_md or struct __sk_buff. */
  readonly ctx?: Uint8Array;
  /** data_out size; `data.length + 4096` by default (room for head/tail growth); 0 for none. */
  readonly dataOutSize?: number;
  /** ctx_out size; `ctx.length` by default; 0 for none. */
  readonly ctxOutSize?: number;
  /** Runs (the kernel treats 0 as 1); `duration` is the average. */
  readonly repeat?: number;
  /** BPF_F_TEST_RUN_ON_CPU (1), BPF_F_TEST_XDP_LIVE_FRAMES (2), … */
  readonly flags?: number;
  readonly cpu?: number;
  readonly batchSize?: number;
}

export interface TestRunResult {
  /** The program's return value (r0, as a u32). */
  readonly retval: number;
  /** The packet after the run (data_out, trimmed to its size). */
  readonly data: Uint8Array;
  /** The context after the run, when one was passed in or `ctxOutSize` was given. */
  readonly ctx: Uint8Array | undefined;
  /** Average run time in nanoseconds. */
  readonly duration: number;
}

const TEST_RUN_ATTEMPTS = 3;

/**
 * BPF_PROG_TEST_RUN. If the output outgrows its buffer (ENOSPC) the buffer is enlarged to the size the
 * kernel reports and the program runs again (so map side effects happen twice: size `dataOutSize`
 * generously when that matters).
 */
export function progTestRun(prog: Fd, options: TestRunOptions = {}): TestRunResult {
  const context = `test run ${prog.label}`;
  const data = options.data;
  const ctx = options.ctx;
  let dataOutSize = options.dataOutSize ?? (data === undefined ? 0 : data.byteLength + 4096);
  let ctxOutSize = options.ctxOutSize ?? ctx?.byteLength ?? 0;
  for (let attempt = 1; ; attempt++) {
    const dataOut = new Uint8Array(dataOutSize);
    const ctxOut = new Uint8Array(ctxOutSize);
    const attr = encode(testRunAttr, {
      prog_fd: prog.value,
      data_size_in: data?.byteLength,
      data_in: data,
      data_size_out: dataOutSize,
      data_out: dataOutSize === 0 ? null : dataOut,
      repeat: options.repeat,
      ctx_size_in: ctx?.byteLength,
      ctx_in: ctx,
      ctx_size_out: ctxOutSize,
      ctx_out: ctxOutSize === 0 ? null : ctxOut,
      flags: options.flags,
      cpu: options.cpu,
      batch_size: options.batchSize,
    });
    const ret = tryInvoke('BPF_PROG_TEST_RUN', attr);
    const out = decode(testRunAttr, attr);
    if (ret === -Errno.ENOSPC && attempt < TEST_RUN_ATTEMPTS) {
      dataOutSize = Math.max(dataOutSize, out.data_size_out);
      ctxOutSize = Math.max(ctxOutSize, out.ctx_size_out);
      continue;
    }
    if (ret < 0) throw new BpfSyscallError({ command: 'BPF_PROG_TEST_RUN', errno: -ret, context });
    return {
      retval: out.retval,
      data: dataOut.slice(0, Math.min(out.data_size_out, dataOutSize)),
      ctx: ctxOutSize === 0 ? undefined : ctxOut.slice(0, Math.min(out.ctx_size_out, ctxOutSize)),
      duration: out.duration,
    };
  }
}
