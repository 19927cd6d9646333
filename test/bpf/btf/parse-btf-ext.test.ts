import { afterAll, describe, expect, it } from 'vitest';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseBtf, parseBtfExt, type BtfCoreReloKind, type BtfLineInfo } from '../../../bpf/btf/index.ts';
import { available, llvmObjdump19, type Facility } from '../../support/require.ts';
import { btfObjects, fixturePath } from './corpus.ts';
import { btfSections } from './sections.ts';

const objects = btfObjects().filter((o) => o.ext !== undefined);

const llvmObjcopy19: Facility = (() => {
  try {
    execFileSync('llvm-objcopy-19', ['--version'], { stdio: 'ignore' });
    return { ok: true, reason: '' };
  } catch {
    return { ok: false, reason: 'llvm-objcopy-19 is not available' };
  }
})();

describe('parseBtfExt() on the corpus', () => {
  it.each(objects.map((o) => [o.name, o] as const))('parseBtfExt() reads %s', (_, o) => {
    const ext = parseBtfExt(o.ext!, parseBtf(o.btf));
    expect(ext.byteOrder).toBe('little');
    expect(ext.funcInfo.recordSize).toBe(8);
    expect(ext.lineInfo.recordSize).toBe(16);
    expect(ext.funcInfo.sections.length).toBeGreaterThan(0);
    for (const s of ext.funcInfo.sections) {
      for (const r of s.records) expect(parseBtf(o.btf).typeById(r.typeId).kind).toBe('func');
    }
  });
});

describe('parseBtfExt() on the all-kinds fixture', () => {
  const { btf: b, ext: e } = btfSections(fixturePath('all-kinds.o'));
  const btf = parseBtf(b!);
  const ext = parseBtfExt(e!, btf);

  it('parseBtfExt() gives func_info per section with instruction indexes', () => {
    expect(ext.funcInfo.sections.map((s) => [s.section, s.records.map((r) => [r.insnIndex, btf.typeName(r.typeId)])])).toEqual([
      ['xdp', [[0, 'tail'], [2, 'prog']]],
      ['.text', [[0, 'helper']]],
    ]);
  });

  it('parseBtfExt() unpacks line and column and resolves file names and source text', () => {
    const first = ext.lineInfo.sections.find((s) => s.section === 'xdp')!.records[0]!;
    expect(first.fileName).toMatch(/all-kinds\.c$/);
    expect(first.lineText).toBe('SEC("xdp") int tail(void *ctx) { return 2; }');
    expect(first.insnIndex).toBe(0);
    expect(first.line).toBe(121);
    expect(first.column).toBeGreaterThan(0);
  });

  it('parseBtfExt() names every CO-RE relocation kind', () => {
    const kinds = ext.coreRelos.sections.flatMap((s) => s.records.map((r) => r.kind));
    const expected: BtfCoreReloKind[] = [
      'field_byte_offset', 'field_byte_size', 'field_exists', 'field_signed', 'field_lshift_u64',
      'field_rshift_u64', 'type_id_local', 'type_id_target', 'type_exists', 'type_size', 'type_matches',
      'enumval_exists', 'enumval_value',
    ];
    expect(kinds).toEqual(expected);
    const byKind = new Map(ext.coreRelos.sections[0]!.records.map((r) => [r.kind, r]));
    expect(byKind.get('field_signed')).toMatchObject({ typeId: btf.findByName('struct', 'bits'), accessStr: '0:2' });
    expect(byKind.get('enumval_value')).toMatchObject({ typeId: btf.findByName('enum64', 'big'), accessStr: '1' });
  });
});

const hasObjdump = available('parseBtfExt() vs llvm-objdump-19', llvmObjdump19, llvmObjcopy19);

describe.runIf(hasObjdump)('parseBtfExt() agrees with llvm-objdump-19', () => {
  const dir = mkdtempSync(join(tmpdir(), 'tsbpf-btf-ext-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const objdump = (args: string[], path: string) =>
    execFileSync('llvm-objdump-19', [...args, path], { encoding: 'utf8', maxBuffer: 1 << 28 });

  it.each(objects.map((o, i) => [o.name, o, i] as const))(
    'func_info of %s matches the FUNC symbols',
    (_, o) => {
      const btf = parseBtf(o.btf);
      const ext = parseBtfExt(o.ext!, btf);
      const symbols: string[] = [];
      for (const line of objdump(['-t'], o.path).split('\n')) {
        const m = /^([0-9a-f]{16}) (.{7}) (\S+)\s+[0-9a-f]{16} (\S+)$/.exec(line);
        if (m && m[2]!.includes('F')) symbols.push(`${m[3]} ${parseInt(m[1]!, 16) / 8} ${m[4]}`);
      }
      const ours = ext.funcInfo.sections.flatMap((s) => s.records.map((r) => `${s.section} ${r.insnIndex} ${btf.typeName(r.typeId)}`));
      expect(ours.sort()).toEqual(symbols.sort());
    },
  );

  // With DWARF stripped, llvm-objdump -l prints source lines from .BTF.ext: for each disassembled row that has
  // a line_info record, unless the previous row had a record for the same file and line.
  it.each(objects.map((o, i) => [o.name, o, i] as const))(
    'line_info of %s matches llvm-objdump -d -l on the stripped object',
    (_, o, i) => {
      const btf = parseBtf(o.btf);
      const ext = parseBtfExt(o.ext!, btf);
      const stripped = join(dir, `${i}.o`);
      execFileSync('llvm-objcopy-19', ['--strip-debug', o.path, stripped]);
      const bySection = new Map(ext.lineInfo.sections.map((s) => [s.section, new Map(s.records.map((r) => [r.insnIndex, r]))]));
      const printed: string[] = [];
      const predicted: string[] = [];
      let section = '';
      let pending: string[] = [];
      let previous: BtfLineInfo | undefined;
      let rows = 0;
      for (const line of objdump(['-d', '-l', '--no-show-raw-insn'], stripped).split('\n')) {
        let m: RegExpExecArray | null;
        if ((m = /^Disassembly of section (.*):$/.exec(line))) {
          section = m[1]!;
          previous = undefined;
        } else if ((m = /^; (.*):(\d+)$/.exec(line))) {
          pending.push(`${m[1]}:${m[2]}`);
        } else if ((m = /^\s+(\d+):\t/.exec(line))) {
          const index = Number(m[1]);
          rows++;
          for (const p of pending) printed.push(`${section} ${index} ${p}`);
          pending = [];
          const r = bySection.get(section)?.get(index);
          if (r && r.line !== 0 && (previous?.fileName !== r.fileName || previous.line !== r.line)) {
            predicted.push(`${section} ${index} ${r.fileName}:${r.line}`);
          }
          previous = r;
        }
      }
      expect(rows).toBeGreaterThan(0);
      expect(printed.length).toBeGreaterThan(0);
      expect(predicted).toEqual(printed);
    },
  );

  it('line_info source text of the fixture matches llvm-objdump -S', () => {
    const o = objects.find((x) => x.name === 'fixtures/all-kinds.o')!;
    const ext = parseBtfExt(o.ext!, parseBtf(o.btf));
    const stripped = join(dir, 'fixture-S.o');
    execFileSync('llvm-objcopy-19', ['--strip-debug', o.path, stripped]);
    const texts = new Set(ext.lineInfo.sections.flatMap((s) => s.records.map((r) => r.lineText)));
    const shown = objdump(['-d', '-S', '--no-show-raw-insn'], stripped)
      .split('\n')
      .filter((l) => l.startsWith('; '))
      .map((l) => l.slice(2));
    expect(shown.length).toBeGreaterThan(10);
    for (const s of shown) expect(texts).toContain(s);
  });

  const SHORT: Record<BtfCoreReloKind, string> = {
    field_byte_offset: 'byte_off',
    field_byte_size: 'byte_sz',
    field_exists: 'field_exists',
    field_signed: 'signed',
    field_lshift_u64: 'lshift_u64',
    field_rshift_u64: 'rshift_u64',
    type_id_local: 'local_type_id',
    type_id_target: 'target_type_id',
    type_exists: 'type_exists',
    type_size: 'type_size',
    enumval_exists: 'enumval_exists',
    enumval_value: 'enumval_value',
    type_matches: 'type_matches',
  };

  const withRelos = objects.filter((o) => parseBtfExt(o.ext!, parseBtf(o.btf)).coreRelos.sections.length > 0);
  it('some objects carry CO-RE relocations', () => expect(withRelos.length).toBeGreaterThanOrEqual(3));

  it.each(withRelos.map((o) => [o.name, o] as const))('core_relo of %s matches llvm-objdump -dr', (_, o) => {
    const btf = parseBtf(o.btf);
    const ext = parseBtfExt(o.ext!, btf);
    const theirs: string[] = [];
    let section = '';
    for (const line of objdump(['-dr'], o.path).split('\n')) {
      let m: RegExpExecArray | null;
      if ((m = /^Disassembly of section (.*):$/.exec(line))) section = m[1]!;
      else if ((m = /^\s+([0-9a-f]+):\s+CO-RE <(\w+)> \[(\d+)\] (.*)$/.exec(line))) {
        theirs.push(`${section} ${parseInt(m[1]!, 16) / 8} ${m[2]} ${m[3]} ${m[4]}`);
      }
    }
    const ours = ext.coreRelos.sections.flatMap((s) =>
      s.records.map((r) => {
        const head = `${s.section} ${r.insnIndex} ${SHORT[r.kind]} ${r.typeId}`;
        const type = btf.typeById(r.typeId);
        if (r.kind.startsWith('field_')) {
          // llvm prints `struct x::a.b (access)`; we check the access string it shows.
          return `${head} ${btf.describeType(r.typeId)}::ACCESS (${r.accessStr})`;
        }
        if (r.kind.startsWith('enumval_')) {
          if (type.kind !== 'enum' && type.kind !== 'enum64') throw new Error('not an enum');
          const v = type.values[Number(r.accessStr)]!;
          return `${head} ${btf.describeType(r.typeId)}::${v.name} = ${v.value}`;
        }
        return `${head} ${btf.describeType(r.typeId)}`;
      }),
    );
    const normalised = theirs.map((l) => l.replace(/::.* \((\d+(?::\d+)*)\)$/, '::ACCESS ($1)'));
    expect(ours).toEqual(normalised);
  });
});
