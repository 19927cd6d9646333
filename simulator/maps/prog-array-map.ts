// BPF_MAP_TYPE_PROG_ARRAY (3): slots holding programs for bpf_tail_call. Programs cannot look its values up;
// from TypeScript a slot is set to a compiled program (the Simulator sets them by program name).
import type { CompiledProgram, ProgArrayHandle } from '../vm/index.ts';
import { keysChanged } from './map-events.ts';
import { Errno, SimMap, UpdateFlag, checkFlags, type SimMapOptions } from './sim-map.ts';

export class ProgArrayMap extends SimMap implements ProgArrayHandle {
  readonly #slots: (CompiledProgram | undefined)[];

  constructor(o: SimMapOptions) {
    super(o);
    this.#slots = new Array<CompiledProgram | undefined>(o.maxEntries).fill(undefined);
  }

  program(index: number): CompiledProgram | undefined {
    return index >= 0 && index < this.maxEntries ? this.#slots[index] : undefined;
  }

  /** Put `program` in slot `index` (undefined empties it). */
  setProgram(index: number, program: CompiledProgram | undefined): void {
    if (index < 0 || index >= this.maxEntries) throw new RangeError(`map ${this.name}: slot ${index} is out of range (max_entries ${this.maxEntries})`);
    this.#slots[index] = program;
    keysChanged(this); // the fast tier's view of the slots (tail-calls.ts)
  }

  lookup(): bigint {
    return 0n;
  }

  update(): number {
    return -Errno.EINVAL; // programs cannot update a prog array (the verifier refuses the call)
  }

  protected deleteKey(key: Uint8Array): number {
    const i = this.#index(key);
    if (i >= this.maxEntries) return -Errno.E2BIG;
    if (this.#slots[i] === undefined) return -Errno.ENOENT;
    this.#slots[i] = undefined;
    keysChanged(this);
    return 0;
  }

  #index(key: Uint8Array): number {
    return (key[0]! | (key[1]! << 8) | (key[2]! << 16) | (key[3]! << 24)) >>> 0;
  }

  nextKey(key: Uint8Array | undefined): Uint8Array | undefined {
    const i = key === undefined || this.#index(key) >= this.maxEntries ? 0 : this.#index(key) + 1;
    if (i >= this.maxEntries) return undefined;
    return Uint8Array.of(i & 0xff, (i >>> 8) & 0xff, (i >>> 16) & 0xff, i >>> 24);
  }

  protected valuesOf(): readonly Uint8Array[] | undefined {
    return undefined;
  }

  protected updateAll(_key: Uint8Array, _values: readonly Uint8Array[], flags: number): number {
    if (checkFlags(flags) !== 0 || (flags & 3) === UpdateFlag.NOEXIST) return -Errno.EINVAL;
    return -Errno.EINVAL; // use setProgram()
  }
}
