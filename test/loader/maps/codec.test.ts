import { describe, expect, it } from 'vitest';
import { Btf } from '../../../bpf/index.ts';
import { btfCodec, bytes, perCpu, s32, u16, u32, u64 } from '../../../loader/index.ts';

describe('codecs', () => {
  it('number codecs are little endian and round-trip', () => {
    expect([...u32.encode(0x01020304)]).toEqual([4, 3, 2, 1]);
    expect(u16.decode(Uint8Array.of(0x34, 0x12))).toBe(0x1234);
    expect(s32.decode(s32.encode(-5))).toBe(-5);
    expect(u64.decode(u64.encode(2n ** 63n))).toBe(2n ** 63n);
    expect(() => bytes(2).encode(Uint8Array.of(1))).toThrow(RangeError);
  });

  it('perCpu() pads each CPU value to 8 bytes', () => {
    const c = perCpu(u32, 3);
    expect(c.size).toBe(24);
    const b = c.encode([1, 2, 3]);
    expect([...b.subarray(8, 12)]).toEqual([2, 0, 0, 0]);
    expect(c.decode(b)).toEqual([1, 2, 3]);
  });

  it('btfCodec() turns structs with bitfields, arrays and char arrays into objects', () => {
    // 1 u8, 2 u16, 3 struct k { u8 proto:4; u8 flags:4; u16 port; u16 ports[2]; char tag[2]; }, 4 u16[2], 5 char, 6 char[2]
    const btf = new Btf([
      { kind: 'int', name: 'u8', size: 1, encoding: 'none', bitOffset: 0, bits: 8 },
      { kind: 'int', name: 'u16', size: 2, encoding: 'none', bitOffset: 0, bits: 16 },
      {
        kind: 'struct',
        name: 'k',
        size: 10,
        kindFlag: true,
        members: [
          { name: 'proto', type: 1, bitOffset: 0, bitfieldSize: 4 },
          { name: 'flags', type: 1, bitOffset: 4, bitfieldSize: 4 },
          { name: 'port', type: 2, bitOffset: 16, bitfieldSize: 0 },
          { name: 'ports', type: 4, bitOffset: 32, bitfieldSize: 0 },
          { name: 'tag', type: 6, bitOffset: 64, bitfieldSize: 0 },
        ],
      },
      { kind: 'array', name: '', type: 2, indexType: 2, nelems: 2 },
      { kind: 'int', name: 'char', size: 1, encoding: 'char', bitOffset: 0, bits: 8 },
      { kind: 'array', name: '', type: 5, indexType: 2, nelems: 2 },
    ]);
    const c = btfCodec(btf, 3);
    const value = { proto: 6, flags: 0xa, port: 80, ports: [1, 2], tag: Uint8Array.of(104, 105) };
    const b = c.encode(value);
    expect([...b]).toEqual([0xa6, 0, 80, 0, 1, 0, 2, 0, 104, 105]);
    expect(c.decode(b)).toEqual(value);
  });
});
