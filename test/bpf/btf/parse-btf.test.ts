import { describe, expect, it } from 'vitest';
import { parseBtf, type BtfKind, type BtfType } from '../../../bpf/btf/index.ts';
import { available, bpftool } from '../../support/require.ts';
import { bpftoolFormat } from './bpftool-format.ts';
import { bpftoolDump, btfObjects, fixturePath, objectsWithoutBtf } from './corpus.ts';
import { btfSections } from './sections.ts';

const objects = btfObjects();

describe('parseBtf() on the corpus', () => {
  it('finds the expected objects with .BTF (and skips legacy ones without)', () => {
    expect(objects.length).toBeGreaterThanOrEqual(80);
    expect(objectsWithoutBtf().length).toBeGreaterThan(0);
  });

  it.each(objects.map((o) => [o.name, o] as const))('parseBtf() reads %s', (_, o) => {
    if (o.invalid) {
      // Objects under invalid/ are broken elsewhere (instructions, symbols); their BTF either parses or is
      // rejected with one of our own errors.
      try {
        parseBtf(o.btf);
      } catch (e) {
        expect(e).toBeInstanceOf(Error);
        expect((e as Error).message).toMatch(/^\.BTF: /);
      }
      return;
    }
    const btf = parseBtf(o.btf);
    expect(btf.types.length).toBeGreaterThan(0);
    expect(btf.byteOrder).toBe('little');
    // Every name is a string, every reference in range.
    for (const t of btf.types) expect(typeof t.name).toBe('string');
  });
});

describe.runIf(available('parseBtf() vs bpftool btf dump', bpftool))('parseBtf() agrees with bpftool', () => {
  it.each(objects.map((o) => [o.name, o] as const))(
    'parseBtf() of %s prints exactly as bpftool btf dump does',
    (_, o) => {
      const ours = bpftoolFormat(parseBtf(o.btf));
      const theirs = bpftoolDump(o.path);
      // Same number of types, names, kinds, and every field.
      const count = (lines: string[]) => lines.filter((l) => l.startsWith('[')).length;
      expect(count(ours)).toBe(count(theirs));
      expect(ours).toEqual(theirs);
    },
  );
});

describe('parseBtf() on the all-kinds fixture', () => {
  const { btf: bytes } = btfSections(fixturePath('all-kinds.o'));
  const btf = parseBtf(bytes!);
  const find = <K extends BtfKind>(kind: K, name: string): Extract<BtfType, { kind: K }> => {
    const id = btf.findByName(kind, name);
    expect(id, `${kind} ${name}`).toBeDefined();
    return btf.typeById(id!) as Extract<BtfType, { kind: K }>;
  };

  it('parseBtf() sees every kind clang-19 emits', () => {
    const kinds = new Set(btf.types.map((t) => t.kind));
    const all: BtfKind[] = [
      'int', 'ptr', 'array', 'struct', 'union', 'enum', 'fwd', 'typedef', 'volatile', 'const', 'restrict',
      'func', 'func_proto', 'var', 'datasec', 'float', 'decl_tag', 'type_tag', 'enum64',
    ];
    for (const k of all) expect(kinds, k).toContain(k);
  });

  it('parseBtf() decodes INT encodings, offsets and widths', () => {
    expect(find('int', 'int')).toEqual({ kind: 'int', name: 'int', size: 4, encoding: 'signed', bitOffset: 0, bits: 32 });
    expect(find('int', 'unsigned int').encoding).toBe('none');
    expect(find('int', '_Bool')).toMatchObject({ encoding: 'bool', size: 1, bits: 8 });
    expect(find('int', 'char')).toMatchObject({ encoding: 'signed', size: 1 });
  });

  it('parseBtf() decodes bitfield members when the kind flag is set', () => {
    const bits = find('struct', 'bits');
    expect(bits.kindFlag).toBe(true);
    expect(bits.members.slice(0, 4)).toEqual([
      { name: 'a', type: btf.findByName('int', 'unsigned int'), bitOffset: 0, bitfieldSize: 3 },
      { name: 'b', type: btf.findByName('int', 'unsigned int'), bitOffset: 3, bitfieldSize: 5 },
      { name: 'c', type: btf.findByName('int', 'int'), bitOffset: 8, bitfieldSize: 7 },
      { name: 'd', type: btf.findByName('int', 'char'), bitOffset: 16, bitfieldSize: 0 },
    ]);
    const value = find('struct', 'value');
    expect(value.kindFlag).toBe(false);
    expect(value.members.map((m) => [m.name, m.bitOffset])).toEqual([['packets', 0], ['bytes', 64]]);
  });

  it('parseBtf() decodes signed and unsigned ENUM and ENUM64 values', () => {
    expect(find('enum', 'colour')).toEqual({
      kind: 'enum',
      name: 'colour',
      size: 4,
      signed: true,
      values: [{ name: 'RED', value: -1 }, { name: 'GREEN', value: 1 }, { name: 'BLUE', value: 2 }],
    });
    expect(find('enum', 'tiny')).toMatchObject({ size: 1, signed: false });
    expect(find('enum64', 'big')).toEqual({
      kind: 'enum64',
      name: 'big',
      size: 8,
      signed: false,
      values: [{ name: 'SMALL', value: 1n }, { name: 'HUGE', value: 0xfedcba9876543210n }],
    });
  });

  it('parseBtf() decodes FWD kinds, FUNC and VAR linkage, DECL_TAG and TYPE_TAG', () => {
    expect(find('fwd', 'fwd_only').fwdKind).toBe('struct');
    expect(find('fwd', 'fwd_union').fwdKind).toBe('union');
    expect(find('func', 'helper').linkage).toBe('static');
    expect(find('func', 'prog').linkage).toBe('global');
    expect(find('func', 'ext_func').linkage).toBe('extern');
    expect(find('var', 'static_counter').linkage).toBe('static');
    expect(find('var', 'global_counter').linkage).toBe('global');
    expect(find('var', 'extern_var').linkage).toBe('extern');
    const member = find('decl_tag', 'member_tag');
    expect(member).toMatchObject({ type: btf.findByName('struct', 'bits'), attribute: false });
    expect(find('struct', 'bits').members[member.componentIdx]?.name).toBe('tagged');
    expect(find('decl_tag', 'struct_tag').componentIdx).toBe(-1);
    expect(find('decl_tag', 'param_tag').componentIdx).toBe(0);
    expect(find('type_tag', 'user')).toEqual({ kind: 'type_tag', name: 'user', type: btf.findByName('int', 'int'), attribute: false });
  });

  it('parseBtf() decodes FUNC_PROTO parameters including the variadic marker', () => {
    const helper = find('func', 'helper');
    const proto = btf.typeById(helper.type);
    expect(proto.kind).toBe('func_proto');
    if (proto.kind !== 'func_proto') return;
    expect(proto.params.map((p) => p.name)).toEqual(['b', 'n']);
    expect(btf.describeType(proto.returnType)).toBe('int');
    const vfn = find('struct', 'bits').members.find((m) => m.name === 'vfn')!;
    expect(btf.describeType(vfn.type)).toBe('int (*)(const char *, ...)');
  });

  it('parseBtf() decodes DATASEC entries', () => {
    const maps = find('datasec', '.maps');
    expect(maps.vars.map((v) => btf.typeName(v.type))).toEqual(['inner', 'outer', 'progs', 'sized', 'bloom']);
    const bss = find('datasec', '.bss');
    expect(bss.vars).toEqual([
      { type: btf.findByName('var', 'static_counter'), offset: 0, size: 4 },
      { type: btf.findByName('var', 'the_bits'), offset: 0, size: 160 },
    ]);
  });
});
