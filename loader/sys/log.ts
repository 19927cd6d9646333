// The verifier-log protocol shared by BPF_PROG_LOAD and BPF_BTF_LOAD.
//
//   no log level asked:  load without a log (fast) ──ok──▶ done
//                              │ failed (not EPERM)
//                              ▼
//   log level asked ──▶ load with level L and a buffer of N bytes ──ok──▶ done (log returned)
//                              │ ENOSPC: the log did not fit; grow N to log_true_size (6.4+) or 4N,
//                              │         at most 16 MiB, and load again
//                              ▼ other failure
//                       the caller throws VerifierError with the log
//
// Since 6.4 a too-small buffer fails even a valid program with ENOSPC (the log rotates, keeping its
// tail, so at the 16 MiB cap we still report the kernel's last words, marked truncated).
import { Errno, splitLog } from './errors.ts';

export const LOG_INITIAL_SIZE = 64 * 1024;
export const LOG_MAX_SIZE = 16 * 1024 * 1024;
/** Older kernels refuse log buffers under 128 bytes. */
const LOG_MIN_SIZE = 128;
const EAGAIN_RETRIES = 5;

/** One load attempt: the syscall result (>= 0 or -errno) and the log_true_size the kernel wrote back. */
export interface LogAttempt {
  readonly ret: number;
  readonly trueSize: number;
}

export interface LogOutcome {
  /** The result of the last attempt: >= 0 (an fd) or -errno. */
  readonly ret: number;
  /** The log of the last attempt (empty when none was requested and the fast path succeeded). */
  readonly log: string[];
  readonly truncated: boolean;
  /** Whether a log was collected (explicit level, or the retry after a failure). */
  readonly logged: boolean;
}

/**
 * Runs `attempt` following the protocol above. `attempt(level, buffer)` must load with that log
 * level and buffer (none when level is 0).
 */
export function loadWithLog(
  attempt: (level: number, buffer: Uint8Array | undefined) => LogAttempt,
  options: { readonly logLevel?: number | undefined; readonly logSize?: number | undefined },
): LogOutcome {
  const run = (level: number, buffer: Uint8Array | undefined): LogAttempt => {
    let r = attempt(level, buffer);
    for (let i = 1; i < EAGAIN_RETRIES && r.ret === -Errno.EAGAIN; i++) r = attempt(level, buffer);
    return r;
  };
  const level = options.logLevel ?? 0;
  if (level === 0) {
    const fast = run(0, undefined);
    if (fast.ret >= 0 || fast.ret === -Errno.EPERM) return { ret: fast.ret, log: [], truncated: false, logged: false };
  }
  let size = Math.min(LOG_MAX_SIZE, Math.max(LOG_MIN_SIZE, options.logSize ?? LOG_INITIAL_SIZE));
  for (;;) {
    const buffer = new Uint8Array(size);
    const r = run(level === 0 ? 1 : level, buffer);
    if (r.ret === -Errno.ENOSPC && size < LOG_MAX_SIZE) {
      size = Math.min(LOG_MAX_SIZE, r.trueSize > size ? r.trueSize : size * 4);
      continue;
    }
    const text = new TextDecoder().decode(buffer);
    return { ret: r.ret, log: splitLog(text), truncated: r.ret === -Errno.ENOSPC, logged: true };
  }
}
