import { describe, expect, it } from 'vitest';
import { encode, type Instruction } from '../../../bpf/isa/index.ts';
import { assemble, disassemble } from '../../../bpf/asm/index.ts';
import { instructionSamples } from './instruction-samples.ts';

const program: Instruction[] = [
  { kind: 'lddw', dst: 1, pseudo: 'none', value: 0x1_0000_0000n },
  { kind: 'jump', width: 64, op: 'jeq', source: 'imm', dst: 1, src: 0, imm: 0, off: 2 },
  { kind: 'call', target: 'local', imm: 2, off: 0 },
  { kind: 'ja', long: false, off: -5 },
  { kind: 'exit' },
  { kind: 'ja', long: true, off: -1 },
  { kind: 'ja', long: false, off: 100 },
];

describe('disassemble()', () => {
  it('numbers lines by slot, right-aligned as llvm-objdump prints them', () => {
    expect(disassemble(program)).toEqual([
      '       0:\tr1 = 0x100000000 ll',
      '       2:\tif r1 == 0x0 goto +0x2',
      '       3:\tcall 0x2',
      '       4:\tgoto -0x5',
      '       5:\texit',
      '       6:\tgotol -0x1',
      '       7:\tgoto +0x64',
    ]);
    expect(disassemble([{ kind: 'exit' }], { slots: false })).toEqual(['exit']);
    const exits: Instruction[] = Array.from({ length: 12 }, () => ({ kind: 'exit' }));
    expect(disassemble(exits).at(-1)).toBe('      11:\texit');
  });

  it('annotates jump and local call targets with the target slot', () => {
    expect(disassemble(program, { targets: 'annotate', slots: false })).toEqual([
      'r1 = 0x100000000 ll',
      'if r1 == 0x0 goto +0x2 <L5>',
      'call 0x2 <L6>',
      'goto -0x5 <L0>',
      'exit',
      'gotol -0x1 <L6>',
      'goto +0x64 <L108>',
    ]);
  });

  it('writes labels for targets inside the program and keeps offsets for the others', () => {
    const lines = disassemble(program, { targets: 'labels', slots: false, label: (s) => `t${s}` });
    expect(lines).toEqual([
      't0:',
      'r1 = 0x100000000 ll',
      'if r1 == 0x0 goto t5',
      'call t6',
      'goto t0',
      't5:',
      'exit',
      't6:',
      'gotol t6',
      'goto +0x64',
    ]);
    expect(assemble(lines.join('\n'))).toEqual(program);
  });

  it('puts a label after the last instruction when a jump targets the end', () => {
    expect(disassemble([{ kind: 'ja', long: false, off: 0 }], { targets: 'labels' })).toEqual(['       0:\tgoto L1', 'L1:']);
  });

  it('does not label a jump into the middle of an ld_imm64', () => {
    const insns: Instruction[] = [{ kind: 'ja', long: false, off: 1 }, { kind: 'lddw', dst: 0, pseudo: 'none', value: 1n }];
    expect(disassemble(insns, { targets: 'labels', slots: false })).toEqual(['goto +0x1', 'r0 = 0x1 ll']);
  });

  it('interleaves source lines as `; ` comments before their slot', () => {
    const source = (slot: number): string | undefined => (slot === 0 ? 'int x = 1;' : slot === 5 ? 'return x;\n}' : undefined);
    const lines = disassemble(program, { source, slots: true });
    expect(lines.slice(0, 2)).toEqual(['; int x = 1;', '       0:\tr1 = 0x100000000 ll']);
    expect(lines.slice(5, 8)).toEqual(['; return x;', '; }', '       5:\texit']);
    // llvm-objdump's `call 0x2` reads back as a helper call
    const asHelper = program.map((i) => (i.kind === 'call' ? { ...i, target: 'helper' as const } : i));
    expect(encode(assemble(lines.join('\n')))).toEqual(encode(asHelper));
  });

  it('gives text that assembles back to the same bytes, lossless or with labels', () => {
    const samples = instructionSamples();
    expect(encode(assemble(disassemble(samples, { lossless: true }).join('\n')))).toEqual(encode(samples));
    const labelled = disassemble(samples, { lossless: true, targets: 'labels', source: (s) => `slot ${s}` });
    expect(encode(assemble(labelled.join('\n')))).toEqual(encode(samples));
  });
});
