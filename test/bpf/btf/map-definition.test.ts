import { describe, expect, it } from 'vitest';
import {
  BtfBuilder,
  decodeBtfMapDefinition,
  decodeBtfMaps,
  parseBtf,
  type BtfMapDefinition,
} from '../../../bpf/btf/index.ts';
import { available, bpftool } from '../../support/require.ts';
import { bpftoolDump, btfObjects, fixturePath } from './corpus.ts';
import { btfSections } from './sections.ts';

const withMaps = btfObjects().filter((o) => parseBtf(o.btf).findByName('datasec', '.maps') !== undefined);

describe('decodeBtfMaps() on the corpus', () => {
  it('finds objects with BTF-defined maps', () => expect(withMaps.length).toBeGreaterThanOrEqual(40));

  it.each(withMaps.map((o) => [o.name, o] as const))('decodeBtfMaps() decodes every map of %s', (_, o) => {
    const btf = parseBtf(o.btf);
    const maps = decodeBtfMaps(btf);
    expect(maps.length).toBeGreaterThan(0);
    for (const m of maps) {
      expect(m.definition.type, m.name).toBeTypeOf('number');
      if (m.definition.keyTypeId !== undefined) expect(m.definition.keySize).toBe(btf.sizeOf(m.definition.keyTypeId));
    }
  });
});

// An independent reading of the same convention from bpftool's text dump: if bpftool and we disagree on
// a single type, field or id, the decoded definitions differ.
interface DumpType {
  kind: string;
  name: string;
  attrs: Map<string, string>;
  entries: { name: string; attrs: Map<string, string> }[];
}

function parseDump(lines: string[]): Map<number, DumpType> {
  const types = new Map<number, DumpType>();
  let current: DumpType | undefined;
  const attrs = (s: string) => new Map([...s.matchAll(/(\w+)=([^\s,]+)/g)].map((m) => [m[1]!, m[2]!]));
  for (const line of lines) {
    const head = /^\[(\d+)\] (\w+) '([^']*)'(.*)$/.exec(line);
    if (head) {
      current = { kind: head[2]!, name: head[3]!, attrs: attrs(head[4]!), entries: [] };
      types.set(Number(head[1]), current);
      continue;
    }
    const entry = /^\t(?:'([^']*)')?(.*)$/.exec(line);
    if (entry && current) current.entries.push({ name: entry[1] ?? '', attrs: attrs(entry[2]!) });
  }
  return types;
}

function oracleMaps(types: Map<number, DumpType>): Record<string, BtfMapDefinition> {
  const get = (id: number) => types.get(id)!;
  const skip = (id: number): number => {
    const t = get(id);
    return ['TYPEDEF', 'CONST', 'VOLATILE', 'RESTRICT', 'TYPE_TAG'].includes(t.kind) ? skip(Number(t.attrs.get('type_id'))) : id;
  };
  const size = (id: number): number => {
    const t = get(id);
    if (t.kind === 'PTR') return 8;
    if (t.kind === 'ARRAY') return Number(t.attrs.get('nr_elems')) * size(Number(t.attrs.get('type_id')));
    if (t.attrs.has('size')) return Number(t.attrs.get('size'));
    return size(Number(t.attrs.get('type_id')));
  };
  const numeric: Record<string, keyof BtfMapDefinition> = {
    type: 'type', key_size: 'keySize', value_size: 'valueSize', max_entries: 'maxEntries',
    map_flags: 'flags', numa_node: 'numaNode', pinning: 'pinning',
  };
  const decode = (structId: number): BtfMapDefinition => {
    const def: Record<string, unknown> = {};
    for (const m of get(skip(structId)).entries) {
      const typeId = Number(m.attrs.get('type_id'));
      const field = numeric[m.name];
      if (field) {
        def[field] = Number(get(Number(get(skip(typeId)).attrs.get('type_id'))).attrs.get('nr_elems'));
      } else if (m.name === 'key' || m.name === 'value') {
        const target = Number(get(skip(typeId)).attrs.get('type_id'));
        def[m.name === 'key' ? 'keySize' : 'valueSize'] = size(target);
        def[m.name === 'key' ? 'keyTypeId' : 'valueTypeId'] = target;
      } else if (m.name === 'values') {
        def['valueSize'] = 4;
        const ptr = skip(Number(get(typeId).attrs.get('type_id')));
        const target = skip(Number(get(ptr).attrs.get('type_id')));
        if (get(target).kind === 'STRUCT') def['inner'] = decode(target);
      } else if (m.name === 'map_extra') {
        const t = get(skip(typeId));
        def['mapExtra'] = BigInt(t.entries[0]!.attrs.get('val')!.replace(/U?LL$/, ''));
      } else {
        throw new Error(`oracle: unknown member ${m.name}`);
      }
    }
    return def as BtfMapDefinition;
  };
  const out: Record<string, BtfMapDefinition> = {};
  for (const [, t] of types) {
    if (t.kind !== 'DATASEC' || t.name !== '.maps') continue;
    for (const v of t.entries) {
      const varId = Number(v.attrs.get('type_id'));
      out[get(varId).name] = decode(Number(get(varId).attrs.get('type_id')));
    }
  }
  return out;
}

describe.runIf(available('decodeBtfMaps() vs bpftool btf dump', bpftool))('decodeBtfMaps() agrees with bpftool', () => {
  it.each(withMaps.map((o) => [o.name, o] as const))('map definitions of %s match bpftool', (_, o) => {
    const ours = Object.fromEntries(decodeBtfMaps(parseBtf(o.btf)).map((m) => [m.name, m.definition]));
    expect(ours).toEqual(oracleMaps(parseDump(bpftoolDump(o.path))));
  });
});

describe('decodeBtfMapDefinition() on known maps', () => {
  const btf = parseBtf(btfSections(fixturePath('all-kinds.o')).btf!);
  const map = (name: string) => decodeBtfMapDefinition(btf, btf.findByName('var', name)!);
  const u32 = btf.findByName('typedef', '__u32')!;
  const value = btf.findByName('struct', 'value')!;
  const inner: BtfMapDefinition = { type: 2, maxEntries: 4, keySize: 4, keyTypeId: u32, valueSize: 24, valueTypeId: value };

  it('decodeBtfMapDefinition() reads __uint and __type members', () => {
    expect(map('inner')).toEqual(inner);
  });

  it('decodeBtfMapDefinition() reads the inner map of an array of maps', () => {
    expect(map('outer')).toEqual({ type: 12, maxEntries: 8, keySize: 4, keyTypeId: u32, valueSize: 4, inner });
  });

  it('decodeBtfMapDefinition() reads a prog array with function values', () => {
    expect(map('progs')).toEqual({ type: 3, maxEntries: 2, keySize: 4, valueSize: 4 });
  });

  it('decodeBtfMapDefinition() reads every numeric member', () => {
    expect(map('sized')).toEqual({ type: 1, maxEntries: 1024, keySize: 8, valueSize: 16, flags: 1, numaNode: 3, pinning: 1 });
  });

  it('decodeBtfMapDefinition() reads __ulong map_extra from an ENUM64', () => {
    expect(map('bloom')).toEqual({ type: 30, maxEntries: 100, valueSize: 4, valueTypeId: u32, mapExtra: 0x100000003n });
  });

  it('decodeBtfMapDefinition() accepts the struct id as well as the VAR id', () => {
    const v = btf.typeById(btf.findByName('var', 'inner')!);
    expect(v.kind === 'var' && decodeBtfMapDefinition(btf, v.type)).toEqual(inner);
  });

  it('decodeBtfMaps() lists maps in section order', () => {
    expect(decodeBtfMaps(btf).map((m) => m.name)).toEqual(['inner', 'outer', 'progs', 'sized', 'bloom']);
  });

  it('decodeBtfMaps() of BTF without .maps is empty', () => {
    expect(decodeBtfMaps(new BtfBuilder().build())).toEqual([]);
  });
});

describe('decodeBtfMapDefinition() errors', () => {
  // Builds `struct { <members> } m SEC(".maps")` with the libbpf macros' shapes.
  function mapWith(build: (b: BtfBuilder, h: { uint: (n: number) => number; int: number }) => { name: string; type: number }[]) {
    const b = new BtfBuilder();
    const int = b.addInt('int', 4, 'signed');
    const uint = (n: number) => b.addPtr(b.addArray(int, n));
    const members = build(b, { uint, int }).map((m, i) => ({ ...m, bitOffset: i * 64 }));
    const s = b.addStruct('', members.length * 8, members);
    const v = b.addVar('m', s);
    return () => decodeBtfMapDefinition(b.build(), v);
  }

  it('decodeBtfMapDefinition() rejects unknown members', () => {
    expect(mapWith((_, h) => [{ name: 'colour', type: h.uint(1) }])).toThrow(/map m: member colour: unknown map definition member/);
  });

  it('decodeBtfMapDefinition() rejects a numeric member that is not a pointer to an array', () => {
    expect(mapWith((_, h) => [{ name: 'max_entries', type: h.int }])).toThrow(/map m: member max_entries: expected PTR, got INT/);
    expect(mapWith((b, h) => [{ name: 'type', type: b.addPtr(h.int) }])).toThrow(/member type: expected PTR to ARRAY, got PTR to INT/);
  });

  it('decodeBtfMapDefinition() rejects key and key_size that disagree', () => {
    expect(mapWith((b, h) => [{ name: 'key_size', type: h.uint(8) }, { name: 'key', type: b.addPtr(h.int) }])).toThrow(
      /member key: conflicting size 4, key_size says 8/,
    );
  });

  it('decodeBtfMapDefinition() rejects a key that is not a pointer or cannot be sized', () => {
    expect(mapWith((_, h) => [{ name: 'key', type: h.int }])).toThrow(/member key: expected PTR, got INT/);
    expect(mapWith((b) => [{ name: 'value', type: b.addPtr(0) }])).toThrow(/member value: cannot size type 0/);
  });

  it('decodeBtfMapDefinition() rejects values that are not last, or on a plain map', () => {
    const values = (b: BtfBuilder, h: { int: number }) => b.addArray(b.addPtr(b.addFuncProto(h.int, [])), 0);
    expect(mapWith((b, h) => [{ name: 'type', type: h.uint(3) }, { name: 'values', type: values(b, h) }, { name: 'max_entries', type: h.uint(1) }])).toThrow(
      /member values: must be the last member/,
    );
    expect(mapWith((b, h) => [{ name: 'type', type: h.uint(1) }, { name: 'values', type: values(b, h) }])).toThrow(
      /member values: needs a map-in-map or prog-array type, map type is 1/,
    );
    expect(mapWith((b, h) => [{ name: 'type', type: h.uint(12) }, { name: 'values', type: values(b, h) }])).toThrow(
      /map m: inner map: definition must be a STRUCT, got FUNC_PROTO/,
    );
    expect(mapWith((b, h) => [{ name: 'type', type: h.uint(3) }, { name: 'values', type: b.addArray(h.int, 2) }])).toThrow(
      /member values: expected a zero-length ARRAY/,
    );
  });

  it('decodeBtfMapDefinition() rejects multi-level inner maps', () => {
    const decode = mapWith((b, h) => {
      const innerMost = b.addStruct('', 8, [{ name: 'type', type: h.uint(2), bitOffset: 0 }]);
      const mid = b.addStruct('', 16, [
        { name: 'type', type: h.uint(12), bitOffset: 0 },
        { name: 'values', type: b.addArray(b.addPtr(innerMost), 0), bitOffset: 64 },
      ]);
      return [{ name: 'type', type: h.uint(12) }, { name: 'values', type: b.addArray(b.addPtr(mid), 0) }];
    });
    expect(decode).toThrow(/map m: inner map: member values: multi-level inner maps are not supported/);
  });

  it('decodeBtfMapDefinition() rejects a variable whose type is not a struct', () => {
    const b = new BtfBuilder();
    const v = b.addVar('x', b.addInt('int', 4));
    expect(() => decodeBtfMapDefinition(b.build(), v)).toThrow(/map x: definition must be a STRUCT, got INT/);
  });

  it('decodeBtfMapDefinition() reads map_extra from a plain ENUM and from a pointer to array', () => {
    const b = new BtfBuilder();
    const int = b.addInt('int', 4, 'signed');
    const e = b.addEnum('', [{ name: 'x', value: 7 }]);
    const s = b.addStruct('', 16, [
      { name: 'map_extra', type: e, bitOffset: 0 },
      { name: 'max_entries', type: b.addPtr(b.addArray(int, 9)), bitOffset: 64 },
    ]);
    const s2 = b.addStruct('', 8, [{ name: 'map_extra', type: b.addPtr(b.addArray(int, 5)), bitOffset: 0 }]);
    const btf = b.build();
    expect(decodeBtfMapDefinition(btf, s)).toEqual({ mapExtra: 7n, maxEntries: 9 });
    expect(decodeBtfMapDefinition(btf, s2)).toEqual({ mapExtra: 5n });
  });
});
