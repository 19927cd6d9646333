import { describe, expect, it } from 'vitest';
import { assertSocketAccess, Reject } from '../../../verifier/assert/index.ts';
import { ptrReg, type PtrType } from '../../../verifier/state/index.ts';

/** The sizes a load at `off` through a pointer of `type` may have. */
function readable(type: PtrType, off: number): number[] {
  return [1, 2, 4, 8].filter((size) => {
    try {
      assertSocketAccess(ptrReg(type), 0, off, size, 'read');
      return true;
    } catch (e) {
      if (e instanceof Reject) return false;
      throw e;
    }
  });
}

describe('assertSocketAccess()', () => {
  it('reads the family of a sock_common with 1, 2 and 4 bytes but not its type, protocol, mark or priority', () => {
    expect(readable('sock_common', 4)).toEqual([1, 2, 4]);
    for (const off of [8, 12, 16, 20]) expect(readable('sock_common', off)).toEqual([]);
    expect(readable('sock', 12)).toEqual([1, 2, 4]);
    expect(readable('sock', 16)).toEqual([4]);
  });

  it('reads the 2-byte dst_port with 4 bytes too, and addresses byte by byte', () => {
    expect(readable('sock', 48)).toEqual([1, 2, 4]);
    expect(readable('sock', 49)).toEqual([1]);
    expect(readable('sock', 50)).toEqual([]);
    expect(readable('sock', 25)).toEqual([1]);
    expect(readable('sock', 58)).toEqual([1, 2]);
    expect(readable('sock', 80)).toEqual([]);
  });

  it('reads the 8-byte counters of a tcp_sock only whole', () => {
    expect(readable('tcp_sock', 80)).toEqual([8]);
    expect(readable('tcp_sock', 0)).toEqual([4]);
    expect(readable('tcp_sock', 112)).toEqual([]);
  });

  it('refuses writes and misaligned loads in the kernel\'s words', () => {
    expect(() => assertSocketAccess(ptrReg('sock'), 3, 16, 4, 'write')).toThrow('R3 cannot write into sock');
    expect(() => assertSocketAccess(ptrReg('sock_common'), 1, 5, 2, 'read')).toThrow('misaligned sock_common access off 0+0+5 size 2');
    expect(() => assertSocketAccess(ptrReg('sock_common'), 1, 12, 4, 'read')).toThrow('R1 invalid sock_common access off=12 size=4');
  });
});
