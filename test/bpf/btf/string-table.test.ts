import { describe, expect, it } from 'vitest';
import { BtfStringTable } from '../../../bpf/btf/index.ts';

const bytes = (s: string) => new TextEncoder().encode(s);

describe('BtfStringTable', () => {
  it('a new table holds only the empty string', () => {
    const t = new BtfStringTable();
    expect(t.size).toBe(1);
    expect(t.at(0)).toBe('');
    expect(t.offsetOf('')).toBe(0);
    expect(t.bytes()).toEqual(new Uint8Array([0]));
  });

  it('add() appends new strings and returns existing offsets for known ones', () => {
    const t = new BtfStringTable();
    expect(t.add('int')).toBe(1);
    expect(t.add('foo')).toBe(5);
    expect(t.add('int')).toBe(1);
    expect(t.add('')).toBe(0);
    expect(t.bytes()).toEqual(bytes('\0int\0foo\0'));
    expect(t.at(5)).toBe('foo');
    expect(t.at(2)).toBe('nt'); // suffixes are addressable, as in the kernel
  });

  it('add() grows past the initial capacity', () => {
    const t = new BtfStringTable();
    const names = Array.from({ length: 1000 }, (_, i) => `name_${i}`);
    const offsets = names.map((n) => t.add(n));
    names.forEach((n, i) => expect(t.at(offsets[i]!)).toBe(n));
  });

  it('fromBytes() keeps the bytes verbatim, duplicates included, and indexes the first occurrence', () => {
    const raw = bytes('\0a\0b\0a\0');
    const t = BtfStringTable.fromBytes(raw);
    expect(t.bytes()).toEqual(raw);
    expect(t.offsetOf('a')).toBe(1);
    expect(t.at(5)).toBe('a');
    expect(t.add('b')).toBe(3);
    expect(t.add('c')).toBe(7);
  });

  it('fromBytes() decodes UTF-8', () => {
    const t = BtfStringTable.fromBytes(bytes('\0héllo\0'));
    expect(t.at(1)).toBe('héllo');
    expect(t.offsetOf('héllo')).toBe(1);
  });

  it('fromBytes() rejects tables that do not start and end with NUL', () => {
    expect(() => BtfStringTable.fromBytes(new Uint8Array(0))).toThrow(/empty/);
    expect(() => BtfStringTable.fromBytes(bytes('a\0'))).toThrow(/first byte is not NUL/);
    expect(() => BtfStringTable.fromBytes(bytes('\0abc'))).toThrow(/not NUL-terminated/);
  });

  it('at() rejects offsets outside the table', () => {
    const t = BtfStringTable.fromBytes(bytes('\0ab\0'));
    expect(() => t.at(4)).toThrow(/string offset 4 is outside the string table \(4 bytes\)/);
    expect(() => t.at(-1)).toThrow(RangeError);
  });

  it('clone() is independent of the original', () => {
    const t = new BtfStringTable();
    t.add('x');
    const c = t.clone();
    c.add('y');
    expect(t.offsetOf('y')).toBeUndefined();
    expect(c.offsetOf('x')).toBe(1);
    expect(c.size).toBe(t.size + 2);
  });

  it('add() rejects strings containing NUL', () => {
    expect(() => new BtfStringTable().add('a\0b')).toThrow(TypeError);
  });
});
