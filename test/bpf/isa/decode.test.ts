import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { decode, encode, InstructionDecodeError, type Instruction } from '../../../bpf/isa/index.ts';

const slot = (opcode: number, dst: number, src: number, off: number, imm: number): number[] => {
  const b = new Uint8Array(8);
  const v = new DataView(b.buffer);
  v.setUint8(0, opcode);
  v.setUint8(1, (src << 4) | dst);
  v.setInt16(2, off, true);
  v.setInt32(4, imm, true);
  return [...b];
};
const bytes = (...slots: number[][]): Uint8Array => new Uint8Array(slots.flat());
const one = (...s: Parameters<typeof slot>): Instruction => {
  const insns = decode(bytes(slot(...s)));
  expect(insns).toHaveLength(1);
  return insns[0]!;
};

// Encodings as llvm-mc-19 (-mcpu=v4) assembles them; each line: bytes, then the decoded form.
const known: [number[], Instruction][] = [
  [slot(0x8d, 2, 0, 0, 0), { kind: 'callx', dst: 2 }],
  [slot(0x61, 0, 1, 4, 0), { kind: 'ldx', size: 4, signed: false, dst: 0, src: 1, off: 4 }],
  [slot(0x89, 0, 1, -4, 0), { kind: 'ldx', size: 2, signed: true, dst: 0, src: 1, off: -4 }],
  [slot(0x7b, 10, 1, -8, 0), { kind: 'stx', size: 8, dst: 10, src: 1, off: -8 }],
  [slot(0x62, 10, 0, -8, 5), { kind: 'st', size: 4, dst: 10, off: -8, imm: 5 }],
  [slot(0xdb, 10, 1, -8, 0), { kind: 'atomic', size: 8, op: 'add', fetch: false, dst: 10, src: 1, off: -8 }],
  [slot(0xdb, 10, 0, -8, 1), { kind: 'atomic', size: 8, op: 'add', fetch: true, dst: 10, src: 0, off: -8 }],
  [slot(0xc3, 10, 0, -8, 0x51), { kind: 'atomic', size: 4, op: 'and', fetch: true, dst: 10, src: 0, off: -8 }],
  [slot(0xdb, 10, 0, -8, 0xe1), { kind: 'atomic', size: 8, op: 'xchg', fetch: true, dst: 10, src: 0, off: -8 }],
  [slot(0xc3, 10, 1, -8, 0xf1), { kind: 'atomic', size: 4, op: 'cmpxchg', fetch: true, dst: 10, src: 1, off: -8 }],
  [slot(0xdc, 1, 0, 0, 16), { kind: 'endian', order: 'be', bits: 16, dst: 1 }],
  [slot(0xd4, 1, 0, 0, 32), { kind: 'endian', order: 'le', bits: 32, dst: 1 }],
  [slot(0xd7, 1, 0, 0, 64), { kind: 'endian', order: 'swap', bits: 64, dst: 1 }],
  [slot(0x3f, 1, 2, 1, 0), { kind: 'alu', width: 64, op: 'sdiv', source: 'reg', dst: 1, src: 2, imm: 0 }],
  [slot(0x94, 1, 0, 1, 5), { kind: 'alu', width: 32, op: 'smod', source: 'imm', dst: 1, src: 0, imm: 5 }],
  [slot(0xbf, 1, 2, 8, 0), { kind: 'alu', width: 64, op: 'movsx8', source: 'reg', dst: 1, src: 2, imm: 0 }],
  [slot(0xbc, 1, 2, 16, 0), { kind: 'alu', width: 32, op: 'movsx16', source: 'reg', dst: 1, src: 2, imm: 0 }],
  [slot(0xbf, 1, 2, 32, 0), { kind: 'alu', width: 64, op: 'movsx32', source: 'reg', dst: 1, src: 2, imm: 0 }],
  [slot(0x87, 1, 0, 0, 0), { kind: 'alu', width: 64, op: 'neg', source: 'imm', dst: 1, src: 0, imm: 0 }],
  [slot(0x84, 1, 0, 0, 0), { kind: 'alu', width: 32, op: 'neg', source: 'imm', dst: 1, src: 0, imm: 0 }],
  [slot(0xc7, 1, 0, 0, 3), { kind: 'alu', width: 64, op: 'arsh', source: 'imm', dst: 1, src: 0, imm: 3 }],
  [slot(0x7c, 1, 2, 0, 0), { kind: 'alu', width: 32, op: 'rsh', source: 'reg', dst: 1, src: 2, imm: 0 }],
  [slot(0xbf, 1, 2, 1, 1), { kind: 'addr_space_cast', dst: 1, src: 2, dstAddressSpace: 0, srcAddressSpace: 1 }],
  [slot(0x65, 1, 0, 2, 5), { kind: 'jump', width: 64, op: 'jsgt', source: 'imm', dst: 1, src: 0, imm: 5, off: 2 }],
  [slot(0x5e, 1, 2, -1, 0), { kind: 'jump', width: 32, op: 'jne', source: 'reg', dst: 1, src: 2, imm: 0, off: -1 }],
  [slot(0x06, 0, 0, 0, 3), { kind: 'ja', long: true, off: 3 }],
  [slot(0x05, 0, 0, 1, 0), { kind: 'ja', long: false, off: 1 }],
  [slot(0xe5, 0, 0, 2, 0), { kind: 'may_goto', off: 2 }],
  [slot(0x85, 0, 0, 0, 5), { kind: 'call', target: 'helper', imm: 5, off: 0 }],
  [slot(0x85, 0, 1, 0, -1), { kind: 'call', target: 'local', imm: -1, off: 0 }],
  [slot(0x85, 0, 2, 1, 1234), { kind: 'call', target: 'kfunc', imm: 1234, off: 1 }],
  [slot(0x95, 0, 0, 0, 0), { kind: 'exit' }],
  [slot(0x30, 0, 0, 0, 5), { kind: 'ld_abs', size: 1, imm: 5 }],
  [slot(0x48, 0, 1, 0, 0), { kind: 'ld_ind', size: 2, src: 1, imm: 0 }],
  [[...slot(0x18, 1, 0, 0, 0x23456789), ...slot(0, 0, 0, 0, 1)], { kind: 'lddw', dst: 1, pseudo: 'none', value: 0x123456789n }],
  [[...slot(0x18, 1, 0, 0, -1), ...slot(0, 0, 0, 0, -1)], { kind: 'lddw', dst: 1, pseudo: 'none', value: 0xffff_ffff_ffff_ffffn }],
];

describe('decode()', () => {
  it.each(known.map(([b, i]) => [i.kind, b, i] as const))('decodes %s as llvm-mc encodes it', (_k, b, insn) => {
    expect(decode(new Uint8Array(b))).toEqual([insn]);
    expect([...encode([insn])]).toEqual(b);
  });

  it('decodes every ld_imm64 pseudo source', () => {
    const names = ['none', 'map_fd', 'map_value', 'btf_id', 'func', 'map_idx', 'map_idx_value'];
    names.forEach((pseudo, src) => {
      const b = bytes(slot(0x18, 2, src, 0, 7), slot(0, 0, 0, 0, 16));
      expect(decode(b)).toEqual([{ kind: 'lddw', dst: 2, pseudo, value: (16n << 32n) | 7n }]);
      expect(encode(decode(b))).toEqual(b);
    });
    expect(() => decode(bytes(slot(0x18, 2, 7, 0, 0), slot(0, 0, 0, 0, 0)))).toThrow(/pseudo source 7/);
  });

  it('decodes every alu and jump opcode with both sources and both widths', () => {
    const alu = ['add', 'sub', 'mul', 'div', 'or', 'and', 'lsh', 'rsh', 'mod', 'xor', 'mov', 'arsh'];
    const jmp = ['jeq', 'jgt', 'jge', 'jset', 'jne', 'jsgt', 'jsge', 'jlt', 'jle', 'jslt', 'jsle'];
    const aluCodes = [0x00, 0x10, 0x20, 0x30, 0x40, 0x50, 0x60, 0x70, 0x90, 0xa0, 0xb0, 0xc0];
    const jmpCodes = [0x10, 0x20, 0x30, 0x40, 0x50, 0x60, 0x70, 0xa0, 0xb0, 0xc0, 0xd0];
    for (const [cls, width] of [[0x07, 64], [0x04, 32]] as const) {
      aluCodes.forEach((code, i) => {
        expect(one(code | cls, 3, 0, 0, -7)).toMatchObject({ kind: 'alu', width, op: alu[i], source: 'imm', imm: -7 });
        expect(one(code | 0x08 | cls, 3, 4, 0, 0)).toMatchObject({ kind: 'alu', width, op: alu[i], source: 'reg', src: 4 });
      });
    }
    for (const [cls, width] of [[0x05, 64], [0x06, 32]] as const) {
      jmpCodes.forEach((code, i) => {
        expect(one(code | cls, 3, 0, -2, 9)).toMatchObject({ kind: 'jump', width, op: jmp[i], source: 'imm', off: -2 });
        expect(one(code | 0x08 | cls, 3, 4, 5, 0)).toMatchObject({ kind: 'jump', width, op: jmp[i], source: 'reg' });
      });
    }
  });

  it('decodes loads and stores of every size', () => {
    for (const [code, size] of [[0x00, 4], [0x08, 2], [0x10, 1], [0x18, 8]] as const) {
      expect(one(0x61 | code, 1, 2, 3, 0)).toMatchObject({ kind: 'ldx', size, signed: false });
      expect(one(0x62 | code, 1, 0, 3, 4)).toMatchObject({ kind: 'st', size, imm: 4 });
      expect(one(0x63 | code, 1, 2, 3, 0)).toMatchObject({ kind: 'stx', size });
      if (size !== 8) expect(one(0x81 | code, 1, 2, 3, 0)).toMatchObject({ kind: 'ldx', size, signed: true });
    }
  });

  it('round-trips every valid slot byte-for-byte and rejects the rest with an InstructionDecodeError', () => {
    const regs = fc.integer({ min: 0, max: 15 });
    const interesting = fc.oneof(fc.constantFrom(0, 1, 8, 16, 32, 64, -1, 0x51, 0xe1, 0xf1, 0xa1), fc.integer({ min: -0x8000_0000, max: 0x7fff_ffff }));
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 255 }), regs, regs, fc.oneof(fc.constantFrom(0, 1, 8, 16, 32), fc.integer({ min: -0x8000, max: 0x7fff })), interesting, (op, dst, src, off, imm) => {
        const b = bytes(slot(op, dst, src, off, imm), slot(0, 0, 0, 0, 0));
        let insns: Instruction[];
        try {
          insns = decode(b);
        } catch (e) {
          expect(e).toBeInstanceOf(InstructionDecodeError);
          expect((e as Error).message).toMatch(/^instruction [01]: /);
          return;
        }
        expect(encode(insns)).toEqual(b);
      }),
      { numRuns: 20_000 },
    );
  });
});

describe('decode() rejects malformed instructions', () => {
  const rejects = (b: Uint8Array, msg: RegExp): void => {
    expect(() => decode(b)).toThrow(InstructionDecodeError);
    expect(() => decode(b)).toThrow(msg);
  };
  it('rejects a truncated ld_imm64', () => rejects(bytes(slot(0xb7, 0, 0, 0, 0), slot(0x18, 1, 0, 0, 1)), /instruction 1: truncated ld_imm64/));
  it('rejects an ld_imm64 whose second slot has an opcode', () => rejects(bytes(slot(0x18, 1, 0, 0, 1), slot(0x95, 0, 0, 0, 0)), /second slot/));
  it('rejects a bad register', () => rejects(bytes(slot(0xbf, 11, 0, 0, 0)), /invalid dst register r11/));
  it('rejects a bad source register', () => rejects(bytes(slot(0xbf, 1, 12, 0, 0)), /invalid src register r12/));
  it('rejects an unknown opcode', () => rejects(bytes(slot(0xef, 0, 0, 0, 0)), /unknown opcode \(opcode 0xef\)/));
  it('rejects a bad size', () => {
    rejects(bytes(slot(0x99, 0, 1, 0, 0)), /sign-extending load of size dw/);
    rejects(bytes(slot(0x38, 0, 0, 0, 0)), /ld_abs with size dw/);
    rejects(bytes(slot(0xd3, 1, 2, 0, 0)), /atomic operation of size 1/);
  });
  it('rejects reserved fields the kernel refuses', () => {
    rejects(bytes(slot(0x07, 0, 0, 1, 1)), /reserved offset/);
    rejects(bytes(slot(0x95, 0, 0, 0, 1)), /exit uses reserved fields/);
    rejects(bytes(slot(0x8f, 0, 0, 0, 0)), /neg uses reserved fields/);
    rejects(bytes(slot(0xdc, 0, 0, 0, 8)), /invalid endian width 8/);
    rejects(bytes(slot(0xdf, 0, 0, 0, 16)), /bswap uses reserved fields/);
    rejects(bytes(slot(0x86, 0, 0, 0, 0)), /call is not valid in the jmp32 class/);
    rejects(bytes(slot(0x85, 0, 3, 0, 0)), /invalid call source 3/);
    rejects(bytes(slot(0xdb, 1, 2, 0, 0x02)), /invalid atomic operation 0x02/);
  });
  it('rejects a size that is not a multiple of 8', () => {
    expect(() => decode(new Uint8Array(12))).toThrow(/not a multiple of 8/);
  });
});
