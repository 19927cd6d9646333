// Internal: bounds-checked little-endian reads over a Uint8Array (not re-exported).
//
// The reader validates every range before reading it; these checks are a second line so that a
// missed validation surfaces as a clear RangeError rather than DataView's "offset is out of bounds".
import { hex } from './diagnostics.ts';

export class ByteReader {
  readonly bytes: Uint8Array;
  private readonly view: DataView;

  constructor(bytes: Uint8Array) {
    this.bytes = bytes;
    this.view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  }

  get length(): number {
    return this.bytes.length;
  }

  private check(offset: number, width: number): void {
    if (!Number.isSafeInteger(offset) || offset < 0 || offset + width > this.bytes.length) {
      throw new RangeError(
        `read of ${width} bytes at offset ${hex(offset)} lies outside the file (size ${hex(this.bytes.length)})`,
      );
    }
  }

  u8(offset: number): number {
    this.check(offset, 1);
    return this.view.getUint8(offset);
  }

  u16(offset: number): number {
    this.check(offset, 2);
    return this.view.getUint16(offset, true);
  }

  u32(offset: number): number {
    this.check(offset, 4);
    return this.view.getUint32(offset, true);
  }

  u64(offset: number): bigint {
    this.check(offset, 8);
    return this.view.getBigUint64(offset, true);
  }

  i64(offset: number): bigint {
    this.check(offset, 8);
    return this.view.getBigInt64(offset, true);
  }
}
