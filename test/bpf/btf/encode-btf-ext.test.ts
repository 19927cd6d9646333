import { describe, expect, it } from 'vitest';
import {
  BtfBuilder,
  emptyBtfExt,
  encodeBtf,
  encodeBtfAndExt,
  encodeBtfExt,
  internBtfExtStrings,
  parseBtf,
  parseBtfExt,
  type BtfExt,
} from '../../../bpf/btf/index.ts';
import { btfObjects } from './corpus.ts';
import { expectSameBytes } from './same-bytes.ts';

const objects = btfObjects().filter((o) => o.ext !== undefined && !o.invalid);

describe('encodeBtfExt() round trip on the corpus', () => {
  it.each(objects.map((o) => [o.name, o] as const))('encodeBtfExt(parseBtfExt(x)) is byte-identical for %s', (_, o) => {
    const btf = parseBtf(o.btf);
    expectSameBytes(encodeBtfExt(parseBtfExt(o.ext!, btf), btf), o.ext!);
  });

  it.each(objects.map((o) => [o.name, o] as const))('encodeBtfAndExt() reproduces both sections of %s', (_, o) => {
    const btf = parseBtf(o.btf);
    const ext = parseBtfExt(o.ext!, btf);
    const out = encodeBtfAndExt(btf, ext);
    expectSameBytes(out.btf, o.btf);
    expectSameBytes(out.btfExt, o.ext!);
    const btf2 = parseBtf(out.btf);
    expect(parseBtfExt(out.btfExt, btf2)).toEqual(ext);
  });
});

describe('encodeBtfExt() with new strings', () => {
  const o = objects.find((x) => x.name === 'fixtures/all-kinds.o')!;

  it('encodeBtfAndExt() adds new file names and line texts to the shared string table', () => {
    const btf = parseBtf(o.btf);
    const ext = parseBtfExt(o.ext!, btf);
    const before = btf.strings.size;
    const section = ext.lineInfo.sections[0]!;
    section.records.push({ insnIndex: 999, fileName: '/new/file.c', lineText: 'int brand_new = 1;', line: 4194303, column: 1023 });
    ext.coreRelos.sections.push({ section: 'new_section', records: [{ insnIndex: 3, typeId: 1, accessStr: '0:7:1', kind: 'type_matches' }] });
    btf.types.push({ kind: 'typedef', name: 'new_type_t', type: 1 });
    const out = encodeBtfAndExt(btf, ext);
    expect(btf.strings.size).toBe(before); // inputs untouched
    const btf2 = parseBtf(out.btf);
    expect(btf2.types).toEqual(btf.types);
    expect(parseBtfExt(out.btfExt, btf2)).toEqual(ext);
    // Original strings keep their offsets; type names come before .BTF.ext strings.
    expect(btf2.strings.bytes().subarray(0, before)).toEqual(btf.strings.bytes());
    expect(btf2.strings.offsetOf('new_type_t')).toBe(before);
    expect(btf2.strings.offsetOf('/new/file.c')).toBeGreaterThan(before);
  });

  it('encodeBtfExt() refuses strings missing from the table instead of adding them', () => {
    const btf = parseBtf(o.btf);
    const ext = parseBtfExt(o.ext!, btf);
    ext.lineInfo.sections[0]!.records[0]!.fileName = '/elsewhere.c';
    expect(() => encodeBtfExt(ext, btf)).toThrow(/line_info section xdp record 0: file name "\/elsewhere.c" is not in the \.BTF string table/);
    internBtfExtStrings(ext, btf.strings);
    const bytes = encodeBtfExt(ext, btf);
    expect(parseBtfExt(bytes, parseBtf(encodeBtf(btf)))).toEqual(ext);
  });

  it('encodeBtfExt() pads larger record sizes with zeros and parseBtfExt() skips the padding', () => {
    const btf = parseBtf(o.btf);
    const ext = parseBtfExt(o.ext!, btf);
    ext.funcInfo.recordSize = 12;
    ext.lineInfo.recordSize = 20;
    ext.coreRelos.recordSize = 24;
    const bytes = encodeBtfExt(ext, btf);
    expect(bytes.length).toBeGreaterThan(o.ext!.length);
    expect(parseBtfExt(bytes, btf)).toEqual(ext);
  });

  it('encodeBtfExt() writes big-endian when asked', () => {
    const btf = parseBtf(o.btf);
    const ext = { ...parseBtfExt(o.ext!, btf), byteOrder: 'big' as const };
    const bytes = encodeBtfExt(ext, btf);
    expect([bytes[0], bytes[1]]).toEqual([0xeb, 0x9f]);
    expect(parseBtfExt(bytes, btf)).toEqual(ext);
  });
});

describe('encodeBtfExt() from scratch', () => {
  it('encodeBtfAndExt() encodes builder BTF with func and line info', () => {
    const b = new BtfBuilder();
    const int = b.addInt('int', 4, 'signed');
    const proto = b.addFuncProto(int, [{ name: 'ctx', type: b.addPtr(0) }]);
    const fn = b.addFunc('prog', proto);
    const btf = b.build();
    const ext: BtfExt = emptyBtfExt();
    ext.funcInfo.sections.push({ section: 'xdp', records: [{ insnIndex: 0, typeId: fn }] });
    ext.lineInfo.sections.push({
      section: 'xdp',
      records: [
        { insnIndex: 0, fileName: 'prog.c', lineText: 'int prog(void *ctx) {', line: 3, column: 0 },
        { insnIndex: 2, fileName: 'prog.c', lineText: '  return 2;', line: 4, column: 3 },
      ],
    });
    const out = encodeBtfAndExt(btf, ext);
    // Header (32) + func_info: rec_size + sec header + 1 record; line_info: rec_size + sec header + 2 records.
    expect(out.btfExt.length).toBe(32 + (4 + 8 + 8) + (4 + 8 + 32));
    const view = new DataView(out.btfExt.buffer);
    expect(view.getUint32(4, true)).toBe(32);
    expect([view.getUint32(8, true), view.getUint32(12, true)]).toEqual([0, 20]);
    expect([view.getUint32(16, true), view.getUint32(20, true)]).toEqual([20, 44]);
    expect([view.getUint32(24, true), view.getUint32(28, true)]).toEqual([64, 0]);
    // insn_off is in bytes on disk.
    expect(view.getUint32(32 + 20 + 4 + 8 + 16, true)).toBe(16);
    const btf2 = parseBtf(out.btf);
    expect(parseBtfExt(out.btfExt, btf2)).toEqual(ext);
  });

  it('encodeBtfExt() rejects out-of-range fields', () => {
    const btf = new BtfBuilder().build();
    const bad = (mutate: (e: BtfExt) => void) => {
      const e = emptyBtfExt();
      e.lineInfo.sections.push({ section: '', records: [{ insnIndex: 0, fileName: '', lineText: '', line: 1, column: 0 }] });
      mutate(e);
      return () => encodeBtfExt(e, btf);
    };
    expect(bad((e) => (e.lineInfo.sections[0]!.records[0]!.column = 1024))).toThrow(/column 1024 does not fit 10 bits/);
    expect(bad((e) => (e.lineInfo.sections[0]!.records[0]!.line = 1 << 22))).toThrow(/does not fit 22 bits/);
    expect(bad((e) => (e.lineInfo.sections[0]!.records[0]!.insnIndex = -1))).toThrow(/instruction index -1 is out of range/);
    expect(bad((e) => (e.lineInfo.recordSize = 12))).toThrow(/line_info record size 12 is invalid/);
  });
});
