// Reads pinned maps of a deployment: every entry of a map, and the per-CPU values of one slot of a per-CPU map
// (the kernel returns one value per possible CPU, each padded to 8 bytes).
import { mapGetInfo, mapGetNextKey, mapLookup, openPinned, possibleCpus, type Fd } from '../../loader/index.ts';

export class PinnedMaps implements Disposable {
  readonly #paths: Readonly<Record<string, string>>;
  readonly #fds = new Map<string, { fd: Fd; valueSize: number }>();

  constructor(paths: Readonly<Record<string, string>>) {
    this.#paths = paths;
  }

  has(map: string): boolean {
    return this.#paths[map] !== undefined;
  }

  #open(map: string): { fd: Fd; valueSize: number } {
    let m = this.#fds.get(map);
    if (m === undefined) {
      const path = this.#paths[map];
      if (path === undefined) throw new RangeError(`map ${map}: not pinned by this deployment`);
      const fd = openPinned(path, { readOnly: true });
      m = { fd, valueSize: mapGetInfo(fd).valueSize };
      this.#fds.set(map, m);
    }
    return m;
  }

  /** Every [key, value] of the map (per-CPU maps: the value of every CPU, concatenated). */
  entries(map: string): [Uint8Array, Uint8Array][] {
    const { fd } = this.#open(map);
    const out: [Uint8Array, Uint8Array][] = [];
    for (let k = mapGetNextKey(fd, undefined); k !== undefined; k = mapGetNextKey(fd, k)) {
      const v = mapLookup(fd, k);
      if (v !== undefined) out.push([k, v]);
    }
    return out;
  }

  /** The values of slot `index` of a per-CPU array, one per possible CPU. */
  perCpu(map: string, index: number): Uint8Array[] {
    const { fd, valueSize } = this.#open(map);
    const v = mapLookup(fd, Uint8Array.of(index & 0xff, (index >>> 8) & 0xff, (index >>> 16) & 0xff, index >>> 24));
    if (v === undefined) return [];
    const stride = (valueSize + 7) & ~7;
    return Array.from({ length: possibleCpus() }, (_, c) => v.subarray(c * stride, c * stride + valueSize));
  }

  [Symbol.dispose](): void {
    for (const m of this.#fds.values()) m.fd.close();
    this.#fds.clear();
  }
}
