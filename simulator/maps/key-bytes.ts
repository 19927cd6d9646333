// Keys as bytes in place: a hash and a comparison over `size` bytes at an offset of a buffer, so a map
// lookup from a program (its key on the stack) needs neither a copy nor a string per lookup.

/** FNV-1a over `size` bytes at `offset` of `b`, folded to 30 bits (a small integer for V8: a Map key without boxing). */
export function hashBytes(b: Uint8Array, offset: number, size: number): number {
  let h = 0x811c9dc5 | 0;
  for (let i = offset, end = offset + size; i < end; i++) h = Math.imul(h ^ b[i]!, 0x01000193);
  return (h ^ (h >>> 30)) & 0x3fff_ffff;
}

/** Whether the `size` bytes at `offset` of `b` are `key` (whose length is `size`). */
export function sameBytes(key: Uint8Array, b: Uint8Array, offset: number, size: number): boolean {
  for (let i = 0; i < size; i++) if (key[i] !== b[offset + i]) return false;
  return true;
}
