// Copies the entries of one map into another of the same key and value layout (connection tracking carried over
// a change of capacity). Run once before the new programs take over, and once after with `onlyMissing`, for the
// entries the old programs created in between (existing ones, already refreshed by the new programs, are kept).
import { BpfSyscallError, mapGetNextKey, mapLookup, mapUpdate, type Fd } from '../../loader/index.ts';

const BPF_NOEXIST = 1;
const SKIPPABLE = new Set<string>(['EEXIST', 'E2BIG']);

export interface CopyResult {
  readonly copied: number;
  /** entries the new map refused (full: a smaller plain hash map), or that existed already with onlyMissing */
  readonly skipped: number;
}

/** `valueSize`: the target's value size when it differs (values are cut, or padded with zeros, at their end). */
export function copyEntries(from: Fd, to: Fd, options: { readonly onlyMissing?: boolean; readonly valueSize?: number } = {}): CopyResult {
  let copied = 0;
  let skipped = 0;
  for (let k = mapGetNextKey(from, undefined); k !== undefined; k = mapGetNextKey(from, k)) {
    const found = mapLookup(from, k);
    if (found === undefined) continue; // deleted (expired, evicted) while we walked
    let v = found;
    if (options.valueSize !== undefined && options.valueSize !== found.byteLength) {
      v = new Uint8Array(options.valueSize);
      v.set(found.subarray(0, Math.min(found.byteLength, options.valueSize)));
    }
    try {
      mapUpdate(to, k, v, options.onlyMissing === true ? BPF_NOEXIST : 0);
      copied++;
    } catch (e) {
      // EEXIST with onlyMissing; E2BIG when a smaller map is full or an index is past a smaller array's end
      if (!(e instanceof BpfSyscallError) || !SKIPPABLE.has(e.code)) throw e;
      skipped++;
    }
  }
  return { copied, skipped };
}
