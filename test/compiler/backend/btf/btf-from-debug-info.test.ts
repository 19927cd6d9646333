// BTF from debug metadata, on clang-19's IR of programs/btf_features.c (committed with its source; the oracle
// test test/oracle/backend-btf.test.ts checks it is current and that the whole graph equals clang's).
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { encodeBtf, parseBtf, type Btf, type BtfType } from '../../../../bpf/index.ts';
import { btfFromDebugInfo, canonicalBtf } from '../../../../compiler/backend/btf/index.ts';
import { parseIr } from '../../../../compiler/backend/ir/index.ts';
import { planGlobals } from '../../../../compiler/backend/object/index.ts';
import { repoRoot } from '../../../corpora.ts';

const programs = join(repoRoot, 'test/compiler/backend/btf/programs');
const mod = parseIr(readFileSync(join(programs, 'btf_features.ll'), 'utf8'));
const layout = planGlobals(mod);
const result = btfFromDebugInfo(mod, { globals: layout.slots });
const btf = result.btf;

function named<K extends BtfType['kind']>(kind: K, name: string): Extract<BtfType, { kind: K }> {
  const id = btf.findByName(kind, name);
  if (id === undefined) throw new Error(`no ${kind} ${name}`);
  return btf.typeById(id) as Extract<BtfType, { kind: K }>;
}

const describeId = (b: Btf, id: number) => b.describeType(id);

describe('btfFromDebugInfo()', () => {
  it('gives a struct its members with bit offsets, and bitfield sizes under the kind flag', () => {
    const holder = named('struct', 'holder');
    expect(holder.size).toBe(48);
    expect(holder.kindFlag).toBe(true);
    expect(holder.members.map((m) => [m.name, m.bitOffset, m.bitfieldSize])).toEqual([
      ['p', 0, 0],
      ['n', 64, 0],
      ['flag', 128, 1],
      ['kind', 129, 3],
      ['arr', 160, 0],
      ['tail', 352, 0],
    ]);
    expect(holder.members.map((m) => describeId(btf, m.type))).toEqual([
      'struct pointee *',
      'struct never_defined *',
      'unsigned int',
      'unsigned int',
      'int [2][3]',
      'char [0]',
    ]);
  });

  it('points a pruned struct member at a FWD when the struct is defined nowhere, at the struct when it is', () => {
    const holder = named('struct', 'holder');
    const n = btf.typeById(holder.members[1]!.type);
    expect(n.kind === 'ptr' && btf.typeById(n.type)).toEqual({ kind: 'fwd', name: 'never_defined', fwdKind: 'struct' });
    const p = btf.typeById(holder.members[0]!.type);
    expect(p.kind === 'ptr' && btf.typeById(p.type).kind).toBe('struct');
    expect(btf.types.filter((t) => t.name === 'pointee')).toHaveLength(1);
  });

  it('uses one unsigned 32-bit __ARRAY_SIZE_TYPE__ as every array index', () => {
    const index = btf.types.filter((t) => t.kind === 'int' && t.name === '__ARRAY_SIZE_TYPE__');
    expect(index).toEqual([{ kind: 'int', name: '__ARRAY_SIZE_TYPE__', size: 4, encoding: 'none', bitOffset: 0, bits: 32 }]);
    const arrays = btf.types.filter((t) => t.kind === 'array');
    expect(new Set(arrays.map((a) => (a.kind === 'array' ? a.indexType : 0)))).toEqual(new Set([btf.findByName('int', '__ARRAY_SIZE_TYPE__')]));
  });

  it('encodes char as a signed 8-bit INT, enums by signedness, and 64-bit enumerators as ENUM64', () => {
    expect(named('int', 'char')).toMatchObject({ size: 1, encoding: 'signed', bits: 8 });
    expect(named('enum', 'neg')).toMatchObject({ signed: true, size: 4, values: [{ name: 'NEG_A', value: -1 }, { name: 'NEG_B', value: 2 }] });
    expect(named('enum64', 'big')).toMatchObject({ signed: false, size: 8, values: [{ name: 'BIG_A', value: 1n }, { name: 'BIG_B', value: 1n << 32n }] });
  });

  it('gives defined functions a FUNC with named parameters and static linkage for static ones', () => {
    const helper = named('func', 'helper');
    expect(helper.linkage).toBe('static');
    const proto = btf.typeById(helper.type);
    expect(proto.kind === 'func_proto' && proto.params.map((p) => p.name)).toEqual(['h', 'x']);
    expect(named('func', 'prog').linkage).toBe('global');
    expect(result.functions.get('prog')).toBe(btf.findByName('func', 'prog'));
  });

  it('turns btf_decl_tag into DECL_TAGs on variables and parameters, btf_type_tag into a TYPE_TAG under the pointer', () => {
    const tags = btf.types.filter((t) => t.kind === 'decl_tag');
    expect(tags.map((t) => t.kind === 'decl_tag' && [t.name, btf.typeName(t.type), t.componentIdx])).toEqual(
      expect.arrayContaining([
        ['arg_tag', 'helper', 1],
        ['tagged_var', 'tagged', -1],
      ]),
    );
    const tp = named('var', 'tp');
    expect(btf.describeType(tp.type)).toBe('int __attribute__((btf_type_tag("user"))) *');
  });

  it('gives globals VARs by linkage and a DATASEC per section, named in order, with sizes and static offsets', () => {
    expect(named('var', 'prog.__tsbpf_fmt').linkage).toBe('static');
    expect(named('var', 'tagged').linkage).toBe('global');
    const datasecs = btf.types.filter((t) => t.kind === 'datasec');
    expect(datasecs.map((d) => d.name)).toEqual(['.bss', '.data', '.data.custom', '.maps', '.rodata', 'license']);
    const rodata = named('datasec', '.rodata');
    expect(rodata.size).toBe(0);
    // statics carry their offset (clang's relocation addend against the section), globals 0
    expect(rodata.vars.map((v) => [btf.typeName(v.type), v.offset, v.size])).toEqual([
      ['prog.__tsbpf_fmt', 0, 5],
      ['bigv', 8, 8],
    ]);
    expect(named('datasec', '.data').vars.map((v) => [btf.typeName(v.type), v.offset, v.size])).toEqual([
      ['tagged', 0, 4],
      ['negv', 0, 4],
      ['uv', 0, 4],
      ['arr64', 0, 32],
      ['pts', 0, 16],
    ]);
    expect(result.variables.get('hmap')).toBe(btf.findByName('var', 'hmap'));
  });

  it('brings a map definition in with its key and value types complete', () => {
    const hmap = named('var', 'hmap');
    const def = btf.typeById(hmap.type);
    expect(def.kind === 'struct' && def.members.map((m) => [m.name, describeId(btf, m.type)])).toEqual([
      ['type', 'int (*)[1]'],
      ['max_entries', 'int (*)[16]'],
      ['key', 'struct pointee *'],
      ['value', 'holder_t *'],
      ['pinning', 'int (*)[1]'],
    ]);
  });

  it('maps DI metadata ids to the BTF ids they became', () => {
    const id = [...mod.metadata.entries()].find(([, n]) => n.kind === 'specialized' && n.name === 'DICompositeType' && n.fields['name']?.kind === 'string' && n.fields['name'].value === 'holder')![0];
    expect(result.typeIdOf(id)).toBe(btf.findByName('struct', 'holder'));
    expect(result.typeIdOf(999_999)).toBe(0);
  });

  it('gives externs extern VARs and kfunc declarations extern FUNCs, in the .kconfig and .ksyms DATASECs', () => {
    const ext = parseIr(readFileSync(join(programs, 'btf_externs.ll'), 'utf8'));
    const b = btfFromDebugInfo(ext, { globals: planGlobals(ext).slots }).btf;
    const sec = (name: string) => {
      const d = b.typeById(b.findByName('datasec', name)!);
      return d.kind === 'datasec' ? d.vars.map((v) => [b.typeById(v.type).kind, b.typeName(v.type), v.size]) : [];
    };
    expect(sec('.kconfig')).toEqual([
      ['var', 'LINUX_KERNEL_VERSION', 4],
      ['var', 'CONFIG_BPF_JIT', 1],
    ]);
    expect(sec('.ksyms')).toEqual([
      ['func', 'bpf_task_acquire', 0],
      ['func', 'bpf_task_release', 0],
      ['var', 'bpf_prog_active', 4],
    ]);
    expect(b.types.filter((t) => t.kind === 'func' || t.kind === 'var').map((t) => [t.name, 'linkage' in t ? t.linkage : ''])).toEqual(
      expect.arrayContaining([
        ['bpf_task_acquire', 'extern'],
        ['LINUX_KERNEL_VERSION', 'extern'],
        ['handle', 'global'],
      ]),
    );
  });

  it('builds BTF that encodes and parses back to the same graph', () => {
    expect(canonicalBtf(parseBtf(encodeBtf(btf)))).toEqual(canonicalBtf(btf));
  });
});
