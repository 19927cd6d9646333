import { describe, expect, it } from 'vitest';
import {
  BpfSyscallError,
  Errno,
  VerifierError,
  errnoCode,
  errnoMessage,
  splitLog,
  verifierReason,
} from '../../../loader/sys/index.ts';

describe('errnoCode() and errnoMessage()', () => {
  it('name the common bpf(2) errors', () => {
    expect(errnoCode(Errno.EPERM)).toBe('EPERM');
    expect(errnoCode(7)).toBe('E2BIG');
    expect(errnoCode(524)).toBe('ENOTSUPP');
    expect(errnoCode(95)).toBe('EOPNOTSUPP');
    expect(errnoMessage(Errno.EINVAL)).toBe('invalid argument');
    expect(errnoMessage(524)).toBe('operation not supported');
  });

  it('fall back to the system name, then to the number', () => {
    expect(errnoCode(110)).toBe('ETIMEDOUT');
    expect(errnoCode(4000)).toBe('E4000');
    expect(errnoMessage(4000)).toBe('errno 4000');
  });
});

describe('BpfSyscallError', () => {
  it('puts the context first and a hint last', () => {
    const e = new BpfSyscallError({ command: 'BPF_MAP_CREATE', errno: Errno.EPERM, context: 'map create counters' });
    expect(e).toBeInstanceOf(Error);
    expect(e.message).toMatch(/^map create counters: operation not permitted \(needs CAP_BPF or CAP_SYS_ADMIN/);
    expect(e).toMatchObject({ name: 'BpfSyscallError', command: 'BPF_MAP_CREATE', errno: 1, code: 'EPERM' });
  });

  it('explains E2BIG and EEXIST for map updates', () => {
    const big = new BpfSyscallError({ command: 'BPF_MAP_UPDATE_ELEM', errno: Errno.E2BIG, context: 'map update a' });
    expect(big.message).toBe('map update a: argument list too long (key outside the array, or the map is full)');
    const exists = new BpfSyscallError({ command: 'BPF_MAP_UPDATE_ELEM', errno: Errno.EEXIST, context: 'map update h' });
    expect(exists.message).toBe('map update h: file exists (key exists and BPF_NOEXIST was given)');
  });

  it('leaves out the hint when there is none', () => {
    const e = new BpfSyscallError({ command: 'BPF_PROG_TEST_RUN', errno: Errno.EINVAL, context: 'test run program x' });
    expect(e.message).toBe('test run program x: invalid argument');
  });
});

describe('verifierReason()', () => {
  it('finds the reason after the instruction it concerns', () => {
    const log = [
      '0: R1=ctx() R10=fp0',
      '0: (bf) r0 = r2',
      'R2 !read_ok',
      'processed 1 insns (limit 1000000) max_states_per_insn 0 total_states 0 peak_states 0 mark_read 0',
    ];
    expect(verifierReason(log)).toEqual({ reason: 'R2 !read_ok', insn: 0 });
  });

  it('skips statistics and source annotations', () => {
    const log = [
      'func#0 @0',
      '0: R1=ctx() R10=fp0',
      '; return *(u32 *)(data + 1); @ policy.c:12',
      '12: (61) r0 = *(u32 *)(r2 +1)',
      'invalid access to packet, off=1 size=4, R2(id=0,off=1,r=0)',
      'R2 offset is outside of the packet',
      '',
      'verification time 25 usec',
      'stack depth 0',
      'processed 13 insns (limit 1000000) max_states_per_insn 0 total_states 1 peak_states 1 mark_read 1',
    ];
    expect(verifierReason(log)).toEqual({ reason: 'R2 offset is outside of the packet', insn: 12 });
  });

  it('takes the instruction an infinite-loop report names, not the jump before its states', () => {
    const log = [
      '6: (05) goto pc-3',
      'infinite loop detected at insn 4',
      'cur state: R0=0 R10=fp0',
      'old state: R0=0 R10=fp0',
      'verification time 12 usec',
    ];
    expect(verifierReason(log)).toEqual({ reason: 'infinite loop detected at insn 4', insn: 4 });
  });

  it('reports no instruction when the log names none', () => {
    expect(verifierReason(['magic: 0x0', 'Invalid magic'])).toEqual({ reason: 'Invalid magic', insn: undefined });
    expect(verifierReason([])).toEqual({ reason: undefined, insn: undefined });
  });
});

describe('VerifierError', () => {
  it('quotes the reason and the instruction, and keeps the log', () => {
    const log = ['0: (bf) r0 = r2', 'R2 !read_ok', 'processed 1 insns (limit 1000000)'];
    const e = new VerifierError({ command: 'BPF_PROG_LOAD', errno: Errno.EACCES, context: 'load program bad', log });
    expect(e).toBeInstanceOf(BpfSyscallError);
    expect(e.message).toBe('load program bad: instruction 0: R2 !read_ok');
    expect(e).toMatchObject({ name: 'VerifierError', code: 'EACCES', insn: 0, reason: 'R2 !read_ok', log });
  });

  it('says when the log was truncated or empty of reasons', () => {
    const t = new VerifierError({
      command: 'BPF_PROG_LOAD',
      errno: Errno.ENOSPC,
      context: 'load program big',
      log: ['5: (05) goto pc-1', 'infinite loop detected at insn 5'],
      truncated: true,
    });
    expect(t.message).toBe('load program big: instruction 5: infinite loop detected at insn 5 (log truncated)');
    const none = new VerifierError({ command: 'BPF_BTF_LOAD', errno: Errno.EINVAL, context: 'load btf', log: [''] });
    expect(none.message).toBe('load btf: invalid argument (the log gives no reason)');
  });
});

describe('splitLog()', () => {
  it('stops at the NUL terminator and drops the final empty line', () => {
    expect(splitLog('a\nb\n\0garbage')).toEqual(['a', 'b']);
    expect(splitLog('')).toEqual([]);
  });
});
