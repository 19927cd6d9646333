import { afterAll, describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BtfBuilder, decodeBtfMapDefinition, encodeBtf, parseBtf, type Btf } from '../../../bpf/btf/index.ts';
import { available, bpftool } from '../../support/require.ts';
import { bpftoolFormat } from './bpftool-format.ts';
import { bpftoolDump } from './corpus.ts';

/** A small program's worth of BTF: a map, a function, globals, and one of each remaining kind. */
function sample(): { btf: Btf; ids: Record<string, number> } {
  const b = new BtfBuilder();
  const int = b.addInt('int', 4, 'signed');
  const u32 = b.addTypedef('__u32', b.addInt('unsigned int', 4));
  const u64 = b.addInt('unsigned long long', 8);
  const uint = (n: number) => b.addPtr(b.addArray(int, n));
  // struct list { struct list *next; __u32 v : 3; } — self-referential, via set().
  const list = b.addStruct('list', 16, []);
  const listPtr = b.addPtr(list);
  b.set(list, {
    kind: 'struct',
    name: 'list',
    size: 16,
    kindFlag: true,
    members: [
      { name: 'next', type: listPtr, bitOffset: 0, bitfieldSize: 0 },
      { name: 'v', type: u32, bitOffset: 64, bitfieldSize: 3 },
    ],
  });
  const value = b.addStruct('value', 16, [
    { name: 'packets', type: u64, bitOffset: 0 },
    { name: 'bytes', type: u64, bitOffset: 64 },
  ]);
  const mapStruct = b.addStruct('', 32, [
    { name: 'type', type: uint(1), bitOffset: 0 },
    { name: 'max_entries', type: uint(64), bitOffset: 64 },
    { name: 'key', type: b.addPtr(u32), bitOffset: 128 },
    { name: 'value', type: b.addPtr(value), bitOffset: 192 },
  ]);
  const map = b.addVar('counters', mapStruct);
  const proto = b.addFuncProto(int, [{ name: 'ctx', type: b.addPtr(0) }]);
  const prog = b.addFunc('prog', proto);
  const variadic = b.addFuncProto(int, [{ name: 'fmt', type: b.addPtr(b.addConst(b.addInt('char', 1, 'signed'))) }], true);
  const counter = b.addVar('counter', b.addVolatile(u64), 'static');
  b.addDatasec('.maps', 0, [{ type: map, offset: 0, size: 32 }]);
  b.addDatasec('.bss', 8, [{ type: counter, offset: 0, size: 8 }]);
  b.addEnum('colour', [{ name: 'RED', value: -1 }, { name: 'GREEN', value: 1 }], true);
  b.addEnum64('big', [{ name: 'HUGE', value: 0xfedcba9876543210n }]);
  b.addFwd('later', 'union');
  b.addFloat('double', 8);
  b.addRestrict(b.addPtr(int));
  b.addTypeTag('user', int);
  b.addDeclTag('tag', prog, 0);
  return { btf: b.build(), ids: { int, u32, list, listPtr, value, map, prog, variadic } };
}

describe('BtfBuilder', () => {
  it('build() hands out ids from 1 in order', () => {
    const { btf, ids } = sample();
    expect(ids['int']).toBe(1);
    expect(btf.typeById(ids['int']!).name).toBe('int');
    expect(btf.typeName(ids['prog']!)).toBe('prog');
  });

  it('addArray() adds __ARRAY_SIZE_TYPE__ once, as clang does', () => {
    const { btf } = sample();
    expect(btf.types.filter((t) => t.name === '__ARRAY_SIZE_TYPE__')).toHaveLength(1);
  });

  it('set() makes self-referential types', () => {
    const { btf, ids } = sample();
    expect(btf.describeType(ids['listPtr']!)).toBe('struct list *');
    const list = btf.typeById(ids['list']!);
    expect(list.kind === 'struct' && btf.resolve(list.members[0]!.type)).toBe(ids['listPtr']);
    expect(btf.sizeOf(ids['list']!)).toBe(16);
  });

  it('built BTF round-trips through encodeBtf and parseBtf', () => {
    const { btf } = sample();
    const again = parseBtf(encodeBtf(btf));
    expect(again.types).toEqual(btf.types);
    expect(again.strings.bytes()).toEqual(btf.strings.bytes());
    expect(encodeBtf(again)).toEqual(encodeBtf(btf));
  });

  it('built BTF holds a decodable map definition', () => {
    const { btf, ids } = sample();
    expect(decodeBtfMapDefinition(btf, ids['map']!)).toEqual({
      type: 1,
      maxEntries: 64,
      keySize: 4,
      keyTypeId: ids['u32'],
      valueSize: 16,
      valueTypeId: ids['value'],
    });
  });

  it('addFuncProto() marks variadic prototypes', () => {
    const { btf, ids } = sample();
    expect(btf.describeType(ids['variadic']!)).toBe('int (const char *, ...)');
  });

  it('build() returns a snapshot: later additions do not leak into it', () => {
    const b = new BtfBuilder();
    b.addInt('int', 4);
    const first = b.build();
    b.addInt('long', 8);
    expect(first.types).toHaveLength(1);
    expect(first.strings.offsetOf('long')).toBeUndefined();
    expect(b.build().types).toHaveLength(2);
  });

  it('set() and get() reject unknown ids', () => {
    const b = new BtfBuilder();
    expect(() => b.set(1, { kind: 'float', name: 'f', size: 4 })).toThrow(/type id 1 is out of range/);
    expect(() => b.get(0)).toThrow(RangeError);
  });

  it('encodeBtf() of built BTF rejects references past the last type', () => {
    const b = new BtfBuilder();
    b.addPtr(5);
    expect(() => encodeBtf(b.build())).toThrow(/type 1 \(PTR\): refers to type 5, past the last type 1/);
  });
});

describe.runIf(available('BtfBuilder vs bpftool', bpftool))('BtfBuilder output read by bpftool', () => {
  const dir = mkdtempSync(join(tmpdir(), 'tsbpf-btf-builder-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('bpftool btf dump reads encodeBtf() output of a built BTF as we do', () => {
    const { btf } = sample();
    const path = join(dir, 'sample.btf');
    writeFileSync(path, encodeBtf(btf));
    expect(bpftoolDump(path)).toEqual(bpftoolFormat(btf));
  });
});
