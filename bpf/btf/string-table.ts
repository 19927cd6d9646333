// The BTF string section: NUL-terminated strings packed back to back, addressed by byte offset.
// .BTF names and .BTF.ext section names, file names, line texts and CO-RE access strings all point into it.
//
//   offset: 0    1         5
//          +----+---------+---------+--
//          | \0 | i n t \0| f o o \0| ...      offset 0 is always the empty string
//          +----+---------+---------+--
//
// A table parsed from an object keeps its bytes verbatim (order, duplicates, unused strings), so re-encoding
// reproduces them; `add` appends only strings not already present.

const utf8 = new TextDecoder('utf-8');
const utf8Encoder = new TextEncoder();

/** A growable, interning BTF string table. */
export class BtfStringTable {
  #buf: Uint8Array;
  #len: number;
  /** string -> first offset where it starts as a whole string; built lazily. */
  #index: Map<string, number> | undefined;
  /** offset -> decoded string, filled by `at`. */
  #decoded = new Map<number, string>();

  /** An empty table: just the empty string at offset 0. */
  constructor() {
    this.#buf = new Uint8Array(64);
    this.#len = 1;
    this.#index = new Map([['', 0]]);
  }

  /**
   * A table holding `bytes` verbatim (copied). Like the kernel, requires the first and last byte to be NUL;
   * `context` prefixes error messages.
   */
  static fromBytes(bytes: Uint8Array, context = 'string table'): BtfStringTable {
    if (bytes.length === 0) throw new RangeError(`${context}: empty (must hold at least the empty string)`);
    if (bytes[0] !== 0) throw new SyntaxError(`${context}: first byte is not NUL`);
    if (bytes[bytes.length - 1] !== 0) throw new SyntaxError(`${context}: last string is not NUL-terminated`);
    const t = new BtfStringTable();
    t.#buf = bytes.slice();
    t.#len = bytes.length;
    t.#index = undefined;
    return t;
  }

  /** Size in bytes, including every terminator. */
  get size(): number {
    return this.#len;
  }

  /** The string starting at byte `offset`; RangeError when the offset is outside the table. */
  at(offset: number): string {
    const cached = this.#decoded.get(offset);
    if (cached !== undefined) return cached;
    if (!Number.isInteger(offset) || offset < 0 || offset >= this.#len) {
      throw new RangeError(`string offset ${offset} is outside the string table (${this.#len} bytes)`);
    }
    // The last byte is always NUL, so the scan terminates inside the table.
    let end = offset;
    while (this.#buf[end] !== 0) end++;
    const s = utf8.decode(this.#buf.subarray(offset, end));
    this.#decoded.set(offset, s);
    return s;
  }

  /** The first offset holding exactly `s`, or undefined. */
  offsetOf(s: string): number | undefined {
    return this.#lookup().get(s);
  }

  /** The offset of `s`, appending it when absent. */
  add(s: string): number {
    const index = this.#lookup();
    const known = index.get(s);
    if (known !== undefined) return known;
    const bytes = utf8Encoder.encode(s);
    if (bytes.includes(0)) throw new TypeError(`string table: cannot add a string containing NUL: ${JSON.stringify(s)}`);
    const need = this.#len + bytes.length + 1;
    if (need > this.#buf.length) {
      const grown = new Uint8Array(Math.max(need, this.#buf.length * 2));
      grown.set(this.#buf.subarray(0, this.#len));
      this.#buf = grown;
    }
    const offset = this.#len;
    this.#buf.set(bytes, offset);
    this.#buf[offset + bytes.length] = 0;
    this.#len = need;
    index.set(s, offset);
    return offset;
  }

  /** A copy of the table's bytes. */
  bytes(): Uint8Array {
    return this.#buf.slice(0, this.#len);
  }

  /** An independent copy. */
  clone(): BtfStringTable {
    const t = new BtfStringTable();
    t.#buf = this.#buf.slice(0, Math.max(this.#len, 1));
    t.#len = this.#len;
    t.#index = this.#index === undefined ? undefined : new Map(this.#index);
    return t;
  }

  #lookup(): Map<string, number> {
    if (this.#index === undefined) {
      const index = new Map<string, number>();
      let start = 0;
      for (let i = 0; i < this.#len; i++) {
        if (this.#buf[i] !== 0) continue;
        const s = this.at(start);
        if (!index.has(s)) index.set(s, start);
        start = i + 1;
      }
      this.#index = index;
    }
    return this.#index;
  }
}
