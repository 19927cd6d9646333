// BPF_MAP_TYPE_PERF_EVENT_ARRAY (4): one perf event per index (a CPU, by libbpf's convention). The simulator
// captures what bpf_perf_event_output writes instead of a perf ring: `events()` in output order. Slots
// 0..cpus-1 are open by default (a reader on every CPU, as libbpf's perf_buffer sets up); `open()`/`close()`
// (or set/delete from TypeScript) change that. Output to an index past max_entries is -E2BIG, to a closed
// slot -ENOENT, with flags outside BPF_F_INDEX_MASK | BPF_F_CTXLEN_MASK -EINVAL (kernel/trace/bpf_trace.c).
import { Errno, SimMap, type SimMapOptions } from './sim-map.ts';

/** BPF_F_CURRENT_CPU (= BPF_F_INDEX_MASK): the running CPU's index. */
export const BPF_F_CURRENT_CPU = 0xffff_ffffn;

export interface PerfEvent {
  /** the index (CPU) it was written to */
  readonly index: number;
  readonly data: Uint8Array;
}

export class PerfEventArrayMap extends SimMap {
  readonly #open: boolean[];
  readonly #events: PerfEvent[] = [];

  constructor(o: SimMapOptions) {
    if (o.keySize !== 4 || o.valueSize !== 4) throw new RangeError(`map ${o.name}: perf event arrays have key and value size 4`);
    super(o);
    this.#open = Array.from({ length: o.maxEntries }, (_, i) => i < (o.cpus ?? 1));
  }

  /** bpf_perf_event_output's core: 0 or -errno. `flags` has the index (or BPF_F_CURRENT_CPU) in its low 32 bits. */
  output(flags: bigint, cpu: number, data: Uint8Array): number {
    const low = flags & 0xffff_ffffn;
    const index = low === BPF_F_CURRENT_CPU ? cpu : Number(low);
    if (index >= this.maxEntries) return -Errno.E2BIG;
    if (!this.#open[index]) return -Errno.ENOENT;
    this.#events.push({ index, data: data.slice() });
    return 0;
  }

  open(index: number): void {
    if (index >= this.maxEntries) throw new RangeError(`map ${this.name}: index ${index} is out of range (max_entries ${this.maxEntries})`);
    this.#open[index] = true;
  }

  close(index: number): void {
    if (index < this.maxEntries) this.#open[index] = false;
  }

  /** Captured events, oldest first (copies). */
  events(): PerfEvent[] {
    return this.#events.map((e) => ({ index: e.index, data: e.data.slice() }));
  }

  /** Captured events, removed. */
  drain(): PerfEvent[] {
    return this.#events.splice(0);
  }

  lookup(): bigint {
    return 0n;
  }

  update(): number {
    return -Errno.EINVAL;
  }

  #index(key: Uint8Array): number {
    return (key[0]! | (key[1]! << 8) | (key[2]! << 16) | (key[3]! << 24)) >>> 0;
  }

  protected deleteKey(key: Uint8Array): number {
    const i = this.#index(key);
    if (i >= this.maxEntries) return -Errno.E2BIG;
    if (!this.#open[i]) return -Errno.ENOENT;
    this.#open[i] = false;
    return 0;
  }

  nextKey(key: Uint8Array | undefined): Uint8Array | undefined {
    const k = key === undefined ? this.maxEntries : this.#index(key);
    const i = k >= this.maxEntries ? 0 : k + 1;
    if (i >= this.maxEntries) return undefined;
    return Uint8Array.of(i & 0xff, (i >>> 8) & 0xff, (i >>> 16) & 0xff, i >>> 24);
  }

  override keys(): Uint8Array[] {
    return super.keys().filter((k) => this.#open[this.#index(k)] === true);
  }

  protected valuesOf(key: Uint8Array): readonly Uint8Array[] | undefined {
    return this.#open[this.#index(key)] === true ? [new Uint8Array(4)] : undefined;
  }

  protected updateAll(key: Uint8Array, _values: readonly Uint8Array[], flags: number): number {
    if (flags !== 0) return -Errno.EINVAL;
    const i = this.#index(key);
    if (i >= this.maxEntries) return -Errno.E2BIG;
    this.#open[i] = true;
    return 0;
  }
}
