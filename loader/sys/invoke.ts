// bpf(2) with a typed command name, turning -errno into a BpfSyscallError with context.
import { BpfCmd, type BpfCommandName } from './cmd.ts';
import { BpfSyscallError } from './errors.ts';
import { bpf } from './syscall.ts';

/** Runs `command`; returns its non-negative result or `-errno` (for callers that handle errors). */
export function tryInvoke(command: BpfCommandName, attr: Uint8Array): number {
  return bpf(BpfCmd[command], attr);
}

/** Runs `command`; throws a BpfSyscallError saying `context` on failure. */
export function invoke(command: BpfCommandName, attr: Uint8Array, context: string): number {
  const ret = bpf(BpfCmd[command], attr);
  if (ret < 0) throw new BpfSyscallError({ command, errno: -ret, context });
  return ret;
}

/** The raw descriptor number behind an Fd-or-number argument. */
export function fdNumber(fd: { readonly value: number } | number): number {
  return typeof fd === 'number' ? fd : fd.value;
}

/** Object names are char[16] in the kernel: at most 15 bytes are kept. */
export function objName(name: string | undefined): string | undefined {
  if (name === undefined) return undefined;
  const bytes = new TextEncoder().encode(name);
  if (bytes.length <= 15) return name;
  return new TextDecoder().decode(bytes.subarray(0, 15)).replace(/\uFFFD+$/, '');
}
