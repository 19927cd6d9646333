// BPF_BTF_LOAD, with the same log protocol as BPF_PROG_LOAD (log.ts).
import { btfLoadAttr, decode, encode } from './attrs.ts';
import { BpfSyscallError, VerifierError } from './errors.ts';
import { Fd } from './fd.ts';
import { tryInvoke } from './invoke.ts';
import { loadWithLog } from './log.ts';

export interface BtfLoadOptions {
  /** When set, the log is collected from the start (and lost on success: use for debugging). */
  readonly logLevel?: number;
  /** Initial log buffer size in bytes (64 KiB by default). */
  readonly logSize?: number;
}

/** Loads a BTF blob (header, types, strings); throws VerifierError with the kernel's BTF log. */
export function btfLoad(bytes: Uint8Array, options: BtfLoadOptions = {}): Fd {
  const context = 'load btf';
  const outcome = loadWithLog(
    (level, buffer) => {
      const attr = encode(btfLoadAttr, {
        btf: bytes,
        btf_size: bytes.byteLength,
        btf_log_level: level === 0 ? undefined : level,
        btf_log_size: buffer?.byteLength,
        btf_log_buf: buffer,
      });
      const ret = tryInvoke('BPF_BTF_LOAD', attr);
      return { ret, trueSize: decode(btfLoadAttr, attr).btf_log_true_size };
    },
    options,
  );
  if (outcome.ret >= 0) return new Fd(outcome.ret, 'btf');
  const errno = -outcome.ret;
  if (outcome.log.length === 0) throw new BpfSyscallError({ command: 'BPF_BTF_LOAD', errno, context });
  throw new VerifierError({ command: 'BPF_BTF_LOAD', errno, context, log: outcome.log, truncated: outcome.truncated });
}
