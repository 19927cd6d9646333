import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { AsmSyntaxError, parseTestCase } from '../../../bpf/asm/index.ts';
import { corpusDir, filesBelow } from '../../corpora.ts';

describe('parseTestCase()', () => {
  it('reads comments, assembly, memory, result and flags', () => {
    const text = [
      '# Copyright (c) Big Switch Networks, Inc',
      '#  SPDX-License-Identifier: Apache-2.0',
      '-- asm',
      'mov %r0, 1 # one',
      'exit',
      '',
      '-- mem',
      'aa bb 11 22',
      'FF EE',
      '-- result',
      '0xFFFFFFFFFFFFFFFF',
      '-- no register offset',
      'call instruction',
      '-- unload',
      '',
    ].join('\n');
    expect(parseTestCase(text)).toEqual({
      comments: ['Copyright (c) Big Switch Networks, Inc', ' SPDX-License-Identifier: Apache-2.0'],
      asm: 'mov %r0, 1 # one\nexit',
      asmLine: 4,
      mem: new Uint8Array([0xaa, 0xbb, 0x11, 0x22, 0xff, 0xee]),
      result: 0xffff_ffff_ffff_ffffn,
      noRegisterOffset: 'call instruction',
      unload: true,
    });
  });

  it('reads raw programs as hex bytes or as little-endian 64-bit words', () => {
    const bytes = parseTestCase('-- raw\n07 00 01 00 01 00 00 00\n95 00 00 00 00 00 00 00\n-- error\n').raw;
    expect(bytes).toEqual(new Uint8Array([7, 0, 1, 0, 1, 0, 0, 0, 0x95, 0, 0, 0, 0, 0, 0, 0]));
    const words = parseTestCase('-- raw\n0x0000000000010005\n0x0000000000000095\n').raw;
    expect(words).toEqual(new Uint8Array([5, 0, 1, 0, 0, 0, 0, 0, 0x95, 0, 0, 0, 0, 0, 0, 0]));
  });

  it('keeps an empty error section as the empty string, and the other text sections verbatim', () => {
    expect(parseTestCase('-- raw\n95 00 00 00 00 00 00 00\n-- error\n')).toMatchObject({ error: '' });
    const text = [
      '-- description',
      'Wrong ethertype',
      '-- c',
      '#include <stdint.h>',
      'int x;',
      '-- error pattern',
      'uBPF error: .*',
      '-- no jit',
      'why',
      '-- pyelf',
      'ehdr.e_shnum = 1024',
      '-- reload',
      '-- result',
      '42',
    ].join('\n');
    const c = parseTestCase(text);
    expect(c).toEqual({
      comments: [],
      description: 'Wrong ethertype',
      c: '#include <stdint.h>\nint x;',
      errorPattern: 'uBPF error: .*',
      noJit: 'why',
      pyelf: 'ehdr.e_shnum = 1024',
      reload: true,
      result: 42n,
    });
  });

  it('reads files named with @ through the include callback, hex dumps included', () => {
    const files: Record<string, string> = { 'p.asm': 'exit\n', 'p.hex': '0x0000:  0026 622f\n0x0004:  4787\n' };
    const c = parseTestCase('-- asm @ p.asm\n-- mem @ p.hex\n-- result\n1', { include: (n) => files[n]! });
    const mem = new Uint8Array([0, 0x26, 0x62, 0x2f, 0x47, 0x87]);
    expect(c).toEqual({ comments: [], asm: 'exit\n', asmFile: 'p.asm', mem, memFile: 'p.hex', result: 1n });
    expect(parseTestCase('-- asm @ p.asm\n')).toEqual({ comments: [], asmFile: 'p.asm' });
  });

  it.each([
    ['-- asm\n-- Unknown directive\n', "line 2, column 4: unknown section 'Unknown directive'"],
    ['-- asm\nexit\n-- asm\nexit', "line 3, column 4: section 'asm' appears twice"],
    ['mov %r0, 1\n-- result\n0', "line 1, column 1: expected a '-- section' header or a '#' comment, found 'mov %r0, 1'"],
    ['-- raw\n07 0\n', "line 2, column 4: expected a hex byte or a 0x 64-bit word, found '0'"],
    ['-- mem\n0g\n', "line 2, column 1: expected hex bytes, found '0g'"],
    ['-- result\n1 2\n', 'line 2, column 3: expected one number in section \'result\', found 2'],
    ['-- result\n', "line 2, column 1: expected one number in section 'result', found 0"],
    ['-- result\nabc\n', "line 2, column 1: expected a number, found 'abc'"],
    ['-- result\n0x10000000000000000\n', 'line 2, column 1: result 0x10000000000000000 does not fit in 64 bits'],
    ['-- reload\nx\n', "line 2, column 1: section 'reload' takes no body"],
    ['-- result @ r.txt\n', "line 1, column 4: section 'result' cannot name a file"],
  ])('rejects %j', (text, message) => {
    expect(() => parseTestCase(text)).toThrow(AsmSyntaxError);
    expect(() => parseTestCase(text)).toThrow(message);
  });

  it('parses every .data file of the bpf_conformance and uBPF corpora except the one meant to be malformed', () => {
    const files = [corpusDir('bpf_conformance'), corpusDir('ubpf')].flatMap((d) => filesBelow(d, '.data'));
    const failed: string[] = [];
    for (const file of files) {
      try {
        parseTestCase(readFileSync(file, 'utf8'), { include: (n) => readFileSync(join(dirname(file), n), 'utf8') });
      } catch {
        failed.push(file.slice(corpusDir('bpf_conformance').length - 'bpf_conformance'.length));
      }
    }
    expect(failed).toEqual(['bpf_conformance/negative/invalid_unknown_directive.data']);
    expect(files.length).toBeGreaterThan(390);
  });
});
