import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import {
  BtfBuilder,
  decodeBtfMaps,
  emptyBtfExt,
  encodeBtf,
  encodeBtfAndExt,
  parseBtf,
  parseBtfExt,
  type Btf,
} from '../../../bpf/btf/index.ts';
import { btfObjects } from './corpus.ts';

// A small valid .BTF: [1] INT 'int', [2] PTR -> 1, [3] STRUCT 's' { int a; }, [4] FUNC_PROTO, [5] FUNC 'f'.
// Byte offsets (section-relative): header 0..24, type 1 at 0x18, type 2 at 0x28, type 3 at 0x34.
function base(): { bytes: Uint8Array; btf: Btf; ext: Uint8Array } {
  const b = new BtfBuilder();
  const int = b.addInt('int', 4, 'signed');
  b.addPtr(int);
  b.addStruct('s', 4, [{ name: 'a', type: int, bitOffset: 0 }]);
  const f = b.addFunc('f', b.addFuncProto(int, []));
  const btf = b.build();
  const ext = emptyBtfExt();
  ext.funcInfo.sections.push({ section: 'xdp', records: [{ insnIndex: 0, typeId: f }] });
  ext.lineInfo.sections.push({ section: 'xdp', records: [{ insnIndex: 0, fileName: 'a.c', lineText: 'x', line: 1, column: 2 }] });
  ext.coreRelos.sections.push({ section: 'xdp', records: [{ insnIndex: 1, typeId: 3, accessStr: '0:0', kind: 'field_byte_offset' }] });
  const out = encodeBtfAndExt(btf, ext);
  return { bytes: out.btf, btf: parseBtf(out.btf), ext: out.btfExt };
}

const patch = (bytes: Uint8Array, at: number, value: number, width: 1 | 2 | 4 = 4): Uint8Array => {
  const copy = bytes.slice();
  const view = new DataView(copy.buffer);
  if (width === 1) view.setUint8(at, value);
  else if (width === 2) view.setUint16(at, value, true);
  else view.setUint32(at, value >>> 0, true);
  return copy;
};

const TYPE1 = 0x18; // INT 'int': name_off, info, size, int data
const TYPE2 = 0x28; // PTR: name_off, info, type
const TYPE3 = 0x34; // STRUCT 's': name_off, info, size, member { name_off, type, offset }

describe('parseBtf() rejects malformed .BTF with clear errors', () => {
  const { bytes } = base();
  const typeLen = new DataView(bytes.buffer).getUint32(12, true);
  const cases: [string, Uint8Array, RegExp][] = [
    ['a section too short for a header', bytes.subarray(0, 4), /^\.BTF: 4 bytes is too short for a header$/],
    ['a bad magic', patch(bytes, 0, 0x1234, 2), /^\.BTF: bad magic 0x1234, expected 0xeb9f$/],
    ['an unknown version', patch(bytes, 2, 2, 1), /^\.BTF: unsupported version 2$/],
    ['header flags', patch(bytes, 3, 1, 1), /^\.BTF: unsupported header flags 0x1$/],
    ['a header length below 24', patch(bytes, 4, 20), /^\.BTF: header length 20 is below 24$/],
    ['a header length past the section', patch(bytes, 4, 0x10000), /header length 65536 exceeds the section/],
    ['a header cut short', bytes.subarray(0, 20), /^\.BTF: header length 24 exceeds the section \(20 bytes\)$/],
    ['a type section past the end', patch(bytes, 12, typeLen + 1000), /^\.BTF: type section 0\+\d+ exceeds the \d+ bytes after the header$/],
    ['a string section past the end', patch(bytes, 20, 0xffffffff), /^\.BTF: string section \d+\+4294967295 exceeds/],
    ['an unaligned type section', patch(bytes, 8, 2), /type section offset 2 is not 4-byte aligned/],
    ['a string table not starting with NUL', patch(bytes, 24 + typeLen, 0x41, 1), /^\.BTF: string section: first byte is not NUL$/],
    ['a string table without final NUL', patch(bytes, bytes.length - 1, 0x41, 1), /string section: last string is not NUL-terminated/],
    ['a name offset outside the strings', patch(bytes, TYPE1, 9999), /^\.BTF: type 1 at byte 0x18: name offset 9999 is outside the string table/],
    ['a member name offset outside the strings', patch(bytes, TYPE3 + 12, 9999), /^\.BTF: type 3 at byte 0x34: member 0 name offset 9999 is outside/],
    ['a reference past the last type', patch(bytes, TYPE2 + 8, 77), /^\.BTF: type 2 at byte 0x28 \(PTR\): refers to type 77, past the last type 5$/],
    ['an unknown kind', patch(bytes, TYPE1 + 4, 25 << 24), /^\.BTF: type 1 at byte 0x18: unknown kind 25$/],
    ['kind 0 (UNKN)', patch(bytes, TYPE1 + 4, 0), /^\.BTF: type 1 at byte 0x18: unknown kind 0$/],
    ['a vlen overflowing the section', patch(bytes, TYPE3 + 4, (4 << 24) | 1000), /^\.BTF: type 3 at byte 0x34: vlen 1000 x 12-byte entries needs 12000 bytes but the type section ends at byte 0x/],
    ['reserved info bits', patch(bytes, TYPE2 + 4, (2 << 24) | (1 << 20)), /type 2 at byte 0x28 \(PTR\): reserved info bits set/],
    ['vlen on a PTR', patch(bytes, TYPE2 + 4, (2 << 24) | 1), /type 2 at byte 0x28 \(PTR\): vlen 1 must be 0/],
    ['kind_flag on an INT', patch(bytes, TYPE1 + 4, (1 << 31) | (1 << 24)), /type 1 at byte 0x18 \(INT\): kind_flag must be 0/],
    ['an unknown INT encoding', patch(bytes, TYPE1 + 12, (3 << 24) | 32), /\(INT\): unsupported int encoding 3/],
    ['reserved INT data bits', patch(bytes, TYPE1 + 12, 0x100 | 32), /\(INT\): reserved int data bits set/],
    ['an unknown FUNC linkage', patch(bytes, 24 + typeLen - 8, (12 << 24) | 3), /type 5 at byte 0x\w+ \(FUNC\): unknown linkage 3/],
    ['a truncated type header', patch(bytes, 12, typeLen - 4), /type 5 at byte 0x\w+: struct btf_type needs 12 bytes but the type section ends/],
  ];
  it.each(cases)('parseBtf() rejects %s', (_, input, message) => {
    expect(() => parseBtf(input)).toThrow(message);
  });

  it('parseBtf() rejects non-zero bytes in a longer header but accepts zeros', () => {
    const { btf } = base();
    const bytes = encodeBtf(btf);
    const longer = new Uint8Array(bytes.length + 8);
    longer.set(bytes.subarray(0, 24));
    longer.set(bytes.subarray(24), 32);
    new DataView(longer.buffer).setUint32(4, 32, true);
    expect(parseBtf(longer).types).toEqual(btf.types);
    longer[30] = 1;
    expect(() => parseBtf(longer)).toThrow(/^\.BTF: unsupported non-zero header extension at byte 0x1e$/);
  });

  it('parseBtf() errors are RangeError or SyntaxError', () => {
    for (const [, input] of cases) {
      try {
        parseBtf(input);
      } catch (e) {
        expect(e instanceof RangeError || e instanceof SyntaxError).toBe(true);
      }
    }
  });
});

describe('parseBtfExt() rejects malformed .BTF.ext with clear errors', () => {
  const { btf, ext } = base();
  // Layout: header 32 | func_info @32: rec_size, sec hdr @36, record @44 | line_info @52: rec_size, sec hdr @56,
  // record @64 (insn_off, file, line, line_col) | core_relo @80: rec_size, sec hdr @84, record @92.
  const cases: [string, Uint8Array, RegExp][] = [
    ['a section too short for a header', ext.subarray(0, 6), /^\.BTF\.ext: 6 bytes is too short for a header$/],
    ['a bad magic', patch(ext, 0, 0xbeef, 2), /^\.BTF\.ext: bad magic 0xbeef/],
    ['an unknown version', patch(ext, 2, 9, 1), /^\.BTF\.ext: unsupported version 9$/],
    ['header flags', patch(ext, 3, 2, 1), /^\.BTF\.ext: unsupported header flags 0x2$/],
    ['a header length below 24', patch(ext, 4, 16), /^\.BTF\.ext: header length 16 is below 24$/],
    ['a header length past the section', patch(ext, 4, 4096), /^\.BTF\.ext: header length 4096 exceeds the section/],
    ['a subsection past the end', patch(ext, 12, 4096), /^\.BTF\.ext: func_info 0\+4096 exceeds the \d+ bytes after the header$/],
    ['an unaligned subsection', patch(patch(ext, 16, 22), 20, 2), /^\.BTF\.ext: line_info offset 22 is not 4-byte aligned$/],
    ['a subsection too short for its record size', patch(ext, 20, 2), /^\.BTF\.ext: line_info length 2 is too short/],
    ['a record size below the minimum', patch(ext, 32, 4), /^\.BTF\.ext: func_info record size 4 is invalid/],
    ['a record size not a multiple of 4', patch(ext, 52, 17), /^\.BTF\.ext: line_info record size 17 is invalid/],
    ['a truncated section header', patch(ext, 12, 8), /^\.BTF\.ext: func_info section header at byte 0x24 is truncated/],
    ['records overrunning the subsection', patch(ext, 40, 1000), /^\.BTF\.ext: func_info section xdp at byte 0x24: 1000 records of 8 bytes overrun/],
    ['a section name outside the strings', patch(ext, 36, 5000), /^\.BTF\.ext: func_info section at byte 0x24: name offset 5000 is outside the \.BTF string table/],
    ['an insn_off not a multiple of 8', patch(ext, 44, 3), /^\.BTF\.ext: func_info section xdp record 0 at byte 0x2c: insn_off 3 is not a multiple of 8$/],
    ['a type id past the last type', patch(ext, 48, 6), /func_info section xdp record 0 at byte 0x2c: type id 6 is past the last \.BTF type 5$/],
    ['a file name outside the strings', patch(ext, 68, 5000), /line_info section xdp record 0 at byte 0x40: file name offset 5000 is outside/],
    ['a line text outside the strings', patch(ext, 72, 5000), /line_info section xdp record 0 at byte 0x40: line text offset 5000 is outside/],
    ['an access string outside the strings', patch(ext, 100, 5000), /core_relo section xdp record 0 at byte 0x5c: access string offset 5000/],
    ['an unknown CO-RE kind', patch(ext, 104, 13), /^\.BTF\.ext: core_relo section xdp record 0 at byte 0x5c: unknown CO-RE relocation kind 13$/],
  ];
  it.each(cases)('parseBtfExt() rejects %s', (_, input, message) => {
    expect(() => parseBtfExt(input, btf)).toThrow(message);
  });

  it('parseBtfExt() accepts the short 24-byte header without CO-RE relocations', () => {
    const full = parseBtfExt(ext, btf);
    const short = ext.slice(0, 80);
    new DataView(short.buffer).setUint32(4, 24, true);
    // Drop core_relo_off/len (bytes 24..32); everything after shifts by 8 so offsets stay header-relative.
    const v1 = new Uint8Array(short.length - 8);
    v1.set(short.subarray(0, 24));
    v1.set(short.subarray(32), 24);
    const parsed = parseBtfExt(v1, btf);
    expect(parsed.funcInfo).toEqual(full.funcInfo);
    expect(parsed.lineInfo).toEqual(full.lineInfo);
    expect(parsed.coreRelos.sections).toEqual([]);
  });
});

// Mutation fuzzing: any byte soup must give a model or one of our errors, never an engine error (DataView
// bounds, stack overflow) and never a hang, and the helpers must behave the same on whatever parses.
const ours = (e: unknown, prefix: RegExp) => {
  if (!(e instanceof Error)) return false;
  if (/bounds of the (DataView|buffer)|Maximum call stack|Invalid array length/.test(e.message)) return false;
  return prefix.test(e.message);
};

function exerciseHelpers(btf: Btf): void {
  for (let id = 1; id <= btf.maxTypeId; id++) {
    for (const f of [() => btf.resolve(id), () => btf.sizeOf(id), () => btf.describeType(id), () => btf.typeName(id)]) {
      try {
        f();
      } catch (e) {
        if (!ours(e, /^type /)) throw e;
      }
    }
  }
  try {
    decodeBtfMaps(btf);
  } catch (e) {
    if (!ours(e, /^(map |type )/)) throw e;
  }
  // Whatever parsed must encode and parse back to the same model.
  expect(parseBtf(encodeBtf(btf)).types).toEqual(btf.types);
}

const seeds = (() => {
  const all = btfObjects().filter((o) => !o.invalid && o.ext);
  const pick = ['build/map_in_map.o', 'build/prog_array.o', 'cilium-examples/tcprtt_bpf_bpfel.o', 'fixtures/all-kinds.o'];
  return [base(), ...pick.map((name) => all.find((o) => o.name === name)!).map((o) => ({ bytes: o.btf, btf: parseBtf(o.btf), ext: o.ext! }))];
})();

const mutation = (length: number) =>
  fc.array(
    fc.oneof(
      fc.record({ op: fc.constant('set' as const), at: fc.nat({ max: length - 1 }), value: fc.nat({ max: 255 }) }),
      fc.record({ op: fc.constant('u32' as const), at: fc.nat({ max: Math.max(0, length - 4) }), value: fc.oneof(fc.nat({ max: 64 }), fc.nat(), fc.constant(0xffffffff)) }),
      fc.record({ op: fc.constant('truncate' as const), at: fc.nat({ max: length }), value: fc.constant(0) }),
    ),
    { minLength: 1, maxLength: 4 },
  );

/** Section offsets of every u32 field of every type record (header words and kind data), for targeted mutation. */
function typeFieldOffsets(btf: Btf): number[] {
  const out: number[] = [4, 8, 12, 16, 20]; // header: hdr_len, type_off/len, str_off/len
  let at = 24;
  for (const t of btf.types) {
    const extra =
      t.kind === 'int' || t.kind === 'var' || t.kind === 'decl_tag' ? 4
      : t.kind === 'array' ? 12
      : t.kind === 'struct' || t.kind === 'union' ? 12 * t.members.length
      : t.kind === 'enum' ? 8 * t.values.length
      : t.kind === 'enum64' ? 12 * t.values.length
      : t.kind === 'func_proto' ? 8 * t.params.length
      : t.kind === 'datasec' ? 12 * t.vars.length
      : 0;
    for (let o = 0; o < 12 + extra; o += 4) out.push(at + o);
    at += 12 + extra;
  }
  return out;
}

// Values that tend to matter in a u32 field: small ids and sizes, kinds with and without vlen/kind_flag,
// near-limits.
const interestingU32 = (maxId: number) =>
  fc.oneof(
    fc.nat({ max: maxId + 2 }),
    fc.tuple(fc.nat({ max: 31 }), fc.nat({ max: 0xffff }), fc.boolean()).map(([k, v, f]) => ((f ? 1 << 31 : 0) | (k << 24) | v) >>> 0),
    fc.tuple(fc.nat({ max: 19 }), fc.nat({ max: 3 })).map(([k, v]) => ((k << 24) | v) >>> 0),
    fc.constantFrom(0xffffffff, 0x7fffffff, 0x80000000, 0x00ffffff, 0x01000000),
    fc.nat(),
  );

function targeted(btf: Btf) {
  const offsets = typeFieldOffsets(btf);
  return fc.array(
    fc.record({ op: fc.constant('u32' as const), at: fc.constantFrom(...offsets), value: interestingU32(btf.maxTypeId) }),
    { minLength: 1, maxLength: 3 },
  );
}

function mutate(bytes: Uint8Array, ops: { op: 'set' | 'u32' | 'truncate'; at: number; value: number }[]): Uint8Array {
  let out = bytes.slice();
  for (const { op, at, value } of ops) {
    if (op === 'truncate') out = out.slice(0, Math.min(at, out.length));
    else if (op === 'set' && at < out.length) out[at] = value;
    else if (op === 'u32' && at + 4 <= out.length) new DataView(out.buffer).setUint32(at, value >>> 0, true);
  }
  return out;
}

describe('fuzzing with fast-check', () => {
  it.each(seeds.map((s, i) => [i, s] as const))('parseBtf() of mutated seed %i parses or fails cleanly', (_, seed) => {
    fc.assert(
      fc.property(mutation(seed.bytes.length), (ops) => {
        let btf: Btf;
        try {
          btf = parseBtf(mutate(seed.bytes, ops));
        } catch (e) {
          if (!ours(e, /^\.BTF: /)) throw e;
          return;
        }
        exerciseHelpers(btf);
      }),
      { numRuns: 300 },
    );
  });

  it.each(seeds.map((s, i) => [i, s] as const))('parseBtf() of seed %i with mutated type fields parses or fails cleanly', (_, seed) => {
    fc.assert(
      fc.property(targeted(seed.btf), (ops) => {
        let btf: Btf;
        try {
          btf = parseBtf(mutate(seed.bytes, ops));
        } catch (e) {
          if (!ours(e, /^\.BTF: /)) throw e;
          return;
        }
        exerciseHelpers(btf);
      }),
      { numRuns: 500 },
    );
  });

  it.each(seeds.map((s, i) => [i, s] as const))('parseBtfExt() of mutated seed %i parses or fails cleanly', (_, seed) => {
    fc.assert(
      fc.property(mutation(seed.ext.length), (ops) => {
        try {
          parseBtfExt(mutate(seed.ext, ops), seed.btf);
        } catch (e) {
          if (!ours(e, /^\.BTF\.ext: /)) throw e;
        }
      }),
      { numRuns: 300 },
    );
  });

  it('parseBtf() and parseBtfExt() of random bytes fail cleanly', () => {
    const { btf } = base();
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 256 }), fc.boolean(), (bytes, magic) => {
        const input = bytes.slice();
        if (magic && input.length >= 2) [input[0], input[1]] = [0x9f, 0xeb];
        try {
          exerciseHelpers(parseBtf(input));
        } catch (e) {
          if (!ours(e, /^\.BTF: /)) throw e;
        }
        try {
          parseBtfExt(input, btf);
        } catch (e) {
          if (!ours(e, /^\.BTF\.ext: /)) throw e;
        }
      }),
      { numRuns: 1000 },
    );
  });

  it('helpers terminate on random type graphs, cyclic ones included', () => {
    const kinds = ['typedef', 'const', 'volatile', 'ptr', 'array', 'func_proto', 'type_tag', 'var', 'int'] as const;
    fc.assert(
      fc.property(
        fc.array(fc.record({ kind: fc.constantFrom(...kinds), ref: fc.nat({ max: 12 }), ref2: fc.nat({ max: 12 }) }), { minLength: 1, maxLength: 12 }),
        (spec) => {
          const n = spec.length;
          const b = new BtfBuilder();
          for (const s of spec) {
            const ref = s.ref % (n + 1);
            if (s.kind === 'int') b.addInt('int', 4);
            else if (s.kind === 'array') b.add({ kind: 'array', name: '', type: ref, indexType: 1, nelems: 3 });
            else if (s.kind === 'func_proto') b.add({ kind: 'func_proto', name: '', returnType: ref, params: [{ name: 'p', type: s.ref2 % (n + 1) }] });
            else if (s.kind === 'var') b.addVar('v', ref);
            else if (s.kind === 'type_tag') b.addTypeTag('t', ref);
            else b.add({ kind: s.kind, name: s.kind === 'typedef' ? 't' : '', type: ref });
          }
          exerciseHelpers(b.build());
        },
      ),
      { numRuns: 500 },
    );
  });
});

describe('deep but acyclic type graphs', () => {
  it('describeType() refuses very deep nesting with an error rather than overflowing the stack', () => {
    const b = new BtfBuilder();
    let id = b.addInt('int', 4);
    for (let i = 0; i < 20000; i++) id = b.addPtr(id);
    const btf = b.build();
    expect(() => btf.describeType(id)).toThrow(/too deep or cyclic/);
    expect(btf.sizeOf(id)).toBe(8);
    expect(btf.resolve(id)).toBe(id);
    expect(parseBtf(encodeBtf(btf)).types).toHaveLength(20001);
  });
});
