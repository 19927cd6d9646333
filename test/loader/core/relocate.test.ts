// CO-RE relocation against a synthetic "kernel" BTF: values are libbpf's for the same types.
import { describe, expect, it } from 'vitest';
import { Btf, type BtfType, type Instruction } from '../../../bpf/index.ts';
import { CORE_POISON, KernelBtf, relocateCore, type CoreRelocationAt } from '../../../loader/index.ts';

const int = (name: string, size: number, signed = true): BtfType => ({ kind: 'int', name, size, encoding: signed ? 'signed' : 'none', bitOffset: 0, bits: size * 8 });
const member = (name: string, type: number, bitOffset: number, bitfieldSize = 0) => ({ name, type, bitOffset, bitfieldSize });

// local: 1 int, 2 struct task { int pid; int tgid; unsigned flags:3 }, 3 unsigned int, 4 enum e { A, B }, 5 struct gone { int x }
const local = new Btf([
  int('int', 4),
  { kind: 'struct', name: 'task', size: 12, kindFlag: true, members: [member('pid', 1, 0), member('tgid', 1, 32), member('flags', 3, 64, 3)] },
  int('unsigned int', 4, false),
  { kind: 'enum', name: 'e', size: 4, signed: false, values: [{ name: 'A', value: 0 }, { name: 'B', value: 1 }] },
  { kind: 'struct', name: 'gone', size: 4, kindFlag: false, members: [member('x', 1, 0)] },
]);

// target: 1 long, 2 int, 3 struct task___x { long pad; union { struct { int tgid; int pid; }; }; unsigned flags:3 at bit 133 },
// 4 anonymous union, 5 anonymous struct, 6 unsigned int, 7 enum e { B = 7, A = 9 }
const target = new KernelBtf(
  new Btf([
    int('long', 8),
    int('int', 4),
    { kind: 'struct', name: 'task___x', size: 24, kindFlag: true, members: [member('pad', 1, 0), member('', 4, 64), member('flags', 6, 133, 3)] },
    { kind: 'union', name: '', size: 8, kindFlag: false, members: [member('', 5, 0)] },
    { kind: 'struct', name: '', size: 8, kindFlag: false, members: [member('tgid', 2, 0), member('pid', 2, 32)] },
    int('unsigned int', 4, false),
    { kind: 'enum', name: 'e', size: 4, signed: false, values: [{ name: 'B', value: 7 }, { name: 'A', value: 9 }] },
  ]),
);

const mov = (imm: number): Instruction => ({ kind: 'alu', width: 64, op: 'mov', source: 'imm', dst: 1, src: 0, imm });

function run(kind: string, typeId: number, access: string, insn: Instruction = mov(0)) {
  const relos: CoreRelocationAt[] = [{ slot: 0, typeId, accessString: access, kind }];
  const r = relocateCore([insn], new Map([[0, 0]]), relos, local, target, 'test');
  return { insn: r.instructions[0]!, result: r.results[0]! };
}

describe('relocateCore()', () => {
  it('finds fields by name through anonymous members and flavoured type names', () => {
    expect(run('field_byte_offset', 2, '0:0').result.value).toBe(12); // pid: 8 + 4
    expect(run('field_byte_offset', 2, '0:1').result.value).toBe(8); // tgid
    expect(run('field_byte_size', 2, '0:0').result.value).toBe(4);
    expect(run('field_exists', 2, '0:1').result.value).toBe(1);
  });

  it('computes bitfield offsets and shifts as libbpf does', () => {
    // flags: bits 133..135 → byte_off 16 (4-byte load), lshift 64 - (133 + 3 - 128) = 56, rshift 61
    expect(run('field_byte_offset', 2, '0:2').result.value).toBe(16);
    expect(run('field_byte_size', 2, '0:2').result.value).toBe(4);
    expect(run('field_lshift_u64', 2, '0:2').result.value).toBe(56);
    expect(run('field_rshift_u64', 2, '0:2').result.value).toBe(61);
    expect(run('field_signed', 2, '0:2').result.value).toBe(0);
  });

  it('answers type and enum questions', () => {
    expect(run('type_exists', 2, '0').result.value).toBe(1);
    expect(run('type_size', 2, '0').result.value).toBe(24);
    expect(run('type_id_target', 2, '0').result.value).toBe(3);
    expect(run('type_id_local', 2, '0').result.value).toBe(2);
    expect(run('enumval_value', 4, '0').result.value).toBe(9);
    expect(run('enumval_exists', 4, '1').result.value).toBe(1);
  });

  it('gives 0 for existence questions about missing types and poisons the rest', () => {
    expect(run('type_exists', 5, '0').result.value).toBe(0);
    expect(run('field_exists', 5, '0:0').result.value).toBe(0);
    const poisoned = run('field_byte_offset', 5, '0:0');
    expect(poisoned.result.value).toBeUndefined();
    expect(poisoned.insn).toEqual({ kind: 'call', target: 'helper', imm: CORE_POISON, off: 0 });
  });

  it('patches the offset of loads and their size when the field grew', () => {
    const ldx: Instruction = { kind: 'ldx', size: 4, signed: false, dst: 1, src: 2, off: 0 };
    expect(run('field_byte_offset', 2, '0:1', ldx).insn).toEqual({ ...ldx, off: 8 });
    const lddw: Instruction = { kind: 'lddw', dst: 1, pseudo: 'none', value: 0n };
    expect(run('enumval_value', 4, '1', lddw).insn).toEqual({ ...lddw, value: 7n });
  });
});
