// BPF_MAP_TYPE_RINGBUF (27): max_entries is the buffer's size in bytes (a power of two, a multiple of the
// page size). Each record takes an 8-byte header plus its size rounded up to 8; reserve fails (returns null)
// when the records not yet consumed would not fit. Records are readable from TypeScript (`records()`,
// `drain()` consumes them), in submission order; discarded records are dropped.
//
//   record in the ring: | len (u32, busy/discard bits) | pg_off (u32) | data (len bytes, padded to 8) |
import type { Region } from '../vm/index.ts';
import { Errno, SimMap, type SimMapOptions } from './sim-map.ts';

export const RINGBUF_HDR_SIZE = 8;

const owners = new WeakMap<Region, RingbufMap>();

/** The ring buffer a reserved record region belongs to, if it is one still pending. */
export function ringbufOf(region: Region): RingbufMap | undefined {
  return owners.get(region);
}

export class RingbufMap extends SimMap {
  /** committed records not yet consumed */
  readonly #records: Uint8Array[] = [];
  /** reserved records: region id -> record */
  readonly #pending = new Map<number, { region: Region; size: number }>();
  #used = 0;

  constructor(o: SimMapOptions) {
    super({ ...o, keySize: 0, valueSize: 0 });
  }

  #cost(size: number): number {
    return RINGBUF_HDR_SIZE + ((size + 7) & ~7);
  }

  /** bpf_ringbuf_reserve: a record region, or undefined when it does not fit. */
  reserve(size: number): Region | undefined {
    if (size <= 0 || this.#used + this.#cost(size) > this.maxEntries) return undefined;
    this.#used += this.#cost(size);
    const region = this.memory.add({ name: `${this.name} record`, kind: 'ringbuf', size });
    this.#pending.set(region.id, { region, size });
    owners.set(region, this);
    return region;
  }

  /** bpf_ringbuf_submit / discard of the record at `region`; false when it is not a pending record. */
  commit(region: Region, discard: boolean): boolean {
    const p = this.#pending.get(region.id);
    if (p === undefined) return false;
    this.#pending.delete(region.id);
    owners.delete(region);
    this.memory.remove(region);
    if (discard) this.#used -= this.#cost(p.size);
    else this.#records.push(region.bytes.slice());
    return true;
  }

  /** bpf_ringbuf_output: copy `data` in as one record; 0 or -EAGAIN. */
  output(data: Uint8Array): number {
    const r = this.reserve(data.length);
    if (r === undefined) return -Errno.EAGAIN;
    r.bytes.set(data);
    this.commit(r, false);
    return 0;
  }

  /** The reserved record `region`'s ring buffer, if any pending record of this map. */
  owns(region: Region): boolean {
    return this.#pending.has(region.id);
  }

  /** Committed, unconsumed records (copies). */
  records(): Uint8Array[] {
    return this.#records.map((r) => r.slice());
  }

  /** Consume and return the committed records. */
  drain(): Uint8Array[] {
    const out = this.#records.splice(0);
    for (const r of out) this.#used -= this.#cost(r.length);
    return out;
  }

  /** Bytes in use (BPF_RB_AVAIL_DATA-like accounting, headers included). */
  get used(): number {
    return this.#used;
  }

  lookup(): bigint {
    return 0n;
  }
  update(): number {
    return -Errno.EINVAL;
  }
  protected deleteKey(): number {
    return -Errno.EINVAL;
  }
  nextKey(): Uint8Array | undefined {
    return undefined;
  }
  protected valuesOf(): readonly Uint8Array[] | undefined {
    return undefined;
  }
  protected updateAll(): number {
    return -Errno.EINVAL;
  }
}
