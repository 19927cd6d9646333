// Whether bpf(2) is usable by this process: for tests to skip with a reason, and for the CLI to say
// why loading cannot work here.
import { BpfSyscallError } from './errors.ts';
import { mapCreate } from './map.ts';
import { progLoad } from './prog.ts';
import { bindingAvailable } from './syscall.ts';

export interface BpfProbe {
  readonly ok: boolean;
  /** Why not, e.g. `probe map create: operation not permitted (needs CAP_BPF or CAP_SYS_ADMIN)`. */
  readonly reason: string;
}

let cached: BpfProbe | undefined;

/** socket filter `r0 = 0; exit`: loadable by any program type-capable process. */
const RETURN_ZERO = Uint8Array.of(0xb7, 0, 0, 0, 0, 0, 0, 0, 0x95, 0, 0, 0, 0, 0, 0, 0);
const BPF_MAP_TYPE_ARRAY = 2;
const BPF_PROG_TYPE_SOCKET_FILTER = 1;

/**
 * Creates a one-element array map and loads a two-instruction socket filter, then closes both.
 * The result is cached for the life of the process.
 */
export function probeBpf(): BpfProbe {
  if (cached) return cached;
  const binding = bindingAvailable();
  if (!binding.ok) return (cached = binding);
  try {
    mapCreate({ type: BPF_MAP_TYPE_ARRAY, keySize: 4, valueSize: 4, maxEntries: 1, name: 'probe' }).close();
    progLoad({ type: BPF_PROG_TYPE_SOCKET_FILTER, insns: RETURN_ZERO, license: 'GPL', name: 'probe' }).fd.close();
    cached = { ok: true, reason: '' };
  } catch (e) {
    if (!(e instanceof BpfSyscallError)) throw e;
    cached = { ok: false, reason: `bpf(2) probe: ${e.message}` };
  }
  return cached;
}
