import { describe, expect, it } from 'vitest';
import { Btf, BtfStringTable, encodeBtf, parseBtf, type BtfType } from '../../../bpf/btf/index.ts';
import { btfObjects } from './corpus.ts';
import { expectSameBytes } from './same-bytes.ts';

const objects = btfObjects().filter((o) => !o.invalid);

describe('encodeBtf() round trip on the corpus', () => {
  it.each(objects.map((o) => [o.name, o] as const))('encodeBtf(parseBtf(x)) is byte-identical for %s', (_, o) => {
    expectSameBytes(encodeBtf(parseBtf(o.btf)), o.btf);
  });

  it.each(objects.map((o) => [o.name, o] as const))('parseBtf(encodeBtf(m)) equals m for %s', (_, o) => {
    const model = parseBtf(o.btf);
    const again = parseBtf(encodeBtf(model));
    expect(again.types).toEqual(model.types);
    expectSameBytes(again.strings.bytes(), model.strings.bytes());
    expect(again.byteOrder).toBe(model.byteOrder);
  });
});

describe('encodeBtf() with an edited model', () => {
  const o = objects.find((x) => x.name === 'fixtures/all-kinds.o')!;

  it('encodeBtf() appends names missing from the string table and leaves the model alone', () => {
    const btf = parseBtf(o.btf);
    const before = btf.strings.size;
    const int = btf.findByName('int', 'int')!;
    btf.types.push({ kind: 'typedef', name: 'brand_new_t', type: int });
    const bytes = encodeBtf(btf);
    expect(btf.strings.size).toBe(before); // not mutated
    const again = parseBtf(bytes);
    expect(again.types).toEqual(btf.types);
    expect(again.strings.size).toBe(before + 'brand_new_t'.length + 1);
    expect(again.strings.offsetOf('brand_new_t')).toBe(before);
    // Everything before the new string is unchanged.
    expect(again.strings.bytes().subarray(0, before)).toEqual(btf.strings.bytes());
  });

  it('encodeBtf() interns names into a caller-supplied table', () => {
    const btf = new Btf([{ kind: 'int', name: 'int', size: 4, encoding: 'signed', bitOffset: 0, bits: 32 }]);
    const table = new BtfStringTable();
    table.add('first');
    const bytes = encodeBtf(btf, table);
    expect(table.offsetOf('int')).toBe(7);
    expect(parseBtf(bytes).strings.bytes()).toEqual(table.bytes());
  });

  it('encodeBtf() writes and parseBtf() reads big-endian BTF', () => {
    const little = parseBtf(o.btf);
    const big = new Btf(little.types, little.strings, 'big');
    const bytes = encodeBtf(big);
    expect([bytes[0], bytes[1]]).toEqual([0xeb, 0x9f]);
    expect(bytes.length).toBe(o.btf.length);
    const back = parseBtf(bytes);
    expect(back.byteOrder).toBe('big');
    expect(back.types).toEqual(little.types);
  });

  it('encodeBtf() round-trips signed ENUM64, INT bit offsets and attribute tags', () => {
    const types: BtfType[] = [
      { kind: 'int', name: 'u3', size: 1, encoding: 'none', bitOffset: 2, bits: 3 },
      { kind: 'enum64', name: 's', size: 8, signed: true, values: [{ name: 'MIN', value: -(2n ** 63n) }, { name: 'M1', value: -1n }] },
      { kind: 'enum64', name: 'u', size: 8, signed: false, values: [{ name: 'MAX', value: 2n ** 64n - 1n }] },
      { kind: 'enum', name: 'e', size: 4, signed: false, values: [{ name: 'BIG', value: 0xffffffff }] },
      { kind: 'decl_tag', name: 'attr', type: 1, componentIdx: -1, attribute: true },
      { kind: 'type_tag', name: 'tt', type: 1, attribute: true },
      { kind: 'fwd', name: 'f', fwdKind: 'union' },
      { kind: 'func_proto', name: '', returnType: 0, params: [{ name: 'x', type: 1 }, { name: '', type: 0 }] },
      { kind: 'func', name: 'fn', type: 8, linkage: 'extern' },
      { kind: 'var', name: 'v', type: 1, linkage: 'static' },
      { kind: 'datasec', name: '.data', size: 16, vars: [{ type: 10, offset: 8, size: 1 }] },
      { kind: 'float', name: 'double', size: 8 },
      { kind: 'restrict', name: '', type: 1 },
      { kind: 'union', name: 'un', size: 8, kindFlag: true, members: [{ name: 'x', type: 1, bitOffset: 0xffffff, bitfieldSize: 255 }] },
    ];
    const btf = new Btf(types);
    expect(parseBtf(encodeBtf(btf)).types).toEqual(types);
  });
});

describe('parseBtf() of non-canonical layouts', () => {
  it('parseBtf() accepts strings before types with a gap; encodeBtf() writes the canonical layout', () => {
    const o = objects.find((x) => x.name === 'fixtures/all-kinds.o')!;
    const view = new DataView(o.btf.buffer, o.btf.byteOffset, o.btf.byteLength);
    const typeLen = view.getUint32(12, true);
    const strLen = view.getUint32(20, true);
    const types = o.btf.subarray(24, 24 + typeLen);
    const strings = o.btf.subarray(24 + typeLen, 24 + typeLen + strLen);
    const typeOff = (strLen + 8 + 3) & ~3; // strings first, then a gap, then 4-aligned types
    const shuffled = new Uint8Array(24 + typeOff + typeLen);
    shuffled.set(o.btf.subarray(0, 24));
    shuffled.set(strings, 24);
    shuffled.set(types, 24 + typeOff);
    const w = new DataView(shuffled.buffer);
    w.setUint32(8, typeOff, true);
    w.setUint32(16, 0, true);
    const model = parseBtf(shuffled);
    expect(model.types).toEqual(parseBtf(o.btf).types);
    expectSameBytes(encodeBtf(model), o.btf);
  });
});

describe('encodeBtf() validation', () => {
  const int: BtfType = { kind: 'int', name: 'int', size: 4, encoding: 'signed', bitOffset: 0, bits: 32 };
  const cases: [string, BtfType[], RegExp][] = [
    ['a dangling reference', [int, { kind: 'ptr', name: '', type: 9 }], /type 2 \(PTR\): refers to type 9, past the last type 2/],
    ['a negative size', [{ ...int, size: -1 }], /type 1 \(INT 'int'\): size\/type -1 is not a u32/],
    ['too many members', [int, { kind: 'struct', name: 's', size: 4, kindFlag: false, members: Array.from({ length: 65536 }, () => ({ name: '', type: 1, bitOffset: 0, bitfieldSize: 0 })) }], /65536 entries exceed the vlen limit/],
    ['a bitfield without the kind flag', [int, { kind: 'struct', name: 's', size: 4, kindFlag: false, members: [{ name: 'x', type: 1, bitOffset: 0, bitfieldSize: 3 }] }], /member 0 has bitfield size 3 but kindFlag is false/],
    ['a bit offset past 24 bits with the kind flag', [int, { kind: 'struct', name: 's', size: 4, kindFlag: true, members: [{ name: 'x', type: 1, bitOffset: 1 << 24, bitfieldSize: 1 }] }], /do not fit 24\/8 bits/],
    ['an unsigned enum value out of range', [{ kind: 'enum', name: 'e', size: 4, signed: false, values: [{ name: 'A', value: -1 }] }], /enumerator 0 value -1 is not a u32/],
    ['a signed enum value out of range', [{ kind: 'enum', name: 'e', size: 4, signed: true, values: [{ name: 'A', value: 0x80000000 }] }], /is not an s32/],
    ['an enum64 value out of range', [{ kind: 'enum64', name: 'e', size: 8, signed: false, values: [{ name: 'A', value: -1n }] }], /does not fit 64 bits/],
    ['INT bits past 8 bits', [{ ...int, bits: 256 }], /do not fit in 8 bits/],
  ];
  it.each(cases)('encodeBtf() rejects %s', (_, types, message) => {
    expect(() => encodeBtf(new Btf(types))).toThrow(message);
  });

  it('encodeBtf() rejects a string containing NUL', () => {
    expect(() => encodeBtf(new Btf([{ kind: 'float', name: 'a\0b', size: 4 }]))).toThrow(TypeError);
  });
});
