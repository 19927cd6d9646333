import { describe, expect, it } from 'vitest';
import { assembleUbpf } from '../../../bpf/asm/index.ts';
import { Memory, REGION_BASE, SimFault, Vm, type MapHandle } from '../../../simulator/index.ts';

describe('Memory', () => {
  it('tags addresses with the region id in the high half and offset 0 at REGION_BASE', () => {
    const memory = new Memory();
    const a = memory.add({ name: 'a', kind: 'memory', size: 8 });
    const b = memory.add({ name: 'b', kind: 'memory', size: 8 });
    expect(a.address()).toBe((1n << 32n) + BigInt(REGION_BASE));
    expect(b.address(4)).toBe((2n << 32n) + BigInt(REGION_BASE) + 4n);
    expect(memory.locate(b.address(-3))).toEqual({ region: b, offset: -3 });
    expect(memory.locate(0n).region).toBeUndefined();
  });

  it('read(), write() and bytes() check bounds and permissions and name the region', () => {
    const memory = new Memory();
    const r = memory.add({ name: '.rodata', kind: 'global', bytes: Uint8Array.of(1, 2, 3, 4), writable: false });
    expect(memory.read(r.address(), 4)).toBe(0x04030201n);
    expect(() => memory.write(r.address(), 1, 9)).toThrow('invalid write of 1 bytes at .rodata+0: .rodata is read-only');
    expect(() => memory.bytes(r.address(2), 4)).toThrow('invalid read of 4 bytes at .rodata+2: out of bounds: .rodata allows offsets 0..3');
    const w = memory.add({ name: 'w', kind: 'memory', size: 8 });
    memory.write(w.address(), 8, -2n);
    expect(memory.read(w.address(), 8)).toBe(2n ** 64n - 2n);
  });

  it('a window narrows what is accessible (packet data..data_end)', () => {
    const memory = new Memory();
    const p = memory.add({ name: 'packet', kind: 'packet', size: 64, start: 16, end: 40 });
    expect(memory.check(p.address(16), 24, false)).toBeUndefined();
    expect(memory.check(p.address(15), 1, false)).toContain('out of bounds: packet allows offsets 16..39');
    p.setBytes(new Uint8Array(10));
    expect(memory.check(p.address(9), 1, true)).toBeUndefined();
  });

  it('cString() reads up to the NUL and faults on an unterminated string', () => {
    const memory = new Memory();
    const s = memory.add({ name: 's', kind: 'memory', bytes: new TextEncoder().encode('abc\0de') });
    expect(memory.cString(s.address())).toBe('abc');
    expect(() => memory.cString(s.address(4))).toThrow('unterminated string');
  });

  it('a map gets an address that is not memory', () => {
    const memory = new Memory();
    const map: MapHandle = { name: 'counters', type: 2, keySize: 4, valueSize: 8, maxEntries: 1 };
    const r = memory.addMap(map);
    expect(memory.locate(r.address()).region?.map).toBe(map);
    expect(memory.check(r.address(), 1, false)).toContain('map counters is a map, not memory');
  });

  it('removed regions fault and their ids are not reused', () => {
    const memory = new Memory();
    const a = memory.add({ name: 'a', kind: 'memory', size: 1 });
    memory.remove(a);
    expect(memory.check(a.address(), 1, false)).toContain('(no region)');
    expect(memory.add({ name: 'b', kind: 'memory', size: 1 }).id).toBe(a.id + 1);
  });

  it('a pure access rule is asked once per allowed access, and a refused one every time with its reason', () => {
    const asked: string[] = [];
    const rule = (offset: number, size: number, write: boolean): string | undefined => {
      asked.push(`${write ? 'w' : 'r'}${offset}/${size}`);
      return write && offset < 4 ? 'read-only field' : undefined;
    };
    const prog = assembleUbpf('ldxw %r0, [%r1+4]\nldxb %r2, [%r1+4]\nstxw [%r1+8], %r0\nexit');
    const refused = assembleUbpf('stxw [%r1], %r1\nexit');
    for (const pureAccess of [true, false]) {
      asked.length = 0;
      const memory = new Memory();
      const ctx = memory.add({ name: 'ctx', kind: 'ctx', size: 16, access: rule, pureAccess });
      new DataView(ctx.bytes.buffer).setUint32(4, 0x01020304, true);
      for (let i = 0; i < 3; i++) expect(new Vm().run(prog, { memory, r1: ctx }).r0).toBe(0x01020304n);
      expect(asked).toEqual(pureAccess ? ['r4/4', 'r4/1', 'w8/4'] : Array(3).fill(['r4/4', 'r4/1', 'w8/4']).flat());
      asked.length = 0;
      for (let i = 0; i < 2; i++) {
        expect(() => new Vm().run(refused, { memory, r1: ctx })).toThrow(SimFault);
        expect(() => new Vm().run(refused, { memory, r1: ctx })).toThrow('instruction 0: invalid write of 4 bytes at ctx+0: read-only field');
      }
      expect(asked.length).toBeGreaterThanOrEqual(4);
    }
  });
});
