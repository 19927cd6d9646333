// What the VM needs from a map: the simulator's maps (built on this VM) implement these interfaces.
import type { CompiledProgram } from './compiled-program.ts';

/** A map as seen by the VM: an identity with an address (Memory.addMap) that helpers resolve. */
export interface MapHandle {
  readonly name: string;
  /** `enum bpf_map_type` value */
  readonly type: number;
  readonly keySize: number;
  readonly valueSize: number;
  readonly maxEntries: number;
}

/** A `BPF_MAP_TYPE_PROG_ARRAY`: what `bpf_tail_call` jumps through. */
export interface ProgArrayHandle extends MapHandle {
  /** The program in slot `index`, or undefined when the slot is empty or out of range. */
  program(index: number): CompiledProgram | undefined;
}

export function isProgArray(map: MapHandle): map is ProgArrayHandle {
  return typeof (map as Partial<ProgArrayHandle>).program === 'function';
}
