import { describe, expect, it } from 'vitest';
import type { ProgramSpec } from '../../../bpf/index.ts';
import { parseProgramType, programType } from '../../../loader/index.ts';

const prog = (section: string, type?: number, attach?: number): ProgramSpec => ({ name: 'p', section, type, expectedAttachType: attach, function: 'p' });

describe('parseProgramType()', () => {
  it('takes names, enum names, numbers and section names', () => {
    expect(parseProgramType('xdp')).toEqual({ type: 6, expectedAttachType: undefined });
    expect(parseProgramType('BPF_PROG_TYPE_SCHED_CLS')).toEqual({ type: 3, expectedAttachType: undefined });
    expect(parseProgramType(8)).toEqual({ type: 8, expectedAttachType: undefined });
    expect(parseProgramType('cgroup_skb/ingress')).toEqual({ type: 8, expectedAttachType: 0 });
    expect(() => parseProgramType('nonsense')).toThrow(/unknown program type nonsense/);
  });

  it('prefers the caller, then the section, then the default', () => {
    expect(programType(prog('xdp', 6, 37), 'sched_cls', undefined)).toEqual({ type: 3, expectedAttachType: undefined });
    expect(programType(prog('xdp', 6, 37), undefined, 'sched_cls')).toEqual({ type: 6, expectedAttachType: 37 });
    expect(programType(prog('2/1'), undefined, 'sched_cls')).toEqual({ type: 3, expectedAttachType: undefined });
    expect(programType(prog('2/1'), undefined, undefined)).toBeUndefined();
    expect(programType(prog('xdp', 6, 37), { expectedAttachType: null }, undefined)).toEqual({ type: 6, expectedAttachType: undefined });
    expect(programType(prog('.text'), { type: 'sched_cls', expectedAttachType: 'TCX_INGRESS' }, undefined)).toEqual({ type: 3, expectedAttachType: 46 });
  });
});
