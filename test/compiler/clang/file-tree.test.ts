import { describe, expect, it } from 'vitest';
import { mountFile } from '../../../compiler/clang/file-tree.ts';

describe('mountFile()', () => {
  it('places a file at a nested path without touching the original tree', () => {
    const base = { a: { 'x.h': 'x' } };
    const t = mountFile(base, 'a/b/c.c', 'int c;');
    expect(t).toEqual({ a: { 'x.h': 'x', b: { 'c.c': 'int c;' } } });
    expect(base).toEqual({ a: { 'x.h': 'x' } });
  });

  it('treats a leading / as the root and mounts directories', () => {
    expect(mountFile({}, '/include', { 'bpf.h': '' })).toEqual({ include: { 'bpf.h': '' } });
  });

  it('refuses .., empty parts and paths through a file', () => {
    expect(() => mountFile({}, '../x.c', '')).toThrow(RangeError);
    expect(() => mountFile({}, 'a//x.c', '')).toThrow(RangeError);
    expect(() => mountFile({ a: 'file' }, 'a/x.c', '')).toThrow(/a is a file/);
  });
});
