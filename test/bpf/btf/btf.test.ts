import { describe, expect, it } from 'vitest';
import { Btf, BtfBuilder, parseBtf, type BtfType } from '../../../bpf/btf/index.ts';
import { btfObjects, fixturePath } from './corpus.ts';
import { btfSections } from './sections.ts';

const btf = parseBtf(btfSections(fixturePath('all-kinds.o')).btf!);
const bits = btf.findByName('struct', 'bits')!;
const member = (name: string): number => {
  const t = btf.typeById(bits);
  if (t.kind !== 'struct') throw new Error('not a struct');
  return t.members.find((m) => m.name === name)!.type;
};

describe('Btf.typeById() and Btf.typeName()', () => {
  it('typeById() returns types by 1-based id', () => {
    expect(btf.typeById(1)).toBe(btf.types[0]);
    expect(btf.typeById(btf.maxTypeId)).toBe(btf.types.at(-1));
  });

  it('typeById() rejects void, ids past the end and non-integers', () => {
    expect(() => btf.typeById(0)).toThrow(/type id 0 is void/);
    expect(() => btf.typeById(btf.maxTypeId + 1)).toThrow(RangeError);
    expect(() => btf.typeById(-1)).toThrow(/out of range/);
    expect(() => btf.typeById(1.5)).toThrow(/out of range/);
  });

  it("typeName() gives 'void' for 0, '' for anonymous types and the name otherwise", () => {
    expect(btf.typeName(0)).toBe('void');
    expect(btf.typeName(bits)).toBe('bits');
    expect(btf.typeName(member('grid'))).toBe('');
  });
});

describe('Btf.findByName()', () => {
  it('findByName() distinguishes kinds with the same name', () => {
    const b = new BtfBuilder();
    const s = b.addStruct('x', 0, []);
    const t = b.addTypedef('x', s);
    const built = b.build();
    expect(built.findByName('struct', 'x')).toBe(s);
    expect(built.findByName('typedef', 'x')).toBe(t);
    expect(built.findByName('union', 'x')).toBeUndefined();
  });
});

describe('Btf.resolve()', () => {
  it('resolve() skips typedefs, const, volatile, restrict and type tags', () => {
    const config = btf.typeById(btf.findByName('var', 'config')!);
    if (config.kind !== 'var') throw new Error('not a var');
    // const volatile __u32 -> unsigned int
    expect(btf.resolve(config.type)).toBe(btf.findByName('int', 'unsigned int'));
    expect(btf.typeById(btf.resolve(member('rptr'))).kind).toBe('ptr');
    expect(btf.resolve(bits)).toBe(bits);
    expect(btf.resolve(0)).toBe(0);
  });

  it('resolve() stops at a pointer (does not follow it)', () => {
    expect(btf.typeById(btf.resolve(member('cptr'))).kind).toBe('ptr');
  });
});

describe('Btf.sizeOf()', () => {
  it('sizeOf() follows the kernel rules', () => {
    expect(btf.sizeOf(bits)).toBe(160);
    expect(btf.sizeOf(btf.findByName('struct', 'value')!)).toBe(24);
    expect(btf.sizeOf(member('grid'))).toBe(24);
    expect(btf.sizeOf(member('parr'))).toBe(8);
    expect(btf.sizeOf(member('fn'))).toBe(8);
    expect(btf.sizeOf(member('vol'))).toBe(4);
    expect(btf.sizeOf(member('tiny'))).toBe(1);
    expect(btf.sizeOf(member('big'))).toBe(8);
    expect(btf.sizeOf(member('ld'))).toBe(8);
    expect(btf.sizeOf(btf.findByName('var', 'the_bits')!)).toBe(160);
    expect(btf.sizeOf(btf.findByName('typedef', '__u64')!)).toBe(8);
  });

  it('sizeOf() rejects void, FUNC, FUNC_PROTO and FWD', () => {
    expect(() => btf.sizeOf(0)).toThrow(/void has no size/);
    const helper = btf.findByName('func', 'helper')!;
    expect(() => btf.sizeOf(helper)).toThrow(`type ${helper}: FUNC has no size`);
    expect(() => btf.sizeOf(btf.findByName('fwd', 'fwd_only')!)).toThrow(/FWD has no size/);
  });

  it('sizeOf() rejects sizes past 32 bits', () => {
    const b = new BtfBuilder();
    const int = b.addInt('int', 4);
    const big = b.addArray(b.addArray(int, 0x10000), 0x10000);
    expect(() => b.build().sizeOf(big)).toThrow(/overflows 32 bits/);
  });

  it('sizeOf() agrees with the sizes clang recorded in DATASEC entries across the corpus', () => {
    let checked = 0;
    for (const o of btfObjects()) {
      const m = parseBtf(o.btf);
      for (const t of m.types) {
        if (t.kind !== 'datasec') continue;
        for (const v of t.vars) {
          const vt = m.typeById(v.type);
          if (vt.kind !== 'var') continue;
          // A flexible array member with an initializer (map-in-map `values`) makes the symbol larger.
          const st = m.typeById(m.resolve(vt.type));
          const last = st.kind === 'struct' ? st.members.at(-1) : undefined;
          const flex = last !== undefined && m.typeById(last.type).kind === 'array' && m.sizeOf(last.type) === 0;
          if (flex) continue;
          expect(m.sizeOf(v.type), `${o.name} ${t.name} ${m.typeName(v.type)}`).toBe(v.size);
          checked++;
        }
      }
    }
    expect(checked).toBeGreaterThan(500);
  });

  it('sizeOf() agrees with struct sizes: every member fits inside its struct across the corpus', () => {
    for (const o of btfObjects()) {
      const m = parseBtf(o.btf);
      m.types.forEach((t) => {
        if (t.kind !== 'struct' && t.kind !== 'union') return;
        for (const mem of t.members) {
          if (mem.bitfieldSize !== 0) continue;
          const end = mem.bitOffset / 8 + m.sizeOf(mem.type);
          expect(end, `${o.name} ${t.name}.${mem.name}`).toBeLessThanOrEqual(t.size);
        }
      });
    }
  });
});

describe('Btf.describeType()', () => {
  it('describeType() renders C declarators', () => {
    expect(btf.describeType(bits)).toBe('struct bits');
    expect(btf.describeType(0)).toBe('void');
    expect(btf.describeType(member('cptr'))).toBe('const char *const');
    expect(btf.describeType(member('rptr'))).toBe('int *restrict');
    expect(btf.describeType(member('grid'))).toBe('int [2][3]');
    expect(btf.describeType(member('parr'))).toBe('int (*)[2]');
    expect(btf.describeType(member('fn'))).toBe('int (*)(int, char *)');
    expect(btf.describeType(member('vol'))).toBe('volatile int');
    expect(btf.describeType(member('u'))).toBe('union (anon)');
    expect(btf.describeType(member('fwd'))).toBe('struct fwd_only *');
    expect(btf.describeType(member('fwdu'))).toBe('union fwd_union *');
    expect(btf.describeType(member('colour'))).toBe('enum colour');
    expect(btf.describeType(member('big'))).toBe('enum big');
    expect(btf.describeType(member('uptr'))).toBe('int __attribute__((btf_type_tag("user"))) *');
    expect(btf.describeType(btf.findByName('func', 'helper')!)).toBe('int helper(struct bits *, int)');
    expect(btf.describeType(btf.findByName('var', 'config')!)).toBe('const volatile __u32 config');
    expect(btf.describeType(btf.findByName('datasec', '.maps')!)).toBe('datasec .maps');
  });

  it('describeType() renders pointers to pointers, arrays of pointers and void prototypes', () => {
    const b = new BtfBuilder();
    const int = b.addInt('int', 4, 'signed');
    const pp = b.addPtr(b.addConst(b.addPtr(int)));
    const arrOfPtr = b.addArray(b.addPtr(int), 4);
    const fnNoArgs = b.addPtr(b.addFuncProto(0, []));
    const fnRetPtr = b.addFuncProto(b.addPtr(int), [{ name: 'x', type: int }]);
    const m = b.build();
    expect(m.describeType(pp)).toBe('int *const *');
    expect(m.describeType(arrOfPtr)).toBe('int *[4]');
    expect(m.describeType(fnNoArgs)).toBe('void (*)(void)');
    expect(m.describeType(fnRetPtr)).toBe('int *(int)');
  });

  it('describeType() works on every type of every corpus object', () => {
    for (const o of btfObjects()) {
      const m = parseBtf(o.btf);
      for (let id = 1; id <= m.maxTypeId; id++) expect(typeof m.describeType(id)).toBe('string');
    }
  });
});

describe('cycles terminate with errors', () => {
  // typedef a -> typedef b -> typedef a; ptr -> array of itself; const -> const (self)
  const types: BtfType[] = [
    { kind: 'typedef', name: 'a', type: 2 },
    { kind: 'typedef', name: 'b', type: 1 },
    { kind: 'array', name: '', type: 3, indexType: 4, nelems: 2 },
    { kind: 'int', name: 'int', size: 4, encoding: 'none', bitOffset: 0, bits: 32 },
    { kind: 'const', name: '', type: 5 },
    { kind: 'ptr', name: '', type: 6 },
    { kind: 'func_proto', name: '', returnType: 6, params: [] },
  ];
  const cyclic = new Btf(types);

  it('resolve() reports a typedef cycle', () => {
    expect(() => cyclic.resolve(1)).toThrow(/type 1: cycle/);
    expect(() => cyclic.resolve(5)).toThrow(/type 5: cycle/);
  });

  it('sizeOf() reports cycles through typedefs and arrays', () => {
    expect(() => cyclic.sizeOf(1)).toThrow(/type 1: cycle/);
    expect(() => cyclic.sizeOf(3)).toThrow(RangeError);
  });

  it('describeType() reports cycles', () => {
    expect(() => cyclic.describeType(3)).toThrow(/type 3: type graph too deep or cyclic/);
    expect(() => cyclic.describeType(6)).toThrow(RangeError);
    expect(() => cyclic.describeType(5)).toThrow(RangeError);
  });
});
