import { describe, expect, it } from 'vitest';
import {
  BPF_RELOCATION_TYPE_NAMES,
  bpfRelocationMinimumSize,
  bpfRelocationTypeName,
  R_BPF_64_32,
  R_BPF_64_64,
  R_BPF_64_ABS32,
  R_BPF_64_ABS64,
  R_BPF_64_NODYLD32,
  R_BPF_NONE,
} from '../../../bpf/elf/index.ts';

describe('BPF relocation types', () => {
  it('have the values of llvm/BinaryFormat/ELFRelocs/BPF.def', () => {
    expect([R_BPF_NONE, R_BPF_64_64, R_BPF_64_ABS64, R_BPF_64_ABS32, R_BPF_64_NODYLD32, R_BPF_64_32]).toEqual([
      0, 1, 2, 3, 4, 10,
    ]);
  });

  it('bpfRelocationTypeName() names known types and shows unknown ones in hex', () => {
    expect([...BPF_RELOCATION_TYPE_NAMES.values()]).toEqual([
      'R_BPF_NONE',
      'R_BPF_64_64',
      'R_BPF_64_ABS64',
      'R_BPF_64_ABS32',
      'R_BPF_64_NODYLD32',
      'R_BPF_64_32',
    ]);
    expect(bpfRelocationTypeName(R_BPF_64_32)).toBe('R_BPF_64_32');
    expect(bpfRelocationTypeName(0x63)).toBe('type 0x63');
  });

  it('bpfRelocationMinimumSize() gives the bytes every use of a type patches', () => {
    expect([0, 1, 2, 3, 4, 10, 99].map(bpfRelocationMinimumSize)).toEqual([1, 8, 8, 4, 4, 4, 1]);
  });
});
